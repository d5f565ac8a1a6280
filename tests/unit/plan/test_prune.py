"""Prunes: skip reasons, dry run, reverse waves, PruneLast, live hooks, mass-prune guard."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.model import annotations as ann
from gitsync.plan import PlanItem, SyncPlan, mass_prune

from .conftest import gone, hook, obj, plan, want, wave

Row = tuple[int, str, str, str]


def rows(p: SyncPlan) -> tuple[list[Row], list[Row]]:
    """(wave, action, identity, message) of executed tasks, then of skipped ones."""
    def row(t: Any) -> Row:
        return (t.wave, t.action.value, t.identity, t.message)
    return [row(t) for t in p.tasks], [row(t) for t in p.skipped]


def opts(value: str) -> dict[str, str]:
    return {ann.SYNC_OPTIONS: value}


OLD = obj("Deployment", "old", annotations=wave(2))
KEEP = obj("Deployment", "keep", annotations=opts("Prune=false"))

PRUNE_CASES: list[tuple[str, list[PlanItem], dict[str, Any], list[Row], list[Row]]] = [
    ("without-prune-flag-requires-pruning", [gone(OLD)], {},
     [], [(2, "prune-skipped", "Deployment/shop/old", "ignored (requires pruning)")]),
    ("prune-uses-the-live-wave", [gone(OLD)], {"prune": True},
     [(2, "prune", "Deployment/shop/old", "")], []),
    ("prune-false-on-live-object", [gone(KEEP)], {"prune": True},
     [], [(0, "prune-skipped", "Deployment/shop/keep", "ignored (no prune)")]),
    ("missing-flag-reported-before-prune-false", [gone(KEEP)], {},
     [], [(0, "prune-skipped", "Deployment/shop/keep", "ignored (requires pruning)")]),
    ("dry-run-says-pruned", [gone(OLD)], {"prune": True, "dry_run": True},
     [(2, "prune", "Deployment/shop/old", "pruned (dry run)")], []),
    ("dry-run-without-prune-flag", [gone(OLD)], {"dry_run": True},
     [], [(2, "prune-skipped", "Deployment/shop/old", "ignored (requires pruning)")]),
    ("app-prune-false-keeps-everything", [gone(OLD)], {"prune": True, "prune_disabled": True},
     [], [(2, "prune-skipped", "Deployment/shop/old", "ignored (no prune)")]),
    ("resource-prune-true-overrides-app-prune-false",
     [gone(obj("Deployment", "old", annotations=opts("Prune=true")))],
     {"prune": True, "prune_disabled": True},
     [(0, "prune", "Deployment/shop/old", "")], []),
    ("reverse-waves-swap-smallest-and-largest",
     [gone(obj("ConfigMap", "a", annotations=wave(-1))), gone(obj("ConfigMap", "b")),
      gone(obj("ConfigMap", "c", annotations=wave(3)))],
     {"prune": True},
     [(-1, "prune", "ConfigMap/shop/c", ""), (0, "prune", "ConfigMap/shop/b", ""),
      (3, "prune", "ConfigMap/shop/a", "")], []),
    ("reverse-waves-interleave-with-creations",
     [gone(obj("ConfigMap", "old-db", annotations=wave(1))),
      gone(obj("ConfigMap", "old-web", annotations=wave(2))),
      want(obj("ConfigMap", "new-db", annotations=wave(1))),
      want(obj("ConfigMap", "new-web", annotations=wave(2)))],
     {"prune": True},
     [(1, "prune", "ConfigMap/shop/old-web", ""), (1, "create", "ConfigMap/shop/new-db", ""),
      (2, "prune", "ConfigMap/shop/old-db", ""), (2, "create", "ConfigMap/shop/new-web", "")],
     []),
    ("prunes-first-within-a-wave",
     [want(obj("Namespace", "new")), gone(obj("Widget", "zz", group="example.com"))],
     {"prune": True},
     [(0, "prune", "Widget/shop/zz", ""), (0, "create", "Namespace/new", "")], []),
    ("prune-last-app-option-one-wave-after-the-last",
     [gone(OLD), want(obj("ConfigMap", "c", annotations=wave(5)))],
     {"prune": True, "prune_last": True},
     [(5, "create", "ConfigMap/shop/c", ""), (6, "prune", "Deployment/shop/old", "")], []),
    ("prune-last-on-the-live-object-only",
     [gone(obj("ConfigMap", "late", annotations=opts("PruneLast=true"))),
      gone(obj("ConfigMap", "now"))],
     {"prune": True},
     [(0, "prune", "ConfigMap/shop/now", ""), (1, "prune", "ConfigMap/shop/late", "")], []),
    ("prune-last-counts-swapped-prune-waves",
     [gone(obj("ConfigMap", "a", annotations={**wave(10), **opts("PruneLast=true")})),
      gone(obj("ConfigMap", "b", annotations=wave(-3)))],
     {"prune": True},
     [(10, "prune", "ConfigMap/shop/b", ""), (11, "prune", "ConfigMap/shop/a", "")], []),
    ("prune-last-ignores-presync-and-postsync-waves",
     [gone(OLD), want(obj("Job", "smoke", annotations=hook("PostSync", **wave(9))))],
     {"prune": True, "prune_last": True},
     [(3, "prune", "Deployment/shop/old", ""), (9, "hook", "Job/shop/smoke", "")], []),
    ("prune-last-counts-sync-hooks",
     [gone(OLD), want(obj("Job", "seed", annotations=hook("Sync", **wave(4))))],
     {"prune": True, "prune_last": True},
     [(4, "hook", "Job/shop/seed", ""), (5, "prune", "Deployment/shop/old", "")], []),
    ("bad-live-wave-falls-back-to-helm-weight",
     [gone(obj("ConfigMap", "x", annotations={**wave("1.5"), ann.HELM_HOOK_WEIGHT: "-2"}))],
     {"prune": True},
     [(-2, "prune", "ConfigMap/shop/x", "")], []),
    ("live-hooks-are-never-pruned",
     [gone(obj("Job", "old-migrate", annotations=hook("PreSync")))], {"prune": True}, [], []),
]


@pytest.mark.parametrize(("items", "options", "executed", "skipped"),
                         [c[1:] for c in PRUNE_CASES], ids=[c[0] for c in PRUNE_CASES])
def test_prune(items: list[PlanItem], options: dict[str, Any], executed: list[Row],
               skipped: list[Row]) -> None:
    assert rows(plan(*items, **options)) == (executed, skipped)


def test_prune_last_flag_and_live_object_on_the_task() -> None:
    live = obj("ConfigMap", "late", annotations=opts("PruneLast=true"))
    [task] = plan(gone(live), prune=True).prunes
    assert (task.prune_last, task.live, task.resource, task.phase.value) == \
        (True, live, None, "Sync")


def _plan_with(prunes: int, skipped: int) -> SyncPlan:
    items = [gone(obj("ConfigMap", f"p{i}")) for i in range(prunes)]
    items += [gone(obj("ConfigMap", f"s{i}", annotations=opts("Prune=false")))
              for i in range(skipped)]
    return plan(*items, prune=True)


MASS = [
    ("nothing-pruned", 0, 0, 0, False),
    ("nothing-pruned-of-ten", 0, 0, 10, False),
    ("exactly-half-is-fine", 5, 0, 10, False),
    ("more-than-half", 6, 0, 10, True),
    ("the-only-object", 1, 0, 1, True),
    ("all-of-them", 3, 0, 3, True),
    ("one-of-three", 1, 0, 3, False),
    ("two-of-three", 2, 0, 3, True),
    ("skipped-prunes-do-not-count", 1, 5, 6, False),
]


@pytest.mark.parametrize(("prunes", "skipped", "total", "expected"), [m[1:] for m in MASS],
                         ids=[m[0] for m in MASS])
def test_mass_prune(prunes: int, skipped: int, total: int, expected: bool) -> None:
    assert mass_prune(_plan_with(prunes, skipped), total) is expected
