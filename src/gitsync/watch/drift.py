"""Reading a comparison and the last operation for the rules: what differs, and who did it."""

from __future__ import annotations

from collections.abc import Iterable

from gitsync.compare import AppState, ResourceState
from gitsync.diff.result import changed_in_cluster
from gitsync.history import OperationState
from gitsync.model import annotations as ann
from gitsync.model.enums import OperationPhase, SyncStatus
from gitsync.watch.decide import LastOp, Observed
from gitsync.watch.events import Change

#: what the sync engine records when a stop (Ctrl-C, SIGTERM) cut an operation short
_INTERRUPTED = "interrupted"
#: the reason prefix of a field another manager wrote last (see gitsync.diff.result)
_IN_CLUSTER = changed_in_cluster("")


def observe(state: AppState) -> Observed:
    """The comparison as the decision rules see it."""
    out_of_sync: list[str] = []
    prunable: list[str] = []
    for r in state.managed:
        if r.status != SyncStatus.OUT_OF_SYNC:
            continue
        if r.requires_pruning:
            if not r.ignore_extraneous:
                prunable.append(r.key.identity)
        else:
            out_of_sync.append(r.key.identity)
    return Observed(state.revision.sha, tuple(out_of_sync), tuple(prunable),
                    len(state.managed))


def last_op(op: OperationState | None) -> LastOp | None:
    """The recorded operation for the same-revision rule; dry runs never count."""
    if op is None or op.dry_run:
        return None
    # The watcher holds the app's Lease while it decides, so a Running operation cannot be
    # running: its process died. An interrupted one (SIGTERM during a rollout of the watcher
    # itself) did not fail either; neither may block the revision until the next commit.
    interrupted = op.phase == OperationPhase.RUNNING or op.message.startswith(_INTERRUPTED)
    return LastOp(op.revision, op.phase == OperationPhase.SUCCEEDED, interrupted, op.message)


def changes(state: AppState, identities: Iterable[str] | None = None) -> tuple[Change, ...]:
    """How the drifted resources (all, or only ``identities``) differ, field by field."""
    wanted = set(identities) if identities is not None else None
    out: list[Change] = []
    for r in state.differing:
        if wanted is not None and r.key.identity not in wanted:
            continue
        out.extend(_changes(r))
    return tuple(out)


def _changes(r: ResourceState) -> list[Change]:
    name = r.key.identity
    if r.live is None:
        return [Change(name, note="missing (deleted in the cluster?)")]
    if r.requires_pruning:
        return [Change(name, note="not in Git (requires pruning)")]
    if r.diff is None:
        return []
    out = []
    for c in r.diff.changes:
        manager = c.manager if c.manager and c.reason.startswith(_IN_CLUSTER) else ""
        if manager == ann.FIELD_MANAGER:
            manager = ""
        out.append(Change(name, c.path, c.desired, c.live, manager))
    return out or [Change(name, note="differs from Git")]
