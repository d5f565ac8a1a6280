"""Watch streams: initial state, resumption, selector transitions, bookmarks, timeouts."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitsync.sandbox.testing import SandboxHandle, running_sandbox

CM_PATH = "/api/v1/namespaces/default/configmaps"


def send(sandbox: SandboxHandle, method: str, path: str, body: Any = None,
         ctype: str = "application/json") -> dict[str, Any]:
    conn = http.client.HTTPConnection(sandbox.url.split("//")[1], timeout=10)
    conn.request(method, path, body=None if body is None else json.dumps(body).encode(),
                 headers={"Content-Type": ctype})
    resp = conn.getresponse()
    out: dict[str, Any] = json.loads(resp.read())
    assert resp.status < 300, out
    return out


def events(sandbox: SandboxHandle, query: str, path: str = CM_PATH) -> Iterator[dict[str, Any]]:
    """Stream watch events; the stream ends when the server closes it (timeoutSeconds)."""
    conn = http.client.HTTPConnection(sandbox.url.split("//")[1], timeout=10)
    conn.request("GET", f"{path}?{query}")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.headers["Transfer-Encoding"] == "chunked"
    for line in resp:
        yield json.loads(line)


def cm(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels}}


def test_watch_without_version_starts_with_current_state(sandbox: SandboxHandle) -> None:
    send(sandbox, "POST", CM_PATH, cm("a", app="x"))
    got = [(e["type"], e["object"]["metadata"]["name"]) for e in
           events(sandbox, "watch=1&timeoutSeconds=1&labelSelector=app%3Dx")]
    assert got == [("ADDED", "a")]


def test_watch_resumes_after_a_version(sandbox: SandboxHandle) -> None:
    first = send(sandbox, "POST", CM_PATH, cm("a"))
    rv = first["metadata"]["resourceVersion"]
    send(sandbox, "PATCH", CM_PATH + "/a", {"data": {"k": "v"}}, "application/merge-patch+json")
    send(sandbox, "DELETE", CM_PATH + "/a")
    got = [(e["type"], e["object"]["metadata"]["name"],
            e["object"].get("data")) for e in
           events(sandbox, f"watch=true&resourceVersion={rv}&timeoutSeconds=1")
           if e["object"]["metadata"]["name"] == "a"]
    assert got == [("MODIFIED", "a", {"k": "v"}), ("DELETED", "a", {"k": "v"})]


def test_label_changes_move_objects_in_and_out_of_a_selected_watch(
        sandbox: SandboxHandle) -> None:
    start = send(sandbox, "GET", CM_PATH)["metadata"]["resourceVersion"]
    send(sandbox, "POST", CM_PATH, cm("m", tier="web"))
    send(sandbox, "PATCH", CM_PATH + "/m", {"metadata": {"labels": {"tier": "db"}}},
         "application/merge-patch+json")
    send(sandbox, "PATCH", CM_PATH + "/m", {"metadata": {"labels": {"tier": "web"}}},
         "application/merge-patch+json")
    got = [e["type"] for e in events(
        sandbox, f"watch=1&resourceVersion={start}&timeoutSeconds=1&labelSelector=tier%3Dweb")]
    assert got == ["ADDED", "DELETED", "ADDED"]


def test_legacy_watch_path_and_single_object(sandbox: SandboxHandle) -> None:
    send(sandbox, "POST", CM_PATH, cm("one"))
    send(sandbox, "POST", CM_PATH, cm("two"))
    got = [e["object"]["metadata"]["name"] for e in events(
        sandbox, "timeoutSeconds=1", "/api/v1/watch/namespaces/default/configmaps/one")]
    assert got == ["one"]


def test_events_carry_kind_and_api_version(sandbox: SandboxHandle) -> None:
    send(sandbox, "POST", CM_PATH, cm("typed"))
    ev = next(iter(events(sandbox, "watch=1&timeoutSeconds=1&fieldSelector="
                                   "metadata.name%3Dtyped")))
    assert (ev["object"]["apiVersion"], ev["object"]["kind"]) == ("v1", "ConfigMap")


def test_send_initial_events_ends_with_a_bookmark(sandbox: SandboxHandle) -> None:
    send(sandbox, "POST", CM_PATH, cm("i", app="init"))
    got = list(events(sandbox, "watch=1&sendInitialEvents=true&allowWatchBookmarks=true"
                               "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1"
                               "&labelSelector=app%3Dinit"))
    assert [e["type"] for e in got][:2] == ["ADDED", "BOOKMARK"]
    mark = got[1]["object"]
    assert mark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(mark["metadata"]["resourceVersion"]) >= int(
        got[0]["object"]["metadata"]["resourceVersion"])


def test_periodic_bookmarks(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, bookmark_interval=0.2) as sandbox:
        rv = send(sandbox, "GET", CM_PATH)["metadata"]["resourceVersion"]
        got = [e for e in events(sandbox, f"watch=1&resourceVersion={rv}"
                                          "&allowWatchBookmarks=true&timeoutSeconds=1")]
    assert got and all(e["type"] == "BOOKMARK" for e in got)
    assert got[0]["object"]["kind"] == "ConfigMap"
    assert int(got[-1]["object"]["metadata"]["resourceVersion"]) >= int(rv)


def test_too_old_version_is_410_in_the_stream(sandbox: SandboxHandle) -> None:
    rv = send(sandbox, "POST", CM_PATH, cm("o"))["metadata"]["resourceVersion"]
    send(sandbox, "POST", CM_PATH, cm("p"))
    sandbox.compact()
    got = list(events(sandbox, f"watch=1&resourceVersion={int(rv) - 1}&timeoutSeconds=1"))
    assert len(got) == 1 and got[0]["type"] == "ERROR"
    status = got[0]["object"]
    assert (status["code"], status["reason"]) == (410, "Expired")
    assert status["message"].startswith(f"too old resource version: {int(rv) - 1} (")


@pytest.mark.parametrize("scope", ["namespaced", "all-namespaces"])
def test_namespace_scope(sandbox: SandboxHandle, scope: str) -> None:
    send(sandbox, "POST", "/api/v1/namespaces",
         {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    rv = send(sandbox, "GET", "/api/v1/configmaps")["metadata"]["resourceVersion"]
    send(sandbox, "POST", CM_PATH, cm("here"))
    send(sandbox, "POST", "/api/v1/namespaces/other/configmaps", cm("there"))
    path = CM_PATH if scope == "namespaced" else "/api/v1/configmaps"
    names = {e["object"]["metadata"]["name"] for e in
             events(sandbox, f"watch=1&resourceVersion={rv}&timeoutSeconds=1", path)
             if e["type"] == "ADDED"}
    want = {"here"} if scope == "namespaced" else {"here", "there"}
    assert want <= names
    assert ("there" in names) == (scope == "all-namespaces")
