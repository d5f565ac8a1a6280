"""``gitsync app history`` and ``app rollback`` end to end: entries, formats, limits, diffs,
corruption, and rolling back with and without Git."""

from __future__ import annotations

import getpass
import json
import shutil
import socket

import pytest
import yaml

from gitsync.errors import EXIT_OPERATION_FAILED, EXIT_USAGE
from tests.integration.conftest import Workspace, git
from tests.integration.syncing import (
    HISTORY_NS,
    Timeline,
    apps_api,
    batch,
    change_app,
    configmap,
    core,
    deployment,
    history,
    job,
    make_app,
    ok,
    records,
    rollback,
    secret,
    sync,
    table,
)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    return workspace


def _image(ws: Workspace, ns: str, name: str = "web") -> str:
    dep = apps_api(ws).read_namespaced_deployment(name, ns)
    return str(dep.spec.template.spec.containers[0].image)


# --- history ---------------------------------------------------------------------------------


def test_history_records_who_why_and_what_bounded_by_the_limit(ws: Workspace) -> None:
    make_app(ws, "hist", configmap("c", data={"v": "1"}), spec={"revisionHistoryLimit": 3})
    shas = []
    for n in range(1, 5):
        if n > 1:
            change_app(ws, "hist", configmap("c", data={"v": str(n)}))
        ok(sync(ws, "hist", "-m", f"release {n}"))
        shas.append(git(ws.repo, "rev-parse", "HEAD"))
    user = getpass.getuser()
    rows = table(ok(history(ws, "hist")).stdout, "ID")
    assert [(r["ID"], r["REVISION"], r["INITIATOR"], r["MESSAGE"]) for r in rows] == [
        (str(n), f"main ({shas[n - 1][:7]})", user, f"release {n}") for n in (2, 3, 4)]
    assert ok(history(ws, "hist", "-o", "id")).stdout.split() == ["2", "3", "4"]
    data = json.loads(ok(history(ws, "hist", "-o", "json")).stdout)
    assert [e["id"] for e in data] == [2, 3, 4]
    assert data[-1]["initiatedBy"] == {"username": user, "host": socket.gethostname(),
                                       "automated": False}
    assert data[-1]["reason"] == "release 4" and data[-1]["result"] == "Succeeded"
    assert data[-1]["source"] == {"repoURL": ws.url, "path": "apps/hist"}
    assert data[-1]["resources"] == {"synced": 1, "syncFailed": 0, "pruned": 0,
                                     "pruneSkipped": 0}
    assert yaml.safe_load(ok(history(ws, "hist", "-o", "yaml")).stdout) == data
    wide = table(ok(history(ws, "hist", "-o", "wide")).stdout, "ID")
    assert wide[0]["SOURCE"] == f"{ws.url} apps/hist" and wide[0]["RESULT"] == "Succeeded"
    # the ConfigMap holds exactly the kept entries and their manifests
    rec = records(ws, "hist")
    assert rec is not None and rec.ids == [2, 3, 4] and sorted(rec.manifests) == [2, 3, 4]
    assert rec.manifests[4][0]["data"] == {"v": "4"}
    assert rec.operation is not None and rec.operation["id"] == 4


def test_history_diff_between_two_entries(ws: Workspace) -> None:
    make_app(ws, "hd", deployment("web", image="shop/web:1"), configmap("same"))
    ok(sync(ws, "hd"))
    change_app(ws, "hd", deployment("web", image="shop/web:2"), configmap("same"),
               configmap("new"))
    ok(sync(ws, "hd"))
    out = ok(history(ws, "hd", "--diff", "1", "2")).stdout
    assert out.startswith("=== added ConfigMap/hd/new\n")  # in key order
    assert ("=== modified Deployment/hd/web\n--- Deployment/hd/web (entry 1)\n"
            "+++ Deployment/hd/web (entry 2)\n") in out
    assert "-      - image: shop/web:1\n+      - image: shop/web:2\n" in out
    assert "ConfigMap/hd/same" not in out
    same = ok(history(ws, "hd", "--diff", "2", "2"))
    assert same.stdout == "" and "apply the same manifests" in same.stderr
    unknown = history(ws, "hd", "--diff", "1", "7")
    assert unknown.exit_code == EXIT_USAGE
    assert "has no history entry 7 (known: 1, 2)" in unknown.stderr


def test_a_corrupt_history_is_a_one_line_error(ws: Workspace) -> None:
    make_app(ws, "bad", configmap("c"))
    ok(sync(ws, "bad"))
    core(ws).patch_namespaced_config_map("gitsync-bad", HISTORY_NS,
                                         {"data": {"history": "{not json"}})
    for result in (history(ws, "bad"), sync(ws, "bad"), rollback(ws, "bad", "1")):
        assert result.exit_code == EXIT_USAGE
        lines = result.stderr.splitlines()
        assert lines[0].startswith("error: history ConfigMap gitsync-system/gitsync-bad is "
                                   "corrupt: data.history: not valid JSON")
        assert lines[1:] == ["hint: delete it to start a fresh history (kubectl -n "
                             "gitsync-system delete configmap gitsync-bad); the applied "
                             "objects are not affected"]
        assert result.stdout == ""
    # nothing was applied, and the lock was released: with the ConfigMap gone, all is well
    core(ws).delete_namespaced_config_map("gitsync-bad", HISTORY_NS)
    ok(sync(ws, "bad"))
    assert records(ws, "bad").ids == [1]


# --- rollback --------------------------------------------------------------------------------


