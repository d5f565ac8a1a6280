"""The automated-sync rules, one table row per situation (semantics §6.2, DESIGN.md §4.8)."""

from __future__ import annotations

from typing import Any

import pytest

from gitsync.model.application import Automated
from gitsync.watch.decide import Action, LastOp, Observed, decide

R1 = "1" * 40
R2 = "2" * 40
WEB = "Deployment/shop/web"
CFG = "ConfigMap/shop/settings"
OLD = "ConfigMap/shop/old"

AUTO = Automated()
PRUNE = Automated(prune=True)
HEAL = Automated(self_heal=True)
BOTH = Automated(prune=True, self_heal=True)
EMPTY_OK = Automated(prune=True, allow_empty=True)
OFF = Automated(prune=True, self_heal=True, enabled=False)

SYNCED = Observed(R1, total=2)
DRIFT = Observed(R1, out_of_sync=(WEB,), total=2)
DRIFT2 = Observed(R2, out_of_sync=(WEB,), total=2)
EXTRA = Observed(R1, prunable=(OLD,), total=3)
EXTRA_AND_DRIFT = Observed(R1, out_of_sync=(WEB,), prunable=(OLD,), total=3)
ALL_GONE = Observed(R2, prunable=(WEB, CFG), total=2)

OK_R1 = LastOp(R1, succeeded=True)
OK_R2 = LastOp(R2, succeeded=True)
FAILED_R1 = LastOp(R1, succeeded=False, message="Deployment/shop/web Degraded")
FAILED_R2 = LastOp(R2, succeeded=False)
INTERRUPTED_R1 = LastOp(R1, succeeded=False, interrupted=True, message="interrupted")

