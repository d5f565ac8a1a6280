"""``gitsync app sync`` end to end: waves, hooks, failures, prunes, selective and dry runs.

Real Git repositories, the sandbox, the CLI through its entry point; results are read from
stdout/stderr, the history ConfigMap, the objects themselves and the order of watch events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from gitsync.errors import EXIT_OPERATION_FAILED, EXIT_USAGE
from tests.integration.conftest import Workspace
from tests.integration.syncing import (
    ARGO,
    SANDBOX,
    Timeline,
    apps_api,
    available,
    batch,
    change_app,
    configmap,
    configmaps,
    core,
    created,
    deployment,
    events,
    first,
    history,
    job,
    job_done,
    make_app,
    ok,
    read,
    records,
    results,
    steps,
    sync,
    sync_json,
    table,
)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    return workspace


def _unix(stamp: str) -> int:
    return int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


# --- waves -----------------------------------------------------------------------------------


def test_phases_and_waves_of_the_shop_run_in_order(ws: Workspace) -> None:
    ns = "shop-staging"
    timeline = Timeline(ws, ns, "Namespace", "Job", "Service", "StatefulSet", "ConfigMap",
                        "Deployment")
    result = ok(sync(ws, ns))
    expected = [
        ("PreSync ▸ wave 0", {f"Namespace/{ns}", f"Job/{ns}/shop-backup"}),
        ("Sync ▸ wave -5", {f"Service/{ns}/postgres", f"StatefulSet/{ns}/postgres"}),
        ("Sync ▸ wave 0", {f"ConfigMap/{ns}/payment-settings", f"ConfigMap/{ns}/shop-config",
                           f"Job/{ns}/shop-migrate"}),
        ("Sync ▸ wave 1", {f"Service/{ns}/api", f"Deployment/{ns}/api"}),
        ("Sync ▸ wave 2", {f"Service/{ns}/frontend", f"Deployment/{ns}/frontend"}),
        ("PostSync ▸ wave 0", {f"Job/{ns}/shop-notify"}),
    ]
    assert steps(result.stderr) == expected
    # the cluster saw the same order: every object of a step was created after all of the
    # step before, and the PreSync hook had completed before the first Sync wave started
    evs = timeline.events()
    added = {(f"{e.kind}/{ns}/{e.name}" if e.kind != "Namespace" else f"Namespace/{e.name}"):
             e.rv for e in evs if e.type == "ADDED"}
    for (_, before), (_, after) in pairwise(expected):
        assert max(added[k] for k in before) < min(added[k] for k in after)
    # within a step kind by kind: the namespace exists before the hook Job that lives in it
    assert added[f"Namespace/{ns}"] < added[f"Job/{ns}/shop-backup"]
    backup_done = first(evs, "MODIFIED", "Job", "shop-backup", job_done)
    assert backup_done.rv < added[f"Service/{ns}/postgres"]
    # the summary lists every task in execution order, hooks with their phase
    lines = result.stdout.splitlines()
    assert lines[2] == "Phase:              Succeeded"
    assert lines[6] == "Message:            successfully synced (all tasks run)"
    rows = table(result.stdout)
    assert [(r["KIND"], r["NAME"], r["HOOK"]) for r in rows] == [
        ("Namespace", ns, ""), ("Job", "shop-backup", "PreSync"), ("Service", "postgres", ""),
        ("StatefulSet", "postgres", ""), ("ConfigMap", "payment-settings", ""),
        ("ConfigMap", "shop-config", ""), ("Job", "shop-migrate", "Sync"),
        ("Service", "api", ""), ("Deployment", "api", ""), ("Service", "frontend", ""),
        ("Deployment", "frontend", ""), ("Job", "shop-notify", "PostSync")]
    assert {(r["STATUS"], r["MESSAGE"]) for r in rows} == {("Synced", "created"),
                                                          ("Succeeded", "created")}
    assert {r["HEALTH"] for r in rows if r["KIND"] in ("Deployment", "StatefulSet")} == {
        "Healthy"}
    # HookSucceeded hooks are gone, the BeforeHookCreation one stays, SyncFail never ran
    jobs = {j.metadata.name for j in batch(ws).list_namespaced_job(ns).items}
    assert jobs == {"shop-migrate"}
    assert not [e for e in evs if e.name == "shop-alert"]


def test_a_wave_starts_only_once_the_previous_one_is_healthy(ws: Workspace) -> None:
    ws.sandbox.set_time_scale(0.2)  # the Deployment takes 3 s x 0.2 to become available
    make_app(ws, "gate", configmap("before", wave=0),
             deployment("slow", wave=1, annotations={f"{SANDBOX}/duration": "3"}),
             configmap("after", wave=2))
    timeline = Timeline(ws, "gate", "Deployment", "ConfigMap")
    result = ok(sync(ws, "gate"))
    evs = timeline.events()
    before = first(evs, "ADDED", "ConfigMap", "before")
    added = first(evs, "ADDED", "Deployment", "slow")
    ready = first(evs, "MODIFIED", "Deployment", "slow", available)
    after = first(evs, "ADDED", "ConfigMap", "after")
    assert before.rv < added.rv < ready.rv < after.rv
    # it really took a while: the rollout went through updates that were not available yet
    assert [e for e in evs if added.rv < e.rv < ready.rv and e.kind == "Deployment"]
    lines = result.stderr.splitlines()
    progressing = next(i for i, ln in enumerate(lines)
                       if ln.startswith("Deployment/gate/slow  Progressing"))
    assert progressing < lines.index("Deployment/gate/slow  Healthy") \
        < lines.index("Sync ▸ wave 2")


# --- hooks -----------------------------------------------------------------------------------


def test_hooks_run_in_their_phases_and_sync_fail_only_on_failure(ws: Workspace) -> None:
    make_app(ws, "hooks", job("pre", hook="PreSync"), configmap("app"),
             job("mid", hook="Sync", wave=1), job("post", hook="PostSync"),
             job("on-fail", hook="SyncFail"))
    timeline = Timeline(ws, "hooks", "Job", "ConfigMap")
    result, state = sync_json(ws, "hooks")
    assert result.exit_code == 0, result.stderr
    got = {k: (r["status"], r["hookType"], r["hookPhase"], r["syncPhase"])
           for k, r in results(state).items()}
    assert got == {"Job/pre": ("Synced", "PreSync", "Succeeded", "PreSync"),
                   "ConfigMap/app": ("Synced", None, None, "Sync"),
                   "Job/mid": ("Synced", "Sync", "Succeeded", "Sync"),
                   "Job/post": ("Synced", "PostSync", "Succeeded", "PostSync")}
    evs = timeline.events()
    order = [first(evs, "MODIFIED", "Job", "pre", job_done).rv,
             first(evs, "ADDED", "ConfigMap", "app").rv,
             first(evs, "ADDED", "Job", "mid").rv,
             first(evs, "MODIFIED", "Job", "mid", job_done).rv,
             first(evs, "ADDED", "Job", "post").rv]
    assert order == sorted(order)
    assert not [e for e in evs if e.name == "on-fail"]
    assert read(batch(ws).read_namespaced_job, "on-fail", "hooks") is None


def test_delete_policies_after_success_and_before_creation(ws: Workspace) -> None:
    make_app(ws, "pol", configmap("app"), job("done", hook="PostSync", policy="HookSucceeded"),
             job("kept", hook="PostSync", policy="HookFailed"), job("again", hook="PreSync"))
    ok(sync(ws, "pol"))
    jobs = batch(ws)
    assert read(jobs.read_namespaced_job, "done", "pol") is None
    kept = jobs.read_namespaced_job("kept", "pol")
    assert not kept.metadata.finalizers  # the hook finalizer is released once it completed
    uid = jobs.read_namespaced_job("again", "pol").metadata.uid
    timeline = Timeline(ws, "pol", "Job")
    result = ok(sync(ws, "pol"))
    # BeforeHookCreation (the default): the old hook is deleted, then created anew
    evs = timeline.events()
    assert first(evs, "DELETED", "Job", "again").rv < first(evs, "ADDED", "Job", "again").rv
    assert jobs.read_namespaced_job("again", "pol").metadata.uid != uid
    assert ("Job/pol/done", "Deleted", "hook deleted") in events(result.stderr)
    assert jobs.read_namespaced_job("kept", "pol").metadata.uid == kept.metadata.uid


def test_generate_name_hooks_get_a_name_from_revision_phase_and_start(ws: Workspace) -> None:
    make_app(ws, "gen", configmap("app"), job("migrate-", hook="PreSync", generate=True))
    names = []
    for version in ("1", "2"):
        if version == "2":
            change_app(ws, "gen", configmap("app", data={"v": version}),
                       job("migrate-", hook="PreSync", generate=True))
        result, state = sync_json(ws, "gen")
        assert result.exit_code == 0, result.stderr
        (hook,) = [r for r in state["resources"] if r["kind"] == "Job"]
        expected = f"migrate-{state['revision'][:7]}-presync-{_unix(state['startedAt'])}"
        assert hook["name"] == expected
        assert f"Job/gen/{expected}" in created(result.stderr)
        names.append(expected)
    live = {j.metadata.name for j in batch(ws).list_namespaced_job("gen").items}
    assert live == set(names) and len(live) == 2


# --- failures --------------------------------------------------------------------------------


def test_a_degraded_deployment_fails_the_sync_and_runs_sync_fail(ws: Workspace) -> None:
    make_app(ws, "bad", configmap("first"),
             deployment("api", wave=1, annotations={f"{SANDBOX}/outcome": "fail",
                                                    f"{SANDBOX}/duration": "1"}),
             configmap("later", wave=2), job("post", hook="PostSync"),
             job("alert", hook="SyncFail"),
             job("cleanup", hook="PreSync", policy="HookFailed"),
             job("evidence", hook="PreSync", policy="HookSucceeded"))
    result = sync(ws, "bad")
    assert result.exit_code == EXIT_OPERATION_FAILED, result.stdout + result.stderr
    message = "one or more synchronization tasks completed unsuccessfully: Deployment/bad/api"
    assert "Phase:              Failed" in result.stdout
    assert f"Message:            {message}" in result.stdout
    (row,) = [r for r in table(result.stdout) if r["KIND"] == "Deployment"]
    assert (row["STATUS"], row["HEALTH"]) == ("Synced", "Degraded")
    assert row["MESSAGE"] == 'Deployment "api" exceeded its progress deadline'
    # the later wave and PostSync never ran; SyncFail did; HookFailed went, HookSucceeded stayed
    assert set(configmaps(ws, "bad")) == {"first"}
    jobs = {j.metadata.name: j for j in batch(ws).list_namespaced_job("bad").items}
    assert set(jobs) == {"alert", "evidence"}
    assert any(c.type == "Complete" for c in jobs["alert"].status.conditions)
    assert steps(result.stderr)[-1] == ("SyncFail hooks", {"Job/bad/alert"})
    rec = records(ws, "bad")
    assert rec is not None and rec.entries == []
    assert rec.operation is not None
    assert (rec.operation["phase"], rec.operation["message"]) == ("Failed", message)
    assert ok(history(ws, "bad", "-o", "json")).stdout.strip() == "[]"


def test_a_failing_pre_sync_hook_stops_everything(ws: Workspace) -> None:
    make_app(ws, "gate", job("check", hook="PreSync", fail=True),
             job("probe", hook="PreSync", fail=True, policy="HookFailed"), configmap("app"),
             job("post", hook="PostSync"), job("alert", hook="SyncFail"))
    result, state = sync_json(ws, "gate")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert state["phase"] == "Failed"
    assert state["message"] == ("one or more synchronization tasks completed unsuccessfully: "
                                "Job/gate/check, Job/gate/probe")
    assert results(state)["Job/check"]["hookPhase"] == "Failed"
    assert results(state)["Job/probe"]["hookPhase"] == "Failed"
    assert configmaps(ws, "gate") == {}
    # the failed hook with HookFailed is deleted; the one with the default policy is kept
    assert ("Job/gate/probe", "Deleted", "hook deleted") in events(result.stderr)
    jobs = {j.metadata.name: j for j in batch(ws).list_namespaced_job("gate").items}
    assert set(jobs) == {"check", "alert"}
    assert any(c.type == "Failed" for c in jobs["check"].status.conditions)
    assert [s for s, _ in steps(result.stderr)] == ["PreSync ▸ wave 0", "SyncFail hooks"]


# --- prune -----------------------------------------------------------------------------------


def test_prune_needs_the_flag_and_honours_prune_false_and_prune_last(ws: Workspace) -> None:
    keep = [configmap("keep"), configmap("keep2"), configmap("keep3"),
            deployment("web", wave=2)]
    make_app(ws, "pr", *keep, configmap("old"),
             configmap("safe", annotations={f"{ARGO}/sync-options": "Prune=false"}),
             configmap("late", annotations={f"{ARGO}/sync-options": "PruneLast=true"}))
    ok(sync(ws, "pr"))
    change_app(ws, "pr", *keep, configmap("fresh", wave=2))
    result, state = sync_json(ws, "pr")
    assert result.exit_code == 0
    skipped = {k: r["message"] for k, r in results(state).items() if r["status"] == "PruneSkipped"}
    assert skipped == {f"ConfigMap/{n}": "ignored (requires pruning)"
                       for n in ("old", "safe", "late")}
    assert {"old", "safe", "late"} <= set(configmaps(ws, "pr"))

    change_app(ws, "pr", *keep, configmap("fresh", wave=2), configmap("fresh2", wave=2))
    timeline = Timeline(ws, "pr", "ConfigMap")
    result, state = sync_json(ws, "pr", "--prune")
    assert result.exit_code == 0, result.stderr
    got = {k: (r["status"], r["message"], r["wave"]) for k, r in results(state).items()
           if k in ("ConfigMap/old", "ConfigMap/safe", "ConfigMap/late")}
    assert got == {"ConfigMap/old": ("Pruned", "pruned", 0),
                   "ConfigMap/safe": ("PruneSkipped", "ignored (no prune)", 0),
                   "ConfigMap/late": ("Pruned", "pruned", 3)}
    assert set(configmaps(ws, "pr")) == {"keep", "keep2", "keep3", "fresh", "fresh2", "safe"}
    # PruneLast: in an extra wave after the last one, so after wave 2 created "fresh"
    evs = timeline.events()
    assert first(evs, "DELETED", "ConfigMap", "old").rv \
        < first(evs, "ADDED", "ConfigMap", "fresh2").rv \
        < first(evs, "DELETED", "ConfigMap", "late").rv
    assert ("Sync ▸ wave 3", set()) == steps(result.stderr)[-1]
    assert result.stderr.rstrip().endswith("Sync ▸ wave 3\nConfigMap/pr/late  Pruned  pruned")


def test_orphan_propagation_leaves_the_replica_sets(ws: Workspace) -> None:
    make_app(ws, "orph", configmap("a"), configmap("b"), deployment("web"),
             spec={"syncPolicy": {"syncOptions": ["PrunePropagationPolicy=orphan"]}})
    ok(sync(ws, "orph"))
    (rs,) = apps_api(ws).list_namespaced_replica_set("orph").items
    assert rs.metadata.owner_references[0].name == "web"
    change_app(ws, "orph", configmap("a"), configmap("b"))
    result = ok(sync(ws, "orph", "--prune"))
    assert ("Deployment/orph/web", "Pruned", "pruned") in events(result.stderr)
    assert read(apps_api(ws).read_namespaced_deployment, "web", "orph") is None
    left = apps_api(ws).read_namespaced_replica_set(rs.metadata.name, "orph")
    assert left.metadata.uid == rs.metadata.uid and not left.metadata.owner_references


def test_mass_prune_is_refused_without_yes(ws: Workspace) -> None:
    make_app(ws, "mass", configmap("a"), configmap("b"), configmap("c"))
    ok(sync(ws, "mass"))
    op = records(ws, "mass").operation
    change_app(ws, "mass", configmap("a"))
    refused = sync(ws, "mass", "--prune")
    assert refused.exit_code == EXIT_USAGE
    assert refused.stderr.splitlines()[0] == ("error: refusing to prune 2 of 3 resources of mass "
                                              "without confirmation")
    assert "--yes" in refused.stderr and "Traceback" not in refused.stderr
    assert set(configmaps(ws, "mass")) == {"a", "b", "c"}
    assert records(ws, "mass").operation == op
    result = ok(sync(ws, "mass", "--prune", "--yes"))
    assert {(w, s) for w, s, _ in events(result.stderr) if s == "Pruned"} == {
        ("ConfigMap/mass/b", "Pruned"), ("ConfigMap/mass/c", "Pruned")}
    assert set(configmaps(ws, "mass")) == {"a"}


# --- selective sync and dry run --------------------------------------------------------------


def _bump_staging(ws: Workspace) -> None:
    path = ws.repo / "shop/overlays/staging/kustomization.yaml"
    text = path.read_text().replace("newTag: 1.4.0", "newTag: 1.4.1") \
        .replace("newTag: 2.1.0", "newTag: 2.1.1")
    ws.commit("staging: api 1.4.1, frontend 2.1.1",
              **{"shop/overlays/staging/kustomization.yaml": text})


def test_selective_sync_applies_only_the_resource_without_hooks_or_history(
        ws: Workspace) -> None:
    ns = "shop-staging"
    ok(sync(ws, ns))
    frontend_rv = apps_api(ws).read_namespaced_deployment("frontend", ns).metadata \
        .resource_version
    _bump_staging(ws)
    timeline = Timeline(ws, ns, "Job", "ConfigMap", "Deployment")
    result, state = sync_json(ws, ns, "--resource", "apps:Deployment:api")
    assert result.exit_code == 0, result.stderr
    assert [(r["kind"], r["name"], r["message"]) for r in state["resources"]] == [
        ("Deployment", "api", "configured")]
    deployments = apps_api(ws)
    api = deployments.read_namespaced_deployment("api", ns)
    assert api.spec.template.spec.containers[0].image == "shop/api:1.4.1"
    frontend = deployments.read_namespaced_deployment("frontend", ns)
    assert frontend.spec.template.spec.containers[0].image == "shop/frontend:2.1.0"
    assert frontend.metadata.resource_version == frontend_rv
    evs = timeline.events()
    assert {e.kind for e in evs} <= {"Deployment"}  # no hook ran, nothing else written
    assert {e.name for e in evs} == {"api"}
    rec = records(ws, ns)
    assert rec is not None and rec.ids == [1]  # selective syncs make no history entry
    assert rec.operation is not None and rec.operation["phase"] == "Succeeded"


def test_dry_run_prints_the_plan_and_writes_nothing(ws: Workspace) -> None:
    ns = "shop-staging"
    before = {n.metadata.name for n in core(ws).list_namespace().items}
    result = ok(sync(ws, ns, "--dry-run"))
    plan = result.stdout.split("\n\n")[0].splitlines()
    assert plan == [
        "PreSync", "  wave 0", f"    create  Namespace/{ns}", f"    hook    Job/{ns}/shop-backup",
        "Sync", "  wave -5", f"    create  Service/{ns}/postgres",
        f"    create  StatefulSet/{ns}/postgres",
        "  wave 0", f"    create  ConfigMap/{ns}/payment-settings",
        f"    create  ConfigMap/{ns}/shop-config", f"    hook    Job/{ns}/shop-migrate",
        "  wave 1", f"    create  Service/{ns}/api", f"    create  Deployment/{ns}/api",
        "  wave 2", f"    create  Service/{ns}/frontend", f"    create  Deployment/{ns}/frontend",
        "PostSync", "  wave 0", f"    hook    Job/{ns}/shop-notify",
        "SyncFail (only if the sync fails)", f"    hook    Job/{ns}/shop-alert"]
    assert "Message:            dry run: nothing was written" in result.stdout
    # not even the history namespace or the lock: nothing at all was written
    assert {n.metadata.name for n in core(ws).list_namespace().items} == before
    ok(sync(ws, ns))
    rec = records(ws, ns)
    _bump_staging(ws)
    timeline = Timeline(ws, ns, "Deployment", "Job", "ConfigMap")
    result = ok(sync(ws, ns, "--dry-run", "--prune"))
    assert f"    update  Deployment/{ns}/api" in result.stdout.splitlines()
    assert timeline.events() == []
    assert records(ws, ns) == rec
    api = apps_api(ws).read_namespaced_deployment("api", ns)
    assert api.spec.template.spec.containers[0].image == "shop/api:1.4.0"
