"""Hooks: one task per sync phase, Helm mapping, Skip, SyncFail split, generateName naming."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.model import annotations as ann
from gitsync.model.enums import HookDeletePolicy, HookType, SyncPhase
from gitsync.plan import Action, PlanItem, hook_name, parse_resource_filters

from .conftest import hook, obj, plan, steps, want, wave

HELM = ann.HELM_HOOK


def job(name: str, annotations: dict[str, str], **kw: Any) -> PlanItem:
    return want(obj("Job", name, annotations=annotations, **kw))


HOOK_CASES: list[tuple[str, list[PlanItem], list[tuple[str, int, list[str]]], list[str]]] = [
    ("presync-hook-before-resources",
     [want(obj("ConfigMap", "c")), job("migrate", hook("PreSync"))],
     [("PreSync", 0, ["Job/shop/migrate"]), ("Sync", 0, ["ConfigMap/shop/c"])], []),
    ("sync-hook-runs-with-the-resources-of-its-wave",
     [want(obj("Deployment", "web")), job("seed", hook("Sync"))],
     [("Sync", 0, ["Deployment/shop/web", "Job/shop/seed"])], []),
    ("postsync-hook-after-every-wave",
     [want(obj("ConfigMap", "c", annotations=wave(7))), job("smoke", hook("PostSync"))],
     [("Sync", 7, ["ConfigMap/shop/c"]), ("PostSync", 0, ["Job/shop/smoke"])], []),
    ("hooks-ordered-by-wave-within-their-phase",
     [job("second", hook("PreSync", **wave(2))), job("first", hook("PreSync", **wave(-2)))],
     [("PreSync", -2, ["Job/shop/first"]), ("PreSync", 2, ["Job/shop/second"])], []),
    ("multi-phase-hook-one-task-per-phase",
     [job("notify", hook("PreSync,PostSync"))],
     [("PreSync", 0, ["Job/shop/notify"]), ("PostSync", 0, ["Job/shop/notify"])], []),
    ("repeated-phase-listed-once",
     [job("notify", hook("PreSync, PreSync"))],
     [("PreSync", 0, ["Job/shop/notify"])], []),
    ("skip-only-is-never-planned",
     [job("manual", hook("Skip")), want(obj("ConfigMap", "c"))],
     [("Sync", 0, ["ConfigMap/shop/c"])], []),
    ("skip-with-presync-is-a-presync-hook",
     [job("migrate", hook("Skip,PreSync"))],
     [("PreSync", 0, ["Job/shop/migrate"])], []),
    ("delete-time-hooks-are-never-planned",
     [job("cleanup", hook("PreDelete")), job("bye", hook("PostDelete"))], [], []),
    ("delete-hook-with-a-sync-phase-keeps-that-phase",
     [job("both", hook("PreDelete,PostSync"))],
     [("PostSync", 0, ["Job/shop/both"])], []),
    ("helm-pre-install-and-pre-upgrade-map-to-one-presync",
     [job("migrate", {HELM: "pre-install,pre-upgrade"})],
     [("PreSync", 0, ["Job/shop/migrate"])], []),
    ("helm-post-upgrade-maps-to-postsync",
     [job("smoke", {HELM: "post-upgrade"})],
     [("PostSync", 0, ["Job/shop/smoke"])], []),
    ("helm-hook-weight-is-the-wave",
     [job("b", {HELM: "pre-install", ann.HELM_HOOK_WEIGHT: "5"}),
      job("a", {HELM: "pre-install", ann.HELM_HOOK_WEIGHT: "-5"})],
     [("PreSync", -5, ["Job/shop/a"]), ("PreSync", 5, ["Job/shop/b"])], []),
    ("helm-crd-install-is-a-plain-resource",
     [job("setup", {HELM: "crd-install"})],
     [("Sync", 0, ["Job/shop/setup"])], []),
    ("helm-test-hook-is-ignored",
     [job("test", {HELM: "test"})], [], []),
    ("helm-pre-delete-is-never-planned",
     [job("cleanup", {HELM: "pre-delete"})], [], []),
    ("argo-hook-types-win-over-helm",
     [job("migrate", {**hook("PostSync"), HELM: "pre-install"})],
     [("PostSync", 0, ["Job/shop/migrate"])], []),
    ("syncfail-hooks-only-in-sync-fail",
     [job("alert", hook("SyncFail")), want(obj("ConfigMap", "c"))],
     [("Sync", 0, ["ConfigMap/shop/c"])], ["Job/shop/alert"]),
    ("syncfail-plus-postsync-in-both",
     [job("report", hook("SyncFail,PostSync"))],
     [("PostSync", 0, ["Job/shop/report"])], ["Job/shop/report"]),
    ("syncfail-hooks-sorted-by-the-same-key",
     [job("b", hook("SyncFail", **wave(-1))), job("a", hook("SyncFail", **wave(1))),
      want(obj("ConfigMap", "z", annotations=hook("SyncFail")))],
     [], ["Job/shop/b", "ConfigMap/shop/z", "Job/shop/a"]),
]


@pytest.mark.parametrize(("items", "expected", "sync_fail"), [c[1:] for c in HOOK_CASES],
                         ids=[c[0] for c in HOOK_CASES])
def test_hooks(items: list[PlanItem], expected: list[tuple[str, int, list[str]]],
               sync_fail: list[str]) -> None:
    p = plan(*items)
    assert steps(p) == expected
    assert [t.identity for t in p.sync_fail] == sync_fail
    assert all(t.action is Action.HOOK for t in p.hooks)


SKIP_CASES: list[tuple[str, dict[str, Any]]] = [
    ("strategy-apply-or-rollback", {"skip_hooks": True}),
    ("selective-sync", {"resource_filters": parse_resource_filters([":ConfigMap:c"])}),
]


@pytest.mark.parametrize("options", [c[1] for c in SKIP_CASES], ids=[c[0] for c in SKIP_CASES])
def test_hooks_off(options: dict[str, Any]) -> None:
    p = plan(job("pre", hook("PreSync")), job("alert", hook("SyncFail")),
             want(obj("ConfigMap", "c")), **options)
    assert steps(p) == [("Sync", 0, ["ConfigMap/shop/c"])]
    assert p.hooks == ()


GENERATED = [
    ("full-sha-cut-to-7", "generate-", "0123456789abcdef", SyncPhase.PRE_SYNC, 1700000000,
     "generate-0123456-presync-1700000000"),
    ("short-revision-whole", "db-", "v1", SyncPhase.POST_SYNC, 5, "db-v1-postsync-5"),
    ("postfix-lowercased", "Up-", "ABCDEF1234", SyncPhase.SYNC_FAIL, 9, "Up-abcdef1-syncfail-9"),
    ("no-generate-name", "", "abc", SyncPhase.SYNC, 1, "abc-sync-1"),
]


@pytest.mark.parametrize(("prefix", "rev", "phase", "at", "name"), [g[1:] for g in GENERATED],
                         ids=[g[0] for g in GENERATED])
def test_hook_name(prefix: str, rev: str, phase: SyncPhase, at: int, name: str) -> None:
    assert hook_name(prefix, rev, phase, at) == name


def test_generate_name_hook_gets_a_name_per_phase() -> None:
    manifest = obj("Job", "", annotations=hook("PreSync,PostSync"),
                   spec={"template": {}})
    manifest["metadata"]["generateName"] = "migrate-"
    p = plan(want(manifest), revision="4f2a9c1d0e", started_at=1718000000)
    names = [(t.phase.value, t.name, t.resource.obj["metadata"]["name"] if t.resource else "")
             for t in p.hooks]
    assert names == [
        ("PreSync", "migrate-4f2a9c1-presync-1718000000", "migrate-4f2a9c1-presync-1718000000"),
        ("PostSync", "migrate-4f2a9c1-postsync-1718000000",
         "migrate-4f2a9c1-postsync-1718000000"),
    ]
    assert p.hooks[0].identity == "Job/shop/migrate-4f2a9c1-presync-1718000000"
    # the desired manifest itself is left alone: the task carries a copy
    assert "name" not in manifest["metadata"]
    assert plan(want(manifest), revision="4f2a9c1d0e", started_at=1718000000) == p


def test_hook_task_carries_policies_live_and_finalizer() -> None:
    live = obj("Job", "migrate")
    manifest = obj("Job", "migrate", annotations=hook(
        "PreSync", **{ann.HOOK_DELETE_POLICY: "HookSucceeded"}))
    [task] = plan(want(manifest, live)).hooks
    assert task.hook_types == (HookType.PRE_SYNC,)
    assert task.delete_policies == (HookDeletePolicy.HOOK_SUCCEEDED,)
    assert task.live is live
    assert task.name == "migrate"
    assert task.resource is not None
    assert task.resource.obj["metadata"]["finalizers"] == [ann.HOOK_FINALIZER]
    assert "finalizers" not in manifest["metadata"]


def test_hooks_still_run_with_apply_out_of_sync_only() -> None:
    item = want(obj("Job", "migrate", annotations=hook("PreSync")), obj("Job", "migrate"),
                modified=False)
    assert [t.action for t in plan(item, apply_out_of_sync_only=True).tasks] == [Action.HOOK]
