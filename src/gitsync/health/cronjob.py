"""CronJob (``batch/v1``), as Argo CD's built-in Lua check (resource_customizations/batch/CronJob).

Argo CD reports a suspended CronJob as Healthy, not Suspended (argo-cd issue #24428), and never
as Progressing once it has a status: a schedule is not a rollout to wait for.
"""

from __future__ import annotations

from datetime import datetime

from gitsync.health._obj import Obj, get, objects, text
from gitsync.health._report import degraded, healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Degraded only when the last scheduled run did not succeed and none is running."""
    if get(obj, "spec", "suspend") is True:
        return healthy("CronJob is Suspended")
    # a status of {} (as the API server creates it) is "present"; only no status at all waits
    if get(obj, "status") is None:
        return progressing("Waiting for CronJob")
    scheduled = text(obj, "status", "lastScheduleTime")
    if not scheduled:
        return healthy("CronJob has not been scheduled yet")
    succeeded = text(obj, "status", "lastSuccessfulTime")
    if not succeeded:
        # the first run may still be going: too early to call it failed
        return healthy("The CronJob never completed successfully. It may not be healthy")
    if objects(obj, "status", "active"):
        return healthy("The job is running. Its last execution may not have been successful")
    if _before(succeeded, scheduled):
        return degraded("CronJob has not completed its last execution successfully")
    return healthy("CronJob has completed its last execution successfully")


def _before(a: str, b: str) -> bool:
    try:
        return _time(a) < _time(b)
    except (ValueError, TypeError):
        # not RFC 3339 (or without a zone): compare as text, as the Lua check does
        return a < b


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
