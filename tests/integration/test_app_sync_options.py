"""``gitsync app sync`` end to end: sync options, retries under faults, timeouts and the lock."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import yaml
from kubernetes import client

from gitsync.errors import EXIT_OPERATION_FAILED, EXIT_USAGE
from tests.integration.conftest import ENV, Workspace
from tests.integration.syncing import (
    ARGO,
    HISTORY_NS,
    SANDBOX,
    api,
    apps_api,
    batch,
    change_app,
    configmap,
    configmaps,
    core,
    created,
    deployment,
    events,
    history,
    job,
    make_app,
    ok,
    read,
    records,
    results,
    steps,
    sync,
    sync_json,
)

WIDGETS = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                              "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                        "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    return workspace


def _options(*options: str) -> dict[str, Any]:
    return {"syncPolicy": {"syncOptions": list(options)}}


def _widget(name: str, options: str = "") -> dict[str, Any]:
    md: dict[str, Any] = {"name": name}
    if options:
        md["annotations"] = {f"{ARGO}/sync-options": options}
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": md,
            "spec": {"size": 1}}


def _widgets(ws: Workspace, ns: str) -> list[str]:
    found = client.CustomObjectsApi(api(ws)).list_namespaced_custom_object(
        "example.com", "v1", ns, "widgets")
    return [w["metadata"]["name"] for w in found["items"]]


# --- sync options ----------------------------------------------------------------------------


def test_create_namespace_with_managed_namespace_metadata(ws: Workspace) -> None:
    spec = {"syncPolicy": {"syncOptions": ["CreateNamespace=true"],
                           "managedNamespaceMetadata": {"labels": {"team": "shop"},
                                                        "annotations": {"owner": "ops"}}}}
    make_app(ws, "cns", configmap("c"), namespace="cns-made", create_namespace=False, spec=spec)
    # --timeout: waiting for the (untracked) namespace once hung for ever
    result = ok(sync(ws, "cns", "--timeout", "20"))
    assert steps(result.stderr) == [("PreSync ▸ wave 0", {"Namespace/cns-made"}),
                                    ("Sync ▸ wave 0", {"ConfigMap/cns-made/c"})]
    ns = core(ws).read_namespace("cns-made")
    assert ns.metadata.labels["team"] == "shop" and ns.metadata.annotations == {"owner": "ops"}
    assert "gitsync.io/app" not in ns.metadata.labels  # not the app's: never pruned
    assert set(configmaps(ws, "cns-made")) == {"c"}
    # metadata in place: nothing to do for the namespace; changed: it is updated
    again = ok(sync(ws, "cns", "--timeout", "20"))
    assert "Namespace/cns-made" not in again.stderr
    spec["syncPolicy"]["managedNamespaceMetadata"]["labels"]["team"] = "payments"
    doc = yaml.safe_load((ws.apps / "cns.yaml").read_text())
    doc["spec"].update(spec)
    (ws.apps / "cns.yaml").write_text(yaml.safe_dump(doc))
    third = ok(sync(ws, "cns", "--timeout", "20"))
    assert ("Namespace/cns-made", "Synced", "configured") in events(third.stderr)
    assert core(ws).read_namespace("cns-made").metadata.labels["team"] == "payments"


def test_apply_out_of_sync_only_leaves_unchanged_objects_alone(ws: Workspace) -> None:
    objs = [configmap("same"), deployment("web"), job("pre", hook="PreSync")]
    make_app(ws, "oos", *objs, configmap("edit"), spec=_options("ApplyOutOfSyncOnly=true"))
    ok(sync(ws, "oos"))
    before = {n: c.metadata.resource_version for n, c in configmaps(ws, "oos").items()}
    web = apps_api(ws).read_namespaced_deployment("web", "oos").metadata.resource_version
    change_app(ws, "oos", *objs, configmap("edit", data={"v": "2"}))
    result, state = sync_json(ws, "oos")
    assert result.exit_code == 0, result.stderr
    after = {n: c.metadata.resource_version for n, c in configmaps(ws, "oos").items()}
    assert after["same"] == before["same"] and after["edit"] != before["edit"]
    assert apps_api(ws).read_namespaced_deployment("web", "oos").metadata.resource_version \
        == web
    got = {k: r["message"] for k, r in results(state).items()}
    assert got == {"ConfigMap/same": "unchanged", "Deployment/web": "unchanged",
                   "ConfigMap/edit": "configured", "Job/pre": "created"}  # hooks still run
    assert records(ws, "oos").ids == [1, 2]


def test_replace_puts_the_whole_object(ws: Workspace) -> None:
    make_app(ws, "rep", configmap("replaced", annotations={f"{ARGO}/sync-options": "Replace=true"}),
             configmap("applied"))
    ok(sync(ws, "rep"))
    for name in ("replaced", "applied"):
        core(ws).patch_namespaced_config_map(name, "rep", {"metadata": {"labels": {"by": "ops"}}})
    ok(sync(ws, "rep"))
    replaced = core(ws).read_namespaced_config_map("replaced", "rep")
    applied = core(ws).read_namespaced_config_map("applied", "rep")
    # a server-side apply keeps what other managers own; a replace does not
    assert "by" not in replaced.metadata.labels and applied.metadata.labels["by"] == "ops"


def test_fail_on_shared_resource(ws: Workspace) -> None:
    make_app(ws, "one", configmap("shared"))
    make_app(ws, "two", configmap("shared"), namespace="one",
             spec=_options("FailOnSharedResource=true"))
    ok(sync(ws, "one"))
    result = sync(ws, "two")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert "shared" in result.stdout.lower()


def test_validate_false_leaves_the_verdict_to_the_server(ws: Workspace) -> None:
    web = deployment("web", replicas=2)
    web["spec"]["replicas"] = 2.0  # the client schema wants an integer; the server takes it
    make_app(ws, "val", web)
    refused = sync(ws, "val")
    assert refused.exit_code == EXIT_USAGE
    assert "spec.replicas: must be an integer, not a number" in refused.stderr
    assert "Validate=false" in refused.stderr
    assert read(apps_api(ws).read_namespaced_deployment, "web", "val") is None
    web["metadata"]["annotations"] = {f"{ARGO}/sync-options": "Validate=false"}
    change_app(ws, "val", web)
    ok(sync(ws, "val"))
    assert apps_api(ws).read_namespaced_deployment("web", "val").spec.replicas == 2
    # what the server refuses fails the sync with the server's words
    web["spec"]["replicas"] = "three"
    change_app(ws, "val", web)
    result, state = sync_json(ws, "val")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert results(state)["Deployment/web"]["status"] == "SyncFailed"
    assert "cannot unmarshal string" in results(state)["Deployment/web"]["message"]


def test_skip_dry_run_on_missing_resource(ws: Workspace) -> None:
    make_app(ws, "skip", configmap("c"), _widget("w1"))
    refused = sync(ws, "skip")
    assert refused.exit_code == EXIT_USAGE
    assert "the cluster does not know kind Widget (example.com/v1)" in refused.stderr
    assert "SkipDryRunOnMissingResource=true" in refused.stderr
    change_app(ws, "skip", configmap("c"), _widget("w1", "SkipDryRunOnMissingResource=true"))
    result, state = sync_json(ws, "skip", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert results(state)["Widget/w1"]["message"] == "dry run skipped: kind not yet served"
    assert configmaps(ws, "skip") == {}
    # someone installs the CRD (discovery is cached on disk): the next sync creates the CR
    client.ApiextensionsV1Api(api(ws)).create_custom_resource_definition(WIDGETS)
    result = ok(sync(ws, "skip"))
    assert "Widget/skip/w1" in created(result.stderr)
    assert _widgets(ws, "skip") == ["w1"]


def test_a_crd_and_its_resources_in_one_app(ws: Workspace) -> None:
    make_app(ws, "crd", configmap("c"), WIDGETS, _widget("w1"))
    result = ok(sync(ws, "crd", "--dry-run"))
    assert "    create  Widget/crd/w1" in result.stdout.splitlines()
    result = ok(sync(ws, "crd"))
    assert {"CustomResourceDefinition/widgets.example.com", "Widget/crd/w1"} \
        <= set(created(result.stderr))
    assert _widgets(ws, "crd") == ["w1"]


def test_a_namespace_exists_before_the_objects_of_its_wave(ws: Workspace) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "crowd"}}
    make_app(ws, "crowd", ns, *[configmap(f"c{i:02}") for i in range(24)],
             create_namespace=False)
    result = ok(sync(ws, "crowd"))
    assert created(result.stderr)[0] == "Namespace/crowd"
    assert len(configmaps(ws, "crowd")) == 24


# --- retries ---------------------------------------------------------------------------------


def test_a_failed_attempt_is_retried_and_recorded_once(ws: Workspace) -> None:
    make_app(ws, "retry", configmap("c"), deployment("web"))
    ws.sandbox.faults.add(verb="patch", resource="deployments", status=409, times=1)
    result, state = sync_json(ws, "retry", "--retry-limit", "3",
                              "--retry-backoff-duration", "0s")
    assert result.exit_code == 0, result.stderr
    assert "retrying in 0s (attempt 2): one or more objects failed to apply" in result.stderr
    assert (state["phase"], state["retryCount"]) == ("Succeeded", 1)
    assert results(state)["Deployment/web"]["message"] == "created"
    assert apps_api(ws).read_namespaced_deployment("web", "retry").status.ready_replicas == 1
    rec = records(ws, "retry")
    assert rec is not None and rec.ids == [1]
    assert rec.operation is not None and rec.operation["retryCount"] == 1
    assert sorted(o["kind"] for o in rec.manifests[1]) == ["ConfigMap", "Deployment"]


def test_retries_give_up_after_the_limit(ws: Workspace) -> None:
    make_app(ws, "giveup", configmap("c"))
    ws.sandbox.faults.add(verb="patch", resource="configmaps", status=409)
    result, state = sync_json(ws, "giveup", "--retry-limit", "2",
                              "--retry-backoff-duration", "0s")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert state["message"] == "one or more objects failed to apply (retried 2 times)"
    assert state["retryCount"] == 2
    rec = records(ws, "giveup")
    assert rec is not None and rec.ids == []
    assert rec.operation is not None and rec.operation["message"] == state["message"]
    ws.sandbox.faults.clear()
    ok(sync(ws, "giveup"))
    assert records(ws, "giveup").ids == [1]


def test_transient_errors_are_retried_by_the_client(ws: Workspace) -> None:
    make_app(ws, "flaky", configmap("c"), deployment("web"), job("pre", hook="PreSync"))
    faults = ws.sandbox.faults
    faults.add(verb="patch", resource="deployments", status=500, times=2)
    faults.add(verb="patch", resource="configmaps", status=503, times=2)
    faults.add(verb="patch", resource="jobs", status=429, times=2, retry_after=0)
    result, state = sync_json(ws, "flaky", "--retry-limit", "3",
                              "--retry-backoff-duration", "0s")
    assert result.exit_code == 0, result.stderr
    assert faults.injected == 6
    assert state["retryCount"] == 0 and "retrying" not in result.stderr
    assert {r["status"] for r in state["resources"]} == {"Synced"}
    assert records(ws, "flaky").ids == [1]


# --- timeout and the lock --------------------------------------------------------------------


def _lease_holder(ws: Workspace, app: str) -> str | None:
    lease = client.CoordinationV1Api(api(ws)).read_namespaced_lease(f"gitsync-{app}", HISTORY_NS)
    return lease.spec.holder_identity


def test_timeout_fails_the_sync_and_releases_the_lock(ws: Workspace) -> None:
    ws.sandbox.set_time_scale(1.0)  # the Deployment needs 3 s
    make_app(ws, "slow", deployment("web", annotations={f"{SANDBOX}/duration": "3"}),
             configmap("after", wave=1), job("alert", hook="SyncFail"))
    result, state = sync_json(ws, "slow", "--timeout", "1")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert state["phase"] == "Failed"
    assert state["message"] == "timed out waiting for Deployment/slow/web"
    assert "after" not in configmaps(ws, "slow")
    assert read(batch(ws).read_namespaced_job, "alert", "slow") is None  # no SyncFail
    assert _lease_holder(ws, "slow") is None
    ws.sandbox.set_time_scale(0)
    ok(sync(ws, "slow"))
    assert "after" in configmaps(ws, "slow")


def _start_sync(ws: Workspace, app: str) -> subprocess.Popen[str]:
    """``gitsync app sync`` in another process; returns once it holds the lock."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitsync", "--kubeconfig", str(ws.sandbox.kubeconfig), "app",
         "sync", app, "--apps", str(ws.apps)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    assert proc.stderr is not None
    for line in proc.stderr:  # it prints the first step only after taking the lock
        if " ▸ wave " in line:
            return proc
    proc.wait()
    raise AssertionError(f"the first sync ended early: {proc.returncode}")


