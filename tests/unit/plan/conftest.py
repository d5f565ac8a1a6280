"""Builders for the plan tests: manifests, live objects and plan items in one line each."""

from __future__ import annotations

from typing import Any

from gitsync.model import annotations as ann
from gitsync.model.resource import Resource, ResourceKey
from gitsync.plan import PlanItem, PlanOptions, SyncPlan, build_plan

NS = "shop"
# a kind's group when a test does not say: enough for the kinds these tests use
GROUPS = {"Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "Job": "batch",
          "CronJob": "batch", "Ingress": "networking.k8s.io",
          "CustomResourceDefinition": "apiextensions.k8s.io",
          "ClusterRole": "rbac.authorization.k8s.io", "Role": "rbac.authorization.k8s.io"}
CLUSTER_SCOPED = {"Namespace", "CustomResourceDefinition", "ClusterRole", "StorageClass"}


def obj(kind: str, name: str, ns: str | None = None, *, group: str | None = None,
        annotations: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """A manifest; ``ns`` defaults to ``shop`` for namespaced kinds; ``extra`` joins the top."""
    group = GROUPS.get(kind, "") if group is None else group
    if ns is None:
        ns = "" if kind in CLUSTER_SCOPED else NS
    meta: dict[str, Any] = {"name": name} if name else {}
    if ns:
        meta["namespace"] = ns
    if annotations:
        meta["annotations"] = dict(annotations)
    return {"apiVersion": f"{group}/v1" if group else "v1", "kind": kind, "metadata": meta,
            **extra}


def wave(n: int | str) -> dict[str, str]:
    return {ann.SYNC_WAVE: str(n)}


def hook(types: str, **more: str) -> dict[str, str]:
    return {ann.HOOK: types, **more}


def want(o: dict[str, Any], live: dict[str, Any] | None = None,
         modified: bool = True) -> PlanItem:
    """A desired object (optionally with its live copy)."""
    return PlanItem(ResourceKey.of(o), Resource(o), live, modified)


def gone(o: dict[str, Any]) -> PlanItem:
    """A live object no longer in Git: a prune candidate."""
    return PlanItem(ResourceKey.of(o), None, o)


def plan(*items: PlanItem, **options: Any) -> SyncPlan:
    return build_plan(items, PlanOptions(**options))


def steps(p: SyncPlan) -> list[tuple[str, int, list[str]]]:
    """(phase, wave, identities) per step: the shape most tests compare."""
    return [(s.phase.value, s.wave, [t.identity for t in s.tasks]) for s in p.steps]


def order(p: SyncPlan) -> list[str]:
    return [t.identity for t in p.tasks]
