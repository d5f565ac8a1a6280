"""Closed vocabularies of the sync domain, with the predicates callers need."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class HealthStatus(StrEnum):
    """Health of an object or app, ordered from best to worst (Argo CD's ``healthOrder``)."""

    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"

    @property
    def severity(self) -> int:
        return _HEALTH_ORDER.index(self)

    def is_worse_than(self, other: HealthStatus) -> bool:
        return self.severity > other.severity

    @staticmethod
    def worst(statuses: Iterable[HealthStatus]) -> HealthStatus:
        """The worst of ``statuses``; Healthy when there are none."""
        return max(statuses, key=lambda s: s.severity, default=HealthStatus.HEALTHY)


_HEALTH_ORDER = list(HealthStatus)


class SyncStatus(StrEnum):
    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    UNKNOWN = "Unknown"


class HookType(StrEnum):
    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SYNC_FAIL = "SyncFail"
    SKIP = "Skip"
    PRE_DELETE = "PreDelete"
    POST_DELETE = "PostDelete"

    @property
    def is_sync_phase(self) -> bool:
        return self in (HookType.PRE_SYNC, HookType.SYNC, HookType.POST_SYNC,
                        HookType.SYNC_FAIL)


class HookDeletePolicy(StrEnum):
    HOOK_SUCCEEDED = "HookSucceeded"
    HOOK_FAILED = "HookFailed"
    BEFORE_HOOK_CREATION = "BeforeHookCreation"


class SyncPhase(StrEnum):
    """Phases of a sync, in execution order."""

    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SYNC_FAIL = "SyncFail"

    @property
    def order(self) -> int:
        return list(SyncPhase).index(self)


class ResultCode(StrEnum):
    """Outcome of one resource in an operation."""

    SYNCED = "Synced"
    SYNC_FAILED = "SyncFailed"
    PRUNED = "Pruned"
    PRUNE_SKIPPED = "PruneSkipped"


class OperationPhase(StrEnum):
    RUNNING = "Running"
    TERMINATING = "Terminating"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ERROR = "Error"

    @property
    def is_completed(self) -> bool:
        return self in (OperationPhase.SUCCEEDED, OperationPhase.FAILED, OperationPhase.ERROR)
