"""Argo Workflow (``argoproj.io``), as Argo CD's health_argo.go: the workflow phase decides."""

from __future__ import annotations

from gitsync.health._obj import Obj, text
from gitsync.health._report import degraded, healthy, progressing, unknown
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Healthy when Succeeded, Degraded when Failed/Error, Progressing before that."""
    phase = text(obj, "status", "phase")
    message = text(obj, "status", "message")
    if phase in ("", "Pending", "Running"):
        return progressing(message or "Waiting for the workflow to finish")
    if phase == "Succeeded":
        return healthy(message)
    if phase in ("Failed", "Error"):
        return degraded(message or f"Workflow ended with phase {phase}")
    return unknown(message or f'Workflow phase is "{phase}"')
