"""Argo CD Application (``argoproj.io``): the child app's own reported health.

Argo CD dropped its built-in Application check in v1.8, so waves over child apps stop waiting
(argo-cd #6411, #8358); gitsync keeps it, as the Lua override in Argo CD's docs does: copy
``status.health``, and treat an app that has not reported yet as Progressing.
"""

from __future__ import annotations

from gitsync.health._obj import Obj, text
from gitsync.health._report import progressing, unknown
from gitsync.model import HealthReport, HealthStatus


def assess(obj: Obj) -> HealthReport:
    """``status.health.status`` with its message; Progressing until the app reports one."""
    status = text(obj, "status", "health", "status")
    message = text(obj, "status", "health", "message")
    if not status:
        return progressing(message or "Waiting for the Application to report its health")
    try:
        return HealthReport(HealthStatus(status), message)
    except ValueError:
        return unknown(f'Application reports an invalid health status "{status}"')
