"""Application health from its resources' health (reference §3.4).

The caller leaves out hooks and resources annotated ``argocd.argoproj.io/ignore-healthcheck``.
Of the rest, resources without a health check count for nothing, and missing ones do not degrade
the app (their Missing shows per resource) unless every expected resource is missing, which makes
the app Missing. The message names up to three resources of the worst status, in key order.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitsync.model import HealthReport, HealthStatus, ResourceKey

#: how many causing resources the app's message names
MAX_CAUSES = 3


def aggregate(items: Iterable[tuple[ResourceKey, HealthReport | None, bool]]) -> HealthReport:
    """The worst health over ``(key, report, missing)`` items, with a "Caused by" message."""
    expected = 0
    missing: list[ResourceKey] = []
    counted: list[tuple[ResourceKey, HealthReport]] = []
    for key, report, is_missing in items:
        expected += 1
        if is_missing:
            missing.append(key)
        elif report is not None and not _unsettled_child_app(key, report):
            counted.append((key, report))
    if expected and len(missing) == expected:
        return HealthReport(HealthStatus.MISSING,
                            _caused_by([(key, "missing") for key in sorted(missing)]))
    worst = HealthStatus.worst(report.status for _, report in counted)
    if worst is HealthStatus.HEALTHY:
        return HealthReport(HealthStatus.HEALTHY)
    causes = sorted((key, report.message) for key, report in counted if report.status is worst)
    return HealthReport(worst, _caused_by(causes))


def _unsettled_child_app(key: ResourceKey, report: HealthReport) -> bool:
    # a child Application that is Missing/Unknown has usually just been created and not yet
    # reconciled by its own sync; Argo CD does not let that degrade the parent either
    return (key.group, key.kind) == ("argoproj.io", "Application") and report.status in (
        HealthStatus.MISSING, HealthStatus.UNKNOWN)


def _caused_by(causes: list[tuple[ResourceKey, str]]) -> str:
    named = [f"{key.identity}: {message}" if message else key.identity
             for key, message in causes[:MAX_CAUSES]]
    more = len(causes) - MAX_CAUSES
    return "Caused by " + "; ".join(named) + (f" (and {more} more)" if more > 0 else "")