# (id, policy, observed, last op, keyword arguments, action, revision, prune, resources,
#  words of the reason)
CASES: list[tuple[str, Automated | None, Observed, LastOp | None, dict[str, Any], Action,
                  str, bool, tuple[str, ...], str]] = [
    # 6.2.1: automation off
    ("no-policy", None, DRIFT, None, {}, Action.NOTHING, R1, False, (), "no automated"),
    ("enabled-false", OFF, DRIFT, None, {}, Action.NOTHING, R1, False, (), "enabled: false"),
    ("enabled-false-even-after-failure", OFF, DRIFT, FAILED_R1, {}, Action.NOTHING, R1, False,
     (), "disabled"),
    # 6.2.2: only OutOfSync syncs
    ("synced-never-syncs", BOTH, SYNCED, None, {}, Action.NOTHING, R1, False, (), "Synced"),
    ("synced-at-a-newer-commit-still-nothing", BOTH, Observed(R2, total=2), OK_R1, {},
     Action.NOTHING, R2, False, (), "Synced"),
    ("synced-after-a-failed-sync", BOTH, SYNCED, FAILED_R1, {}, Action.NOTHING, R1, False, (),
     "Synced"),
    # 6.2.3: prune-only drift without automated.prune
    ("prune-only-drift-without-prune", AUTO, EXTRA, None, {}, Action.NOTHING, R1, False, (),
     "require pruning"),
    ("prune-only-drift-without-prune-selfheal", HEAL, EXTRA, OK_R1, {}, Action.NOTHING, R1,
     False, (), "automated.prune is off"),
    ("prune-only-drift-with-prune-syncs", PRUNE, EXTRA, None, {}, Action.SYNC, R1, True, (),
     "OutOfSync"),
    ("drift-and-extra-without-prune-syncs", AUTO, EXTRA_AND_DRIFT, None, {}, Action.SYNC, R1,
     False, (), "1 resource OutOfSync"),
    # a new revision: sync it
    ("never-synced", AUTO, DRIFT, None, {}, Action.SYNC, R1, False, (), "OutOfSync"),
    ("new-commit-after-success", AUTO, DRIFT2, OK_R1, {}, Action.SYNC, R2, False, (),
     "OutOfSync"),
    ("policy-prune-is-passed-on", BOTH, DRIFT2, OK_R1, {}, Action.SYNC, R2, True, (),
     "OutOfSync"),
    ("new-commit-supersedes-a-failed-one", AUTO, DRIFT2, FAILED_R1, {}, Action.SYNC, R2,
     False, (), "OutOfSync"),
    # 6.2.5: the same revision again
    ("failed-revision-is-not-retried", BOTH, DRIFT, FAILED_R1, {}, Action.REFUSE, R1, False,
     (), "failed: Deployment/shop/web Degraded; waiting for a new commit"),
    ("failed-revision-not-healed-either", HEAL, DRIFT, FAILED_R1, {}, Action.REFUSE, R1, False,
     (), "last sync of 1111111 failed"),
    ("retry-failed-syncs-it-again", BOTH, DRIFT, FAILED_R1, {"retry_failed": True},
     Action.SYNC, R1, True, (), "--retry-failed"),
    ("retry-failed-is-a-full-sync-not-a-heal", HEAL, DRIFT, FAILED_R1, {"retry_failed": True},
     Action.SYNC, R1, False, (), "retrying"),
    ("interrupted-operation-is-synced-again", BOTH, DRIFT, INTERRUPTED_R1, {}, Action.SYNC, R1,
     True, (), "OutOfSync"),
    ("succeeded-without-selfheal-is-left-alone", PRUNE, DRIFT, OK_R1, {}, Action.NOTHING, R1,
     False, (), "selfHeal is off"),
    ("selfheal-reapplies-only-the-drifted", HEAL, DRIFT, OK_R1, {}, Action.SELF_HEAL, R1,
     False, (WEB,), "1 resource drifted"),
    ("selfheal-with-prune-also-prunes", BOTH, EXTRA_AND_DRIFT, OK_R1, {}, Action.SELF_HEAL, R1,
     True, (WEB, OLD), "2 resources drifted"),
    ("selfheal-without-prune-leaves-extras", HEAL, EXTRA_AND_DRIFT, OK_R1, {},
     Action.SELF_HEAL, R1, False, (WEB,), "drifted"),
    ("selfheal-backoff-waits", HEAL, DRIFT, OK_R1, {"heal_wait": 6.0}, Action.WAIT, R1, False,
     (WEB,), "6s left"),
    ("backoff-does-not-delay-a-new-commit", HEAL, DRIFT2, OK_R1, {"heal_wait": 6.0},
     Action.SYNC, R2, False, (), "OutOfSync"),
    ("heal-after-a-selfheal-that-succeeded", HEAL, DRIFT2, OK_R2, {}, Action.SELF_HEAL, R2,
     False, (WEB,), "drifted"),
    # 6.2.6: allowEmpty
    ("wiping-everything-is-refused", PRUNE, ALL_GONE, OK_R1, {}, Action.REFUSE, R2, False, (),
     "wipe out all resources"),
    ("allow-empty-permits-it", EMPTY_OK, ALL_GONE, OK_R1, {}, Action.SYNC, R2, True, (),
     "2 resources OutOfSync"),
    ("without-prune-emptiness-cannot-happen", AUTO, ALL_GONE, OK_R1, {}, Action.NOTHING, R2,
     False, (), "require pruning"),
    ("partial-prune-is-fine", PRUNE, Observed(R2, prunable=(OLD,), total=3), OK_R1, {},
     Action.SYNC, R2, True, (), "OutOfSync"),
    ("empty-check-needs-something-tracked", PRUNE, Observed(R2, out_of_sync=(WEB,), total=0),
     None, {}, Action.SYNC, R2, True, (), "OutOfSync"),
]


@pytest.mark.parametrize(("policy", "seen", "last", "kwargs", "action", "revision", "prune",
                          "resources", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decide(policy: Automated | None, seen: Observed, last: LastOp | None,
                kwargs: dict[str, Any], action: Action, revision: str, prune: bool,
                resources: tuple[str, ...], words: str) -> None:
    d = decide(policy, seen, last, **kwargs)
    assert (d.action, d.revision, d.resources) == (action, revision, resources)
    if action in (Action.SYNC, Action.SELF_HEAL, Action.WAIT):
        assert d.prune is prune
    assert words in d.reason


def test_wait_carries_the_remaining_backoff() -> None:
    d = decide(HEAL, DRIFT, OK_R1, heal_wait=1.5)
    assert (d.action, d.wait) == (Action.WAIT, 1.5)
