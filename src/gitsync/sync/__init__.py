"""Running a plan: apply, wait, hooks lifecycle, prune, retries, operation state, rollback."""

from gitsync.sync.operation import Operation, Outcome, ensure_not_automated, initiator
from gitsync.sync.request import SyncRequest

__all__ = ["Operation", "Outcome", "SyncRequest", "ensure_not_automated", "initiator"]
