"""build_plan: actions from the diff, ApplyOutOfSyncOnly, the auto-created namespace, helpers."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.model.application import (
    Application,
    AppSource,
    Destination,
    ManagedNamespaceMetadata,
    SyncPolicy,
)
from gitsync.plan import Action, ManagedNamespace, PlanItem, PlanOptions, PropagationPolicy

from .conftest import gone, hook, obj, plan, want, wave

CM = obj("ConfigMap", "c")

ACTION_CASES: list[tuple[str, PlanItem, dict[str, Any], str, bool]] = [
    ("missing-is-created", want(CM), {}, "create", True),
    ("present-is-updated", want(CM, CM, modified=True), {}, "update", True),
    ("unmodified-still-applied-by-default", want(CM, CM, modified=False), {}, "update", True),
    ("out-of-sync-only-applies-modified", want(CM, CM, modified=True),
     {"apply_out_of_sync_only": True}, "update", True),
    ("out-of-sync-only-lists-unmodified-as-unchanged", want(CM, CM, modified=False),
     {"apply_out_of_sync_only": True}, "unchanged", False),
    ("out-of-sync-only-still-creates-missing", want(CM, None, modified=False),
     {"apply_out_of_sync_only": True}, "create", True),
]


@pytest.mark.parametrize(("item", "options", "action", "executed"),
                         [c[1:] for c in ACTION_CASES], ids=[c[0] for c in ACTION_CASES])
def test_action(item: PlanItem, options: dict[str, Any], action: str, executed: bool) -> None:
    p = plan(item, **options)
    [task] = p.all_tasks
    assert task.action == action
    assert (task in p.tasks, task in p.skipped) == (executed, not executed)
    assert p.is_empty is not executed


LABELLED_NS = {"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": "shop", "labels": {"env": "dev", "x": "y"}}}


def ns_plan(*items: PlanItem, **namespace: Any) -> list[tuple[str, int, str, str]]:
    p = plan(*items, create_namespace=ManagedNamespace("shop", **namespace))
    return [(t.phase.value, t.wave, t.action.value, t.identity) for t in p.tasks]


NS_CASES: list[tuple[str, list[PlanItem], dict[str, Any], list[tuple[str, int, str, str]]]] = [
    ("created-first-in-presync", [want(CM)], {},
     [("PreSync", 0, "create", "Namespace/shop"), ("Sync", 0, "create", "ConfigMap/shop/c")]),
    ("lower-than-any-presync-hook",
     [want(obj("Job", "pre", annotations=hook("PreSync", **wave(-4))))], {},
     [("PreSync", -4, "create", "Namespace/shop"), ("PreSync", -4, "hook", "Job/shop/pre")]),
    ("not-when-a-manifest-defines-it", [want(obj("Namespace", "shop")), want(CM)], {},
     [("Sync", 0, "create", "Namespace/shop"), ("Sync", 0, "create", "ConfigMap/shop/c")]),
    ("not-when-live-already-carries-the-metadata", [want(CM)],
     {"labels": {"env": "dev"}, "live": LABELLED_NS},
     [("Sync", 0, "create", "ConfigMap/shop/c")]),
    ("updated-when-live-lacks-a-label", [want(CM)],
     {"labels": {"env": "dev"}, "live": obj("Namespace", "shop")},
     [("PreSync", 0, "update", "Namespace/shop"), ("Sync", 0, "create", "ConfigMap/shop/c")]),
]


@pytest.mark.parametrize(("items", "namespace", "expected"), [c[1:] for c in NS_CASES],
                         ids=[c[0] for c in NS_CASES])
def test_auto_namespace(items: list[PlanItem], namespace: dict[str, Any],
                        expected: list[tuple[str, int, str, str]]) -> None:
    assert ns_plan(*items, **namespace) == expected


def test_auto_namespace_object_carries_managed_metadata() -> None:
    p = plan(want(CM), create_namespace=ManagedNamespace(
        "shop", labels={"env": "dev"}, annotations={"owner": "team-a"}))
    task = p.tasks[0]
    assert task.resource is not None and task.message == "CreateNamespace=true"
    assert task.resource.obj == {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "shop", "labels": {"env": "dev"}, "annotations": {"owner": "team-a"}}}


def _app(options: dict[str, str], meta: ManagedNamespaceMetadata | None = None) -> Application:
    return Application("shop-dev", AppSource("https://git.example.com/shop.git"),
                       Destination(server="https://kubernetes.default.svc", namespace="shop-dev"),
                       sync_policy=SyncPolicy(sync_options=options,
                                              managed_namespace_metadata=meta))


APP_CASES: list[tuple[str, Application, PlanOptions, PlanOptions]] = [
    ("no-options-no-change", _app({}), PlanOptions(prune=True), PlanOptions(prune=True)),
    ("app-options-folded-in",
     _app({"PruneLast": "true", "ApplyOutOfSyncOnly": "true", "Prune": "false",
           "PrunePropagationPolicy": "orphan"}),
     PlanOptions(),
     PlanOptions(prune_last=True, apply_out_of_sync_only=True, prune_disabled=True,
                 propagation_policy=PropagationPolicy.ORPHAN)),
    ("create-namespace-with-managed-metadata",
     _app({"CreateNamespace": "true"}, ManagedNamespaceMetadata(labels={"env": "dev"})),
     PlanOptions(),
     PlanOptions(create_namespace=ManagedNamespace("shop-dev", labels={"env": "dev"}))),
    ("flags-kept-when-app-is-silent", _app({"CreateNamespace": "false"}),
     PlanOptions(prune_last=True, apply_out_of_sync_only=True),
     PlanOptions(prune_last=True, apply_out_of_sync_only=True)),
]


@pytest.mark.parametrize(("app", "base", "expected"), [c[1:] for c in APP_CASES],
                         ids=[c[0] for c in APP_CASES])
def test_options_with_app(app: Application, base: PlanOptions, expected: PlanOptions) -> None:
    assert base.with_app(app) == expected


def test_plan_helpers() -> None:
    p = plan(want(obj("Job", "pre", annotations=hook("PreSync"))),
             want(obj("Job", "alert", annotations=hook("SyncFail"))),
             want(CM), want(obj("Secret", "s"), obj("Secret", "s"), modified=False),
             gone(obj("ConfigMap", "old")), gone(obj("ConfigMap", "kept", annotations={
                 "argocd.argoproj.io/sync-options": "Prune=false"})),
             prune=True, apply_out_of_sync_only=True,
             propagation_policy=PropagationPolicy.BACKGROUND)
    assert p.counts() == {Action.CREATE: 1, Action.UNCHANGED: 1, Action.PRUNE: 1,
                          Action.PRUNE_SKIPPED: 1, Action.HOOK: 2}
    assert [t.identity for t in p.hooks] == ["Job/shop/pre", "Job/shop/alert"]
    assert [t.identity for t in p.prunes] == ["ConfigMap/shop/old"]
    sync = p.steps[1]
    assert [t.identity for t in sync.prunes] == ["ConfigMap/shop/old"]
    assert [t.identity for t in sync.applies] == ["ConfigMap/shop/c"]
    assert p.propagation_policy is PropagationPolicy.BACKGROUND
    assert not p.is_empty


def test_empty_plan() -> None:
    p = plan()
    assert (p.is_empty, p.tasks, p.counts()) == (True, (), {})
