"""``build_plan``: desired and live objects plus options in, an ordered :class:`SyncPlan` out.

Desired resources are expected to be validated already (``Resource.validate``): a malformed wave
or hook annotation raises ``ManifestError`` here. Live objects are read leniently (see prune).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from gitsync.model.enums import SyncPhase
from gitsync.model.resource import Resource, ResourceKey
from gitsync.plan.filters import check_filters, is_selected
from gitsync.plan.hooks import hook_tasks
from gitsync.plan.order import order_tasks, sort_key
from gitsync.plan.prune import is_live_hook, prune_tasks
from gitsync.plan.types import (
    Action,
    ManagedNamespace,
    PlanItem,
    PlanOptions,
    Step,
    SyncPlan,
    Task,
)

AUTO_NAMESPACE_MESSAGE = "CreateNamespace=true"


def _is_hook(item: PlanItem) -> bool:
    if item.resource is not None:
        return item.resource.is_hook
    return item.live is not None and is_live_hook(item.live)


def _resource_task(item: PlanItem, res: Resource, options: PlanOptions) -> Task:
    if item.live is None:
        action = Action.CREATE
    elif options.apply_out_of_sync_only and not item.modified:
        action = Action.UNCHANGED
    else:
        action = Action.UPDATE
    return Task(key=item.key, phase=SyncPhase.SYNC, wave=res.wave, action=action,
                resource=res, live=item.live)


def _selectable(items: Sequence[PlanItem]) -> list[ResourceKey]:
    # what `argocd app sync --resource` matches against: the app's resources, hooks left out
    return [i.key for i in items if not _is_hook(i)
            and (i.resource is not None or i.live is not None)]


def build_plan(items: Iterable[PlanItem], options: PlanOptions) -> SyncPlan:
    """Order every task of a sync into steps; raises InvalidInputError for an unmatched filter."""
    all_items = list(items)
    filters = options.resource_filters
    check_filters(_selectable(all_items), filters)
    main: list[Task] = []
    sync_fail: list[Task] = []
    prune_items: list[PlanItem] = []
    for item in all_items:
        res = item.resource
        if _is_hook(item):
            # live-only hooks are never pruned; hooks from Git run unless hooks are off
            if res is not None and options.hooks_enabled:
                for task in hook_tasks(item, options):
                    (sync_fail if task.phase is SyncPhase.SYNC_FAIL else main).append(task)
        elif filters and not is_selected(item.key, filters):
            continue
        elif res is not None:
            main.append(_resource_task(item, res, options))
        elif item.live is not None:
            prune_items.append(item)
    main += prune_tasks(prune_items, main, options)
    ordered = order_tasks(main)
    auto = _namespace_task(options.create_namespace, all_items, ordered)
    if auto is not None:
        # created before anything else runs, as gitops-engine does ahead of its dry run
        ordered.insert(0, auto)
    runnable = [t for t in ordered if not t.action.is_skipped]
    steps = tuple(Step(phase, wave, tuple(group))
                  for (phase, wave), group in groupby(runnable, key=lambda t: (t.phase, t.wave)))
    return SyncPlan(
        steps=steps,
        sync_fail=tuple(sorted(sync_fail, key=sort_key)),
        skipped=tuple(t for t in ordered if t.action.is_skipped),
        propagation_policy=options.propagation_policy)


def _contains(mapping: dict[str, Any], wanted: dict[str, str]) -> bool:
    return all(mapping.get(k) == v for k, v in wanted.items())


def _namespace_task(ns: ManagedNamespace | None, items: Sequence[PlanItem],
                    ordered: Sequence[Task]) -> Task | None:
    """The synthetic destination Namespace task, when one is needed."""
    if ns is None or not ns.name:
        return None
    key = ResourceKey("", "Namespace", "", ns.name)
    if any(i.key == key and i.resource is not None for i in items):
        return None
    if ns.live is not None:
        meta = ns.live.get("metadata") or {}
        if _contains(meta.get("labels") or {}, ns.labels) \
                and _contains(meta.get("annotations") or {}, ns.annotations):
            return None
    metadata: dict[str, Any] = {"name": ns.name}
    if ns.labels:
        metadata["labels"] = dict(ns.labels)
    if ns.annotations:
        metadata["annotations"] = dict(ns.annotations)
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}
    # never later than any PreSync task, so the grouping into steps stays in order
    wave = min([0, *(t.wave for t in ordered if t.phase is SyncPhase.PRE_SYNC)])
    return Task(key=key, phase=SyncPhase.PRE_SYNC, wave=wave,
                action=Action.CREATE if ns.live is None else Action.UPDATE,
                resource=Resource(obj), live=ns.live, message=AUTO_NAMESPACE_MESSAGE)
