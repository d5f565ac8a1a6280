"""``gitsync app watch`` against the sandbox: automated sync, self-heal, locks, faults, --once.

Watchers run in threads (through ``gitsync.watch.watch_apps``, as the CLI calls it) or as a
subprocess when a test needs to kill one; every wait polls with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from gitsync.kube import connect
from gitsync.source import load_catalog
from gitsync.watch import AppTarget, Event, Kind, SelfHealBackoff, WatchOptions, watch_apps
from tests.integration.conftest import Workspace

NS = "watch-demo"
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""
CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: {level}
"""
APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  project: default
  source:
    repoURL: REPO_URL
    targetRevision: main
    path: demo
  destination:
    server: https://kubernetes.default.svc
    namespace: {ns}
  syncPolicy:
    {automated}
    syncOptions:
      - CreateNamespace=true
    retry:
      limit: 0
"""
SELF_HEAL = "automated: {prune: true, selfHeal: true}"
#: a new image whose rollout the sandbox fails (ProgressDeadlineExceeded): the sync fails
FAILING = DEPLOY.replace("  name: web\n", "  name: web\n  annotations:\n"
                         "    sandbox.gitsync.io/outcome: fail\n", 1).replace("1.27", "1.28")


def demo(ws: Workspace, name: str = "demo", automated: str = SELF_HEAL, ns: str = NS) -> str:
    """Commit the demo app's manifests and write its Application; returns the commit."""
    sha = ws.commit("demo app", **{"demo/web.yaml": DEPLOY,
                                   "demo/settings.yaml": CONFIG.format(level="info")})
    ws.write_app(name, APP.format(name=name, ns=ns, automated=automated))
    return sha


