"""Fault injection: errors, delays and dropped connections by verb, resource, chance or count."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import pytest

from gitsync.sandbox.faults import Faults
from gitsync.sandbox.testing import SandboxHandle

CM_PATH = "/api/v1/namespaces/default/configmaps"


def request(sandbox: SandboxHandle, method: str, path: str, body: object = None
            ) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(sandbox.url.split("//")[1], timeout=10)
    data = None if body is None else json.dumps(body).encode()
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    return conn.getresponse()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "InternalError"), (503, "ServiceUnavailable"), (429, "TooManyRequests"),
     (409, "Conflict")],
    ids=["500", "503", "429", "409"],
)
def test_error_rule_answers_with_status(sandbox: SandboxHandle, status: int, reason: str) -> None:
    sandbox.faults.add(verb="list", resource="configmaps", status=status, retry_after=3)
    resp = request(sandbox, "GET", CM_PATH)
    body = json.loads(resp.read())
    assert (resp.status, body["reason"], body["code"]) == (status, reason, status)
    if status == 429:
        assert resp.headers["Retry-After"] == "3"
        assert body["details"]["retryAfterSeconds"] == 3
    # other verbs and resources are untouched
    assert request(sandbox, "GET", "/api/v1/namespaces/default/secrets").status == 200
    assert request(sandbox, "GET", CM_PATH + "/kube-root-ca.crt").status in (200, 404)


def test_nth_and_times(sandbox: SandboxHandle) -> None:
    sandbox.faults.add(verb="get", resource="namespaces", status=503, nth=2)
    codes = [request(sandbox, "GET", "/api/v1/namespaces/default").status for _ in range(4)]
    assert codes == [200, 503, 200, 200]
    sandbox.faults.clear()
    sandbox.faults.add(verb="*", resource="namespaces", status=500, times=2)
    codes = [request(sandbox, "GET", "/api/v1/namespaces/default").status for _ in range(4)]
    assert codes == [500, 500, 200, 200]


def test_probability_is_seeded_and_partial() -> None:
    faults = Faults()
    faults.add(verb="get", resource="pods", probability=0.5)
    fired = [faults.decide("get", "pods").error is not None for _ in range(200)]
    assert 60 < sum(fired) < 140
    again = Faults()
    again.add(verb="get", resource="pods", probability=0.5)
    assert fired == [again.decide("get", "pods").error is not None for _ in range(200)]


def test_delay(sandbox: SandboxHandle) -> None:
    sandbox.faults.add(verb="get", resource="namespaces", action="delay", delay=0.2)
    start = time.monotonic()
    assert request(sandbox, "GET", "/api/v1/namespaces/default").status == 200
    assert time.monotonic() - start >= 0.2


def test_drop_closes_the_connection_without_answer(sandbox: SandboxHandle) -> None:
    sandbox.faults.add(verb="create", resource="configmaps", action="drop", times=1)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        request(sandbox, "POST", CM_PATH, body)
    # the dropped write did not happen; the next one does
    assert request(sandbox, "GET", CM_PATH + "/d").status == 404
    assert request(sandbox, "POST", CM_PATH, body).status == 201


def test_injected_errors_change_nothing(sandbox: SandboxHandle) -> None:
    sandbox.faults.add(verb="patch", resource="configmaps", status=503, times=1)
    assert request(sandbox, "POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                              "metadata": {"name": "p"},
                                              "data": {"a": "1"}}).status == 201
    conn = http.client.HTTPConnection(sandbox.url.split("//")[1], timeout=10)
    conn.request("PATCH", CM_PATH + "/p", body=b'{"data":{"a":"2"}}',
                 headers={"Content-Type": "application/merge-patch+json"})
    assert conn.getresponse().status == 503
    got = json.loads(request(sandbox, "GET", CM_PATH + "/p").read())
    assert got["data"] == {"a": "1"}


@pytest.mark.parametrize(
    ("rule", "message"),
    [({"action": "explode"}, "fault action must be one of error, delay, drop"),
     ({"status": 418}, "fault status must be 409, 429, 500 or 503"),
     ({"probability": 2}, "fault probability must be within 0..1")],
    ids=["action", "status", "probability"],
)
def test_invalid_rules_are_refused(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Faults().add(**rule)  # type: ignore[arg-type]


def test_rules_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("- verb: watch\n  resource: deployments\n  action: drop\n"
                    "- verb: list\n  status: 429\n  retry_after: 2\n")
    faults = Faults()
    faults.load(path)
    assert [(r.verb, r.resource, r.action, r.status) for r in faults.rules] == [
        ("watch", "deployments", "drop", 500), ("list", "*", "error", 429)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("verb: get\n")
    with pytest.raises(ValueError, match="expected a list of fault rules"):
        Faults().load(bad)