def test_a_second_sync_of_the_app_fails_fast_or_waits_for_the_lock(ws: Workspace) -> None:
    ws.sandbox.set_time_scale(1.0)  # the first sync holds the lock for about 2.5 s
    make_app(ws, "busy", deployment("web", annotations={f"{SANDBOX}/duration": "2.5"}))
    first = _start_sync(ws, "busy")
    try:
        refused = sync(ws, "busy")
        assert refused.exit_code == EXIT_OPERATION_FAILED
        error = refused.stderr.splitlines()[0]
        assert error.startswith(f"error: app busy is locked by {_lease_holder(ws, 'busy')} ")
        assert error.split(" by ")[1].split()[0].endswith(f"/{first.pid}")
        assert "--wait-lock" in refused.stderr and "Traceback" not in refused.stderr
        waited = ok(sync(ws, "busy", "--wait-lock", "-m", "after the first"))
        assert "Phase:              Succeeded" in waited.stdout
        assert first.wait(30) == 0
    finally:
        first.kill()
        first.communicate()
    entries = records(ws, "busy").entries
    assert [e["reason"] for e in entries] == ["", "after the first"]
    assert entries[0]["deployedAt"] <= entries[1]["deployStartedAt"]
    assert ok(history(ws, "busy", "-o", "id")).stdout.split() == ["1", "2"]
