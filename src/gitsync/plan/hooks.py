"""Hook tasks: one per sync phase a hook names, with the final object name and the finalizer."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from gitsync.model import annotations as ann
from gitsync.model.enums import HookType, SyncPhase
from gitsync.model.resource import Resource
from gitsync.plan.types import Action, PlanItem, PlanOptions, Task

_PHASE_OF_HOOK = {
    HookType.PRE_SYNC: SyncPhase.PRE_SYNC,
    HookType.SYNC: SyncPhase.SYNC,
    HookType.POST_SYNC: SyncPhase.POST_SYNC,
    HookType.SYNC_FAIL: SyncPhase.SYNC_FAIL,
}


def hook_phases(resource: Resource) -> tuple[SyncPhase, ...]:
    """The sync phases a hook runs in; Skip and delete-time types give none."""
    return tuple(dict.fromkeys(_PHASE_OF_HOOK[t] for t in resource.hook_types
                               if t in _PHASE_OF_HOOK))


def hook_name(generate_name: str, revision: str, phase: SyncPhase, started_at: int) -> str:
    """``generateName`` + lowercase ``<rev7>-<phase>-<startedAt>``, as gitops-engine names it."""
    # deterministic within one operation, so a retried step finds the hook it already created
    return generate_name + f"{revision[:7]}-{phase.value}-{started_at}".lower()


def hook_tasks(item: PlanItem, options: PlanOptions) -> list[Task]:
    """One task per phase of the hook in ``item`` (none for Skip-only and delete-time hooks)."""
    res = item.resource
    if res is None:
        return []
    tasks = []
    for phase in hook_phases(res):
        obj: dict[str, Any] = copy.deepcopy(res.obj)
        meta = obj.get("metadata") or {}
        obj["metadata"] = meta
        key, live = item.key, item.live
        if not meta.get("name"):
            meta["name"] = hook_name(str(meta.get("generateName") or ""), options.revision,
                                     phase, options.started_at)
            key = replace(key, name=meta["name"])
            # the live object was looked up under the empty name: it is not this hook's
            live = None
        # gitops-engine adds it when building tasks, so no controller (a Job TTL, say) deletes
        # the hook before its result has been read; the executor removes it when done
        finalizers = list(meta.get("finalizers") or [])
        if ann.HOOK_FINALIZER not in finalizers:
            meta["finalizers"] = [*finalizers, ann.HOOK_FINALIZER]
        tasks.append(Task(
            key=key, phase=phase, wave=res.wave, action=Action.HOOK,
            resource=Resource(obj, res.origin, dict(res.extra)), live=live,
            hook_types=res.hook_types, delete_policies=res.delete_policies))
    return tasks