@dataclass
class Watcher:
    """A ``watch_apps`` run in a thread; ``events`` fills as it reports."""

    events: list[Event] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    code: int | None = None

    def of(self, kind: Kind) -> list[Event]:
        return [e for e in list(self.events) if e.kind == kind]

    def wait(self, probe: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(0.02)
        lines = "\n".join(e.line() for e in self.events)
        raise AssertionError(f"timed out waiting for {what or probe}; events:\n{lines}")

    def wait_event(self, kind: Kind, match: Callable[[Event], bool] = lambda e: True,
                   timeout: float = 10.0, after: int = 0) -> Event:
        found = self.wait(lambda: next((e for e in self.events[after:]
                                        if e.kind == kind and match(e)), None), timeout,
                          f"event {kind}")
        assert isinstance(found, Event)
        return found


@contextmanager
def watching(ws: Workspace, *names: str, **options: Any) -> Iterator[Watcher]:
    catalog = load_catalog([ws.apps])
    targets = []
    for name in names:
        app = catalog.app(name)
        targets.append(AppTarget(app, catalog.project(app),
                                 connect(app.destination, kubeconfig=ws.sandbox.kubeconfig)))
    opts = WatchOptions(**{"interval": 0.3, "jitter": False,
                           "backoff": SelfHealBackoff(0.0), **options})
    w = Watcher()
    thread = threading.Thread(target=lambda: setattr(
        w, "code", watch_apps(targets, opts, w.events.append, w.stop)), daemon=True)
    thread.start()
    try:
        yield w
    finally:
        w.stop.set()
        thread.join(30)
        for t in targets:
            t.cluster.close()
        assert not thread.is_alive(), "the watcher did not stop"


@pytest.fixture
def kube(workspace: Workspace) -> Iterator[Any]:
    api = config.new_client_from_config(  # type: ignore[no-untyped-call]
        str(workspace.sandbox.kubeconfig))
    with api:
        yield api


def replicas(kube: Any) -> int:
    return int(client.AppsV1Api(kube).read_namespaced_deployment("web", NS).spec.replicas or 0)


def scale(kube: Any, n: int) -> None:
    client.AppsV1Api(kube).patch_namespaced_deployment_scale(
        "web", NS, {"spec": {"replicas": n}}, field_manager="kubectl-scale")


def synced(w: Watcher, after: int = 0) -> Event:
    return w.wait_event(Kind.SYNC_FINISHED, lambda e: e.phase == "Succeeded", after=after)


# --- self-heal ---------------------------------------------------------------------------------


def test_scale_is_reverted_with_the_manager_named(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo") as w:
        synced(w)
        assert replicas(kube) == 3
        mark = len(w.events)
        started = time.monotonic()
        scale(kube, 5)
        w.wait(lambda: replicas(kube) == 3 and len(w.of(Kind.HEAL_FINISHED)) > 0,
               timeout=2.0, what="replicas back to 3")
        assert time.monotonic() - started < 2.0
        heal = w.wait_event(Kind.HEAL_STARTED, after=mark)
        assert "kubectl-scale set spec.replicas 3 → 5" in heal.line()
        change = heal.changes[0]
        assert (change.resource, change.path, change.git, change.live, change.manager) == \
            ("Deployment/watch-demo/web", "spec.replicas", 3, 5, "kubectl-scale")
        done = w.wait_event(Kind.HEAL_FINISHED, after=mark)
        assert done.phase == "Succeeded"
    # the operation state says what was reverted; a self-heal adds no history entry
    out = workspace.cli("app", "history", "demo", "--apps", str(workspace.apps), "-o", "json")
    assert len(json.loads(out.output)) == 1
    from gitsync.history import HistoryStore
    with connect(kubeconfig=workspace.sandbox.kubeconfig) as cluster:
        op = HistoryStore(cluster).load("demo").operation
    assert op is not None and op.operation == "self-heal" and op.initiated_by.automated
    assert "kubectl-scale set spec.replicas 3 → 5" in op.reason
    assert [r.name for r in op.resources] == ["web"]  # only the drifted object


def test_edit_by_another_manager_is_reverted(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo") as w:
        synced(w)
        mark = len(w.events)
        core = client.CoreV1Api(kube)
        core.patch_namespaced_config_map("settings", NS, {"data": {"LOG_LEVEL": "debug"}},
                                         field_manager="kubectl-edit")
        w.wait(lambda: (core.read_namespaced_config_map("settings", NS).data or {}).get(
            "LOG_LEVEL") == "info", timeout=2.0, what="LOG_LEVEL back to info")
        heal = w.wait_event(Kind.HEAL_STARTED, after=mark)
        assert "kubectl-edit set data.LOG_LEVEL info → debug" in heal.line()
        # a second drift at the same revision heals too (back-off 0 in this test)
        mark = len(w.events)
        scale(kube, 7)
        w.wait(lambda: replicas(kube) == 3, timeout=2.0, what="replicas back to 3")
        assert "attempt 2" in w.wait_event(Kind.HEAL_STARTED, after=mark).message


def test_without_self_heal_drift_is_reported_and_left_alone(workspace: Workspace,
                                                            kube: Any) -> None:
    demo(workspace, automated="automated: {prune: true}")
    with watching(workspace, "demo") as w:
        synced(w)
        mark = len(w.events)
        scale(kube, 5)
        drift = w.wait_event(Kind.DRIFT, after=mark)
        assert "kubectl-scale set spec.replicas 3 → 5" in drift.line()
        skipped = w.wait_event(Kind.SKIPPED, after=mark)
        assert "selfHeal is off" in skipped.message
        time.sleep(0.5)  # bounded: a few refresh intervals must pass without a heal
        assert replicas(kube) == 5
        assert not w.of(Kind.HEAL_STARTED) and len(w.of(Kind.SYNC_STARTED)) == 1


def test_ignored_differences_are_never_reverted(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    workspace.write_app("demo", APP.format(name="demo", ns=NS, automated=SELF_HEAL) + """\
  ignoreDifferences:
    - group: apps
      kind: Deployment
      name: web
      jsonPointers: [/spec/replicas]
""")
    with watching(workspace, "demo") as w:
        synced(w)
        scale(kube, 5)  # an HPA's or a person's business, as the app says
        refreshes = len(w.of(Kind.REFRESH))
        w.wait(lambda: len(w.of(Kind.REFRESH)) >= refreshes + 3, what="3 more refreshes")
        assert replicas(kube) == 5
        assert not w.of(Kind.HEAL_STARTED) and not w.of(Kind.DRIFT)[1:]
        assert w.of(Kind.REFRESH)[-1].status == "Synced"


def test_self_heal_backoff_delays_repeated_heals(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo", backoff=SelfHealBackoff(1.0, 3.0, 300.0)) as w:
        synced(w)
        scale(kube, 5)
        w.wait(lambda: replicas(kube) == 3, timeout=2.0, what="first heal")
        first = time.monotonic()
        mark = len(w.events)
        scale(kube, 6)
        waiting = w.wait_event(Kind.HEAL_WAITING, after=mark)
        assert "attempt 2" in waiting.message
        w.wait(lambda: replicas(kube) == 3, timeout=4.0, what="second heal")
        assert time.monotonic() - first >= 0.9  # the 1 s back-off was honoured


# --- automated sync ----------------------------------------------------------------------------


def test_new_commit_is_synced_automatically(workspace: Workspace, kube: Any) -> None:
    first = demo(workspace)
    with watching(workspace, "demo") as w:
        assert synced(w).revision == first
        mark = len(w.events)
        second = workspace.commit("debug logs",
                                  **{"demo/settings.yaml": CONFIG.format(level="debug")})
        assert synced(w, after=mark).revision == second
        data = client.CoreV1Api(kube).read_namespaced_config_map("settings", NS).data or {}
        assert data.get("LOG_LEVEL") == "debug"
    out = workspace.cli("app", "history", "demo", "--apps", str(workspace.apps), "-o", "json")
    entries = json.loads(out.output)
    assert [e["revision"] for e in entries] == [first, second]
    assert all(e["initiatedBy"]["automated"] for e in entries)


def test_failed_revision_is_not_retried_and_a_newer_commit_supersedes_it(
        workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo") as w:
        synced(w)
        mark = len(w.events)
        bad = workspace.commit("broken", **{"demo/web.yaml": FAILING})
        done = w.wait_event(Kind.SYNC_FINISHED, after=mark)
        assert (done.revision, done.phase) == (bad, "Failed")
        refreshes = len(w.of(Kind.REFRESH))
        w.wait(lambda: len(w.of(Kind.REFRESH)) >= refreshes + 3, what="3 more refreshes")
        assert len(w.of(Kind.SYNC_STARTED)) == 2  # the first sync and the failing one only
        # drift at the failed revision is not healed either: that would be a retry
        mark = len(w.events)
        scale(kube, 5)
        refused = w.wait_event(Kind.REFUSED, after=mark)
        assert "failed" in refused.message and bad[:7] in refused.message
        assert not w.of(Kind.HEAL_STARTED) and replicas(kube) == 5
        mark = len(w.events)
        fixed = workspace.commit("fixed", **{"demo/web.yaml": DEPLOY})
        assert synced(w, after=mark).revision == fixed
        assert replicas(kube) == 3


def test_retry_failed_syncs_the_failed_revision_again(workspace: Workspace,
                                                      kube: Any) -> None:
    workspace.commit("broken", **{"demo/web.yaml": FAILING,
                                  "demo/settings.yaml": CONFIG.format(level="info")})
    workspace.write_app("demo", APP.format(name="demo", ns=NS, automated=SELF_HEAL))
    with watching(workspace, "demo", retry_failed=True) as w:
        w.wait_event(Kind.SYNC_FINISHED, lambda e: e.phase == "Failed")
        # OutOfSync at the failed revision: refused when a watch event wakes the loop, synced
        # again at the next periodic refresh with --retry-failed
        scale(kube, 5)
        again = w.wait(lambda: [e for e in w.of(Kind.SYNC_STARTED) if "--retry-failed"
                                in e.message], what="a second attempt")
        assert again[0].revision == w.of(Kind.SYNC_STARTED)[0].revision


def test_prune_and_allow_empty(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    core = client.CoreV1Api(kube)
    with watching(workspace, "demo") as w:
        synced(w)
        mark = len(w.events)
        workspace.commit("no settings", **{"demo/settings.yaml": ""})
        synced(w, after=mark)
        w.wait(lambda: not core.list_namespaced_config_map(
            NS, label_selector="gitsync.io/app=demo").items, what="settings pruned")
        mark = len(w.events)
        workspace.commit("nothing left", **{"demo/web.yaml": "", "demo/README.md": "empty\n"})
        refused = w.wait_event(Kind.REFUSED, after=mark)
        assert "wipe out all resources" in refused.message
        time.sleep(0.5)  # bounded: refreshes go by, the Deployment stays
        assert replicas(kube) == 3
        assert not [e for e in w.events[mark:] if e.kind == Kind.SYNC_STARTED]


def test_prune_off_leaves_extra_objects(workspace: Workspace, kube: Any) -> None:
    demo(workspace, automated="automated: {selfHeal: true}")
    with watching(workspace, "demo") as w:
        synced(w)
        mark = len(w.events)
        workspace.commit("no settings", **{"demo/settings.yaml": ""})
        skipped = w.wait_event(Kind.SKIPPED, after=mark)
        assert "require pruning and automated.prune is off" in skipped.message
        assert client.CoreV1Api(kube).read_namespaced_config_map("settings", NS)


# --- robustness --------------------------------------------------------------------------------


def test_a_dropped_watch_still_heals(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    assert workspace.cli("app", "sync", "demo", "--apps", str(workspace.apps)).exit_code == 0
    rule = workspace.sandbox.faults.add(verb="watch", action="drop", times=1)
    with watching(workspace, "demo") as w:
        w.wait(lambda: rule.fired == 1, what="the injected drop")
        w.wait_event(Kind.REFRESH)
        time.sleep(0.3)  # bounded: let the watch reconnect
        scale(kube, 5)
        w.wait(lambda: replicas(kube) == 3, timeout=3.0, what="healed after the drop")


def test_expired_watch_relists_and_heals(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo") as w:
        synced(w)
        workspace.sandbox.compact()
        scale(kube, 4)
        w.wait(lambda: replicas(kube) == 3, timeout=3.0, what="healed after compaction")


def test_git_errors_keep_the_last_good_state(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo") as w:
        synced(w)
        hidden = workspace.repo.with_name("moved")
        workspace.repo.rename(hidden)
        try:
            error = w.wait_event(Kind.ERROR)
            assert "last good revision" in error.message
            scale(kube, 5)  # drift is still healed from the last good revision
            w.wait(lambda: replicas(kube) == 3, timeout=3.0, what="healed without Git")
        finally:
            hidden.rename(workspace.repo)


# --- several watchers, several apps ------------------------------------------------------------


def test_two_watchers_on_one_app_only_one_acts(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    with watching(workspace, "demo", lease_duration=2) as first:
        synced(first)
        with watching(workspace, "demo", lease_duration=2) as second:
            second.wait_event(Kind.STANDBY)
            scale(kube, 5)
            first.wait(lambda: replicas(kube) == 3, timeout=2.0, what="healed by the leader")
            first.wait_event(Kind.HEAL_FINISHED)  # (a stop now would interrupt it)
            assert not second.of(Kind.LEADING)
            first.stop.set()  # a clean stop releases the Lease: the standby takes over
            second.wait_event(Kind.LEADING, timeout=5.0)
            scale(kube, 6)
            second.wait(lambda: replicas(kube) == 3, timeout=3.0, what="healed by the new one")
            assert second.of(Kind.HEAL_STARTED)


def test_several_apps_are_watched_at_once(workspace: Workspace, kube: Any) -> None:
    demo(workspace, name="demo")
    workspace.write_app("other", APP.format(name="other", ns="watch-other",
                                            automated=SELF_HEAL))
    apps_v1 = client.AppsV1Api(kube)
    with watching(workspace, "demo", "other") as w:
        w.wait(lambda: {e.app for e in w.of(Kind.SYNC_FINISHED)
                        if e.phase == "Succeeded"} == {"demo", "other"}, what="both synced")
        for name, ns in (("demo", NS), ("other", "watch-other")):
            apps_v1.patch_namespaced_deployment_scale(
                "web", ns, {"spec": {"replicas": 4}}, field_manager="kubectl-scale")

            def back(ns: str = ns) -> bool:
                return bool(apps_v1.read_namespaced_deployment("web", ns).spec.replicas == 3)
            w.wait(back, timeout=2.0, what=f"{name} healed")
        w.wait(lambda: {e.app for e in w.of(Kind.HEAL_FINISHED)} == {"demo", "other"},
               what="both heals reported")
        assert len(w.of(Kind.SYNC_STARTED)) == 2  # one each: heals are no syncs


# --- the command -------------------------------------------------------------------------------


def test_once_syncs_and_exits(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    args = ("app", "watch", "demo", "--apps", str(workspace.apps), "--once", "-o", "json")
    result = workspace.cli(*args)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert "sync-started" in kinds and kinds[-1] == "stopped"
    assert all({"time", "app", "event", "message"} <= e.keys() for e in events)
    assert replicas(kube) == 3
    scale(kube, 5)
    result = workspace.cli(*args)
    assert result.exit_code == 0, result.output
    assert "self-heal-finished" in result.stdout and replicas(kube) == 3


def test_once_exits_20_on_a_failed_sync(workspace: Workspace) -> None:
    workspace.commit("broken", **{"demo/web.yaml": FAILING,
                                  "demo/settings.yaml": CONFIG.format(level="info")})
    workspace.write_app("demo", APP.format(name="demo", ns=NS, automated=SELF_HEAL))
    args = ("app", "watch", "demo", "--apps", str(workspace.apps), "--once")
    first = workspace.cli(*args)
    assert first.exit_code == 20, first.output
    assert "sync-finished" in first.stdout
    again = workspace.cli(*args)  # Synced but Degraded: not synced again, still a failure
    assert again.exit_code == 20, again.output
    assert "sync-started" not in again.stdout


def test_usage_errors(workspace: Workspace) -> None:
    demo(workspace)
    apps = str(workspace.apps)
    assert workspace.cli("app", "watch", "--apps", apps).exit_code == 2
    assert workspace.cli("app", "watch", "demo", "--all", "--apps", apps).exit_code == 2
    bad = workspace.cli("app", "watch", "demo", "--apps", apps, "--self-heal-backoff", "x")
    assert bad.exit_code == 2 and "self-heal-backoff" in bad.output


def _spawn(ws: Workspace, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    return subprocess.Popen([sys.executable, "-m", "gitsync", "--kubeconfig",
                             str(ws.sandbox.kubeconfig), "app", "watch", *args, "--apps",
                             str(ws.apps), "-o", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _lines_until(proc: subprocess.Popen[str], event: str, timeout: float = 20.0
                 ) -> list[dict[str, Any]]:
    """Read the watcher's JSON lines until ``event`` (a reader thread keeps it bounded)."""
    seen: list[dict[str, Any]] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(json.loads(line))
            if seen[-1]["event"] == event:
                done.set()
                return
    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout):
        proc.kill()
        raise AssertionError(f"no {event} event; got {seen}; stderr {proc.stderr}")
    return seen


def test_sigterm_stops_cleanly_and_releases_the_lock(workspace: Workspace) -> None:
    demo(workspace)
    proc = _spawn(workspace, "demo", "--interval", "0.3", "--no-jitter")
    try:
        _lines_until(proc, "sync-finished")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        proc.kill()
    from gitsync.model.resource import ResourceKey
    with connect(kubeconfig=workspace.sandbox.kubeconfig) as cluster:
        lease = cluster.get(ResourceKey("coordination.k8s.io", "Lease", "gitsync-system",
                                        "gitsync-demo"))
    assert lease is not None and not lease["spec"].get("holderIdentity")


def test_standby_takes_over_when_the_leader_dies(workspace: Workspace, kube: Any) -> None:
    demo(workspace)
    proc = _spawn(workspace, "demo", "--interval", "0.3", "--no-jitter",
                  "--lease-duration", "2")
    try:
        _lines_until(proc, "sync-finished")
        with watching(workspace, "demo", lease_duration=2) as standby:
            standby.wait_event(Kind.STANDBY)
            proc.send_signal(signal.SIGKILL)  # dies holding the Lease: it has to expire
            proc.wait(10)
            standby.wait_event(Kind.LEADING, timeout=8.0)
            scale(kube, 5)
            standby.wait(lambda: replicas(kube) == 3, timeout=2.0, what="healed")
    finally:
        proc.kill()