def test_rollback_reapplies_an_entry_without_hooks(ws: Workspace) -> None:
    hook = job("migrate", hook="PreSync")
    make_app(ws, "rb", deployment("web", image="shop/web:1"), configmap("c"), hook)
    ok(sync(ws, "rb", "-m", "v1"))
    change_app(ws, "rb", deployment("web", image="shop/web:2"), configmap("c"), hook)
    ok(sync(ws, "rb", "-m", "v2"))
    assert _image(ws, "rb") == "shop/web:2"
    migrate = batch(ws).read_namespaced_job("migrate", "rb").metadata.uid
    timeline = Timeline(ws, "rb", "Job")
    result = ok(rollback(ws, "rb"))  # default: the entry before the newest
    assert "Operation:          Rollback" in result.stdout
    assert _image(ws, "rb") == "shop/web:1"
    assert "Job" not in result.stdout and timeline.events() == []  # no hook ran
    assert batch(ws).read_namespaced_job("migrate", "rb").metadata.uid == migrate
    rows = table(ok(history(ws, "rb")).stdout, "ID")
    assert [(r["ID"], r["MESSAGE"]) for r in rows] == [("1", "v1"), ("2", "v2"),
                                                        ("3", "rollback to 1")]
    rec = records(ws, "rb")
    assert rec is not None and rec.entries[2]["rollbackOf"] == 1
    assert rec.entries[2]["revision"] == rec.entries[0]["revision"]
    assert rec.operation is not None and rec.operation["operation"] == "rollback"
    # rolling back to an explicit entry, with a reason
    ok(rollback(ws, "rb", "2", "-m", "forward again"))
    assert _image(ws, "rb") == "shop/web:2"
    assert table(ok(history(ws, "rb")).stdout, "ID")[-1]["MESSAGE"] == \
        "rollback to 2: forward again"


def test_rollback_refusals(ws: Workspace) -> None:
    automated = ws.cli("app", "rollback", "shop-dev", "--apps", str(ws.apps))
    assert automated.exit_code == EXIT_OPERATION_FAILED
    assert automated.stderr.splitlines() == [
        "error: rollback cannot be initiated when automated sync is enabled for shop-dev",
        "hint: disable spec.syncPolicy.automated (or set automated.enabled: false) first"]
    make_app(ws, "once", configmap("c"))
    ok(sync(ws, "once"))
    alone = rollback(ws, "once")
    assert alone.exit_code == EXIT_USAGE
    assert "app once has no previous history entry to roll back to" in alone.stderr
    unknown = rollback(ws, "once", "5")
    assert unknown.exit_code == EXIT_USAGE
    assert unknown.stderr.splitlines()[0] == "error: app once has no history entry 5 (known: 1)"
    assert records(ws, "once").ids == [1]


def test_rollback_renders_secrets_from_git(ws: Workspace) -> None:
    make_app(ws, "sec", deployment("web", image="shop/web:1"), secret("db", "first-password"))
    ok(sync(ws, "sec"))
    change_app(ws, "sec", deployment("web", image="shop/web:2"), secret("db", "second"))
    ok(sync(ws, "sec"))
    rec = records(ws, "sec")
    assert rec is not None
    stored = [o for o in rec.manifests[1] if o["kind"] == "Secret"]
    assert stored and "data" not in stored[0] and "stringData" not in stored[0]
    assert b"first-password" not in json.dumps(rec.manifests).encode()
    ok(rollback(ws, "sec", "1"))
    data = core(ws).read_namespaced_secret("db", "sec").data
    assert data == {"password": "Zmlyc3QtcGFzc3dvcmQ="}  # base64 of first-password
    assert _image(ws, "sec") == "shop/web:1"


def test_rollback_needs_no_git_without_secrets(ws: Workspace) -> None:
    make_app(ws, "nogit", deployment("web", image="shop/web:1"))
    ok(sync(ws, "nogit"))
    change_app(ws, "nogit", deployment("web", image="shop/web:2"))
    ok(sync(ws, "nogit"))
    shutil.rmtree(ws.repo)
    shutil.rmtree(ws.tmp / "cache")
    assert sync(ws, "nogit").exit_code != 0  # Git is really gone
    result = ok(rollback(ws, "nogit", "1"))
    assert "Phase:              Succeeded" in result.stdout
    assert _image(ws, "nogit") == "shop/web:1"
    assert records(ws, "nogit").ids == [1, 2, 3]


def test_rollback_leaves_a_created_namespace_unmanaged(ws: Workspace) -> None:
    spec = {"syncPolicy": {"syncOptions": ["CreateNamespace=true"]}}
    make_app(ws, "made", configmap("a"), configmap("b", data={"v": "1"}),
             namespace="made-ns", create_namespace=False, spec=spec)
    ok(sync(ws, "made", "--timeout", "20"))
    change_app(ws, "made", configmap("a"), configmap("b", data={"v": "2"}))
    ok(sync(ws, "made"))
    rec = records(ws, "made")
    assert rec is not None and {o["kind"] for o in rec.manifests[1]} == {"ConfigMap"}
    ok(rollback(ws, "made"))
    ns = core(ws).read_namespace("made-ns")
    assert "gitsync.io/app" not in (ns.metadata.labels or {})
    # so a later sync with --prune cannot take the namespace (and all in it) away
    result = ok(sync(ws, "made", "--prune"))
    assert "Pruned" not in result.stderr
    assert core(ws).read_namespace("made-ns").status.phase == "Active"
