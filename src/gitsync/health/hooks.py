"""When a hook is done, from its health (reference §2.6)."""

from __future__ import annotations

from gitsync.model import HealthReport, HealthStatus, OperationPhase


def hook_phase(report: HealthReport | None) -> OperationPhase:
    """Succeeded, Running or Failed for a hook whose live object has this health."""
    # a kind without a health check (ConfigMap, Secret...) is done as soon as it exists
    if report is None or report.status is HealthStatus.HEALTHY:
        return OperationPhase.SUCCEEDED
    if report.status in (HealthStatus.DEGRADED, HealthStatus.UNKNOWN):
        return OperationPhase.FAILED
    # Progressing and Suspended keep waiting, as in Argo CD; so does Missing, which only means
    # the object has not been seen yet: the caller's timeout ends a wait for one that never comes
    return OperationPhase.RUNNING
