"""Job (``batch/v1``), as Argo CD's health_job.go: the terminal conditions decide."""

from __future__ import annotations

from gitsync.health._obj import Obj, conditions, count, find, is_true, text
from gitsync.health._report import degraded, healthy, progressing, suspended
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Degraded if Failed, Healthy if Complete, Suspended if suspended, else Progressing."""
    conds = conditions(obj)
    failed = find(conds, "Failed")
    if is_true(failed):
        return degraded(text(failed, "message") or text(failed, "reason") or "Job failed")
    complete = find(conds, "Complete")
    if is_true(complete):
        return healthy(text(complete, "message"))
    # Argo CD also counts Suspended=False (a resumed Job) as finished and so Healthy while its
    # pods still run; a resumed hook Job would then pass at once, so only True counts here
    paused = find(conds, "Suspended")
    if is_true(paused):
        return suspended(text(paused, "message") or "Job is suspended")
    active = count(obj, "status", "active")
    succeeded = count(obj, "status", "succeeded")
    failures = count(obj, "status", "failed")
    return progressing(f"Waiting for Job to complete: {active} active, {succeeded} succeeded, "
                       f"{failures} failed pods")
