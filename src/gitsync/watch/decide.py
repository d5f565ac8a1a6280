"""What the watch loop does after a comparison: pure, so every rule is a table row in tests.

The rules are Argo CD's ``autoSync`` (``reference/argocd-semantics.md`` §6.2), in its order,
with gitsync's one difference: a newer commit always replaces a failing one (DESIGN.md §4.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gitsync.model.application import Automated


class Action(StrEnum):
    NOTHING = "nothing"       # in sync, or the policy says leave it
    SYNC = "sync"             # a full sync of the newest revision
    SELF_HEAL = "self-heal"   # re-apply only the drifted objects: no hooks, no history entry
    WAIT = "wait"             # self-heal back-off: come back in ``wait`` seconds
    REFUSE = "refuse"         # a sync is due but must not run (failed revision, allowEmpty)


@dataclass(frozen=True)
class Observed:
    """What the comparison found, reduced to what the rules read."""

    revision: str
    #: identities of managed resources that differ from Git (missing or modified)
    out_of_sync: tuple[str, ...] = ()
    #: identities of tracked objects no longer in Git (IgnoreExtraneous left out)
    prunable: tuple[str, ...] = ()
    #: how many managed resources the comparison saw (hooks left out)
    total: int = 0

    @property
    def synced(self) -> bool:
        return not self.out_of_sync and not self.prunable


@dataclass(frozen=True)
class LastOp:
    """The app's last recorded operation, as the same-revision rule needs it."""

    revision: str
    succeeded: bool
    #: it never finished (its process died, or a stop interrupted it): not a failed attempt
    interrupted: bool = False
    message: str = ""


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    revision: str = ""
    prune: bool = False
    #: the objects a self-heal re-applies (or prunes)
    resources: tuple[str, ...] = ()
    #: seconds until a self-heal may run (``WAIT``)
    wait: float = 0.0


def decide(policy: Automated | None, seen: Observed, last: LastOp | None, *,
           retry_failed: bool = False, heal_wait: float = 0.0) -> Decision:
    """The one thing to do now for an app with ``policy`` after comparing it (``seen``)."""
    if policy is None:
        return Decision(Action.NOTHING, "no automated sync policy", seen.revision)
    if not policy.enabled:
        return Decision(Action.NOTHING, "automated sync is disabled (enabled: false)",
                        seen.revision)
    if seen.synced:
        return Decision(Action.NOTHING, "Synced", seen.revision)
    if not policy.prune and not seen.out_of_sync:
        return Decision(Action.NOTHING, f"{_count(seen.prunable)} require pruning and "
                                        f"automated.prune is off", seen.revision)
    wanted = seen.out_of_sync + (seen.prunable if policy.prune else ())
    heal = False
    if last is not None and last.revision == seen.revision and not last.interrupted:
        if not last.succeeded and not retry_failed:
            detail = f": {last.message}" if last.message else ""
            return Decision(Action.REFUSE, f"the last sync of {seen.revision[:7]} failed"
                                           f"{detail}; waiting for a new commit",
                            seen.revision)
        if last.succeeded and not policy.self_heal:
            return Decision(Action.NOTHING, "OutOfSync at the synced revision and selfHeal "
                                            "is off: nothing touched", seen.revision)
        heal = last.succeeded
    if policy.prune and not policy.allow_empty and seen.total and \
            len(seen.prunable) == seen.total:
        return Decision(Action.REFUSE, "auto-sync will wipe out all resources (every one "
                                       "requires pruning and allowEmpty is off)",
                        seen.revision)
    if heal:
        if heal_wait > 0:
            return Decision(Action.WAIT, f"self-heal back-off: {heal_wait:.3g}s left",
                            seen.revision, policy.prune, wanted, heal_wait)
        return Decision(Action.SELF_HEAL, f"{_count(wanted)} drifted at the synced revision",
                        seen.revision, policy.prune, wanted)
    reason = ("retrying the failed revision (--retry-failed)" if last is not None
              and last.revision == seen.revision and not last.succeeded
              and not last.interrupted else f"{_count(wanted)} OutOfSync")
    return Decision(Action.SYNC, reason, seen.revision, policy.prune)


def _count(identities: tuple[str, ...]) -> str:
    n = len(identities)
    return f"{n} resource{'s' if n != 1 else ''}"
