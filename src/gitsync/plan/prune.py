"""Prune tasks: live objects no longer in Git, in reverse wave order, PruneLast, skip reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from gitsync.model import annotations as ann
from gitsync.model.enums import SyncPhase
from gitsync.model.resource import Resource, csv, parse_int
from gitsync.plan.types import Action, PlanItem, PlanOptions, SyncPlan, Task

REQUIRES_PRUNING = "ignored (requires pruning)"
NO_PRUNE = "ignored (no prune)"
DRY_RUN = "pruned (dry run)"


def _annotations(live: dict[str, Any]) -> dict[str, Any]:
    return dict((live.get("metadata") or {}).get("annotations") or {})


def live_wave(live: dict[str, Any]) -> int:
    """The wave of a live object: sync-wave, else Helm hook weight, else 0."""
    # lenient where Resource.wave is strict: a bad annotation already in the cluster must not
    # block deleting the object, and gitops-engine silently falls back here too
    a = _annotations(live)
    for key in (ann.SYNC_WAVE, ann.HELM_HOOK_WEIGHT):
        n = parse_int(str(a[key])) if key in a else None
        if n is not None:
            return n
    return 0


def live_option(live: dict[str, Any], name: str) -> str | None:
    """One ``sync-options`` entry of a live object (lower-cased), or None; never raises."""
    for entry in csv(str(_annotations(live).get(ann.SYNC_OPTIONS) or "")):
        key, sep, value = entry.partition("=")
        if sep and key.strip() == name:
            return value.strip().lower()
    return None


def is_live_hook(live: dict[str, Any]) -> bool:
    """Hooks left in the cluster are never pruned (gitops-engine skips them)."""
    return Resource(live).is_hook


def _reversed_waves(waves: Iterable[int]) -> dict[int, int]:
    """Swap the distinct waves symmetrically: smallest <-> largest, 2nd <-> 2nd-last, ..."""
    distinct = sorted(set(waves))
    return dict(zip(distinct, reversed(distinct), strict=True))


def _verdict(live: dict[str, Any], options: PlanOptions) -> tuple[Action, str]:
    # same precedence as gitops-engine's pruneObject: the missing flag first, then Prune=false
    if not options.prune:
        return Action.PRUNE_SKIPPED, REQUIRES_PRUNING
    own = live_option(live, "Prune")
    if own == "false" or (options.prune_disabled and own != "true"):
        return Action.PRUNE_SKIPPED, NO_PRUNE
    return Action.PRUNE, DRY_RUN if options.dry_run else ""


def prune_tasks(items: Sequence[PlanItem], others: Iterable[Task],
                options: PlanOptions) -> list[Task]:
    """Prune tasks for ``items`` (live, no desired), placed among the ``others`` tasks."""
    lives = [(item, item.live) for item in items if item.live is not None]
    swap = _reversed_waves(live_wave(live) for _, live in lives)
    waves = [swap[live_wave(live)] for _, live in lives]
    # the trailing wave counts every Sync-phase task, prunes included, after the swap
    last = max([0, *waves, *(t.wave for t in others if t.phase is SyncPhase.SYNC)]) + 1
    out = []
    for (item, live), wave in zip(lives, waves, strict=True):
        late = options.prune_last or live_option(live, "PruneLast") == "true"
        action, message = _verdict(live, options)
        out.append(Task(key=item.key, phase=SyncPhase.SYNC, wave=last if late else wave,
                        action=action, live=live, message=message, prune_last=late))
    return out


def mass_prune(plan: SyncPlan, total: int) -> bool:
    """True when the plan deletes more than half of an app's ``total`` objects (or all)."""
    # a wrong path or an empty render would otherwise silently delete the whole app
    n = len(plan.prunes)
    return n > 0 and (2 * n > total or n >= total)
