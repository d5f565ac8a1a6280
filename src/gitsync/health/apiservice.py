"""APIService (``apiregistration.k8s.io``), as Argo CD's health_apiservice.go."""

from __future__ import annotations

from gitsync.health._obj import Obj, condition, describe, is_true
from gitsync.health._report import healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Healthy when the Available condition is True; Progressing otherwise."""
    available = condition(obj, "Available")
    if available is None:
        return progressing("Waiting to be processed")
    if is_true(available):
        return healthy(describe(available))
    # Argo CD never calls an unavailable APIService Degraded: its backend may still be starting
    return progressing(describe(available))
