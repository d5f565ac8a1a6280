"""Generic health of custom resources, from the conventions most controllers follow.

Argo CD gives a custom resource without a Lua script no health, so sync waves and hooks pass it
at once, before its controller has acted (argo-cd #4577, #14442). gitsync reads the status
conventions instead (DESIGN.md §4.8), in this order; the first rule that applies decides:

1. No ``status`` at all: no health (None). Many custom resources are pure configuration that no
   controller ever writes a status to (ServiceMonitor, VirtualService, IngressRoute); waiting for
   one would block a sync forever.
2. ``status: {}`` on an object with ``metadata.generation``: Progressing "Waiting for status";
   there is a status to fill in, and its controller has not got to it yet.
3. ``status.observedGeneration`` below ``metadata.generation``, or a Ready, Available, Stalled or
   Reconciling condition whose own ``observedGeneration`` is below it: Progressing "Waiting for
   the controller to observe generation N"; what the status says is about an older spec.
4. ``Stalled=True`` (kstatus): Degraded; the controller has given up.
5. ``Reconciling=True`` (kstatus): Progressing.
6. A ``Ready`` condition, else an ``Available`` one: True is Healthy; False is Degraded when its
   reason says it failed (contains Fail, Error, Invalid, Denied, Forbidden, Rejected, Exceeded,
   BackOff, Timeout, TimedOut, Crash, Degraded or Unhealthy), else Progressing (Creating,
   DependencyNotReady...); Unknown is Progressing.
7. ``status.phase`` (any case): Failed, Error, Degraded are Degraded; Pending, Running,
   Progressing, Creating, Provisioning, Initializing, Updating, Waiting, InProgress are
   Progressing; Succeeded, Ready, Active, Healthy, Available, Bound, Complete, Completed,
   Deployed are Healthy. The message is ``status.message`` when there is one. Other phases fall
   through.
8. Otherwise: Healthy when ``status.observedGeneration`` equals the generation (the controller
   has seen this spec and reports nothing wrong, as kstatus reads it), else no health (None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gitsync.health._obj import Obj, conditions, describe, find, get, is_true, number, text
from gitsync.health._report import degraded, healthy, progressing
from gitsync.model import HealthReport, HealthStatus

#: words in a condition reason that mean the controller failed, not that it is still working
FAILED_REASON = re.compile(
    r"Fail|Error|Invalid|Denied|Forbidden|Rejected|Exceeded|BackOff|Timeout|TimedOut|Crash|"
    r"Degraded|Unhealthy")

PHASES: dict[str, HealthStatus] = {
    **dict.fromkeys(("failed", "error", "degraded"), HealthStatus.DEGRADED),
    **dict.fromkeys(("pending", "running", "progressing", "creating", "provisioning",
                     "initializing", "updating", "waiting", "inprogress"),
                    HealthStatus.PROGRESSING),
    **dict.fromkeys(("succeeded", "ready", "active", "healthy", "available", "bound",
                     "complete", "completed", "deployed"), HealthStatus.HEALTHY),
}

#: the condition types these rules read; a stale one of them means the status is stale
READ_CONDITIONS = ("Ready", "Available", "Stalled", "Reconciling")


def assess(obj: Obj) -> HealthReport | None:
    """Health of a custom resource from its status conventions; None when it has none."""
    status = get(obj, "status")
    generation = number(obj, "metadata", "generation")
    if not isinstance(status, Mapping) or (not status and generation is None):
        return None
    if not status:
        return progressing("Waiting for status")
    conds = conditions(obj)
    if generation is not None and _stale(obj, conds, generation):
        return progressing(f"Waiting for the controller to observe generation {generation}")
    return _from_conditions(conds) or _from_phase(obj) or _from_generation(obj, generation)


def _stale(obj: Obj, conds: list[Obj], generation: int) -> bool:
    observed = number(obj, "status", "observedGeneration")
    if observed is not None and observed < generation:
        return True
    for cond in conds:
        seen = number(cond, "observedGeneration")
        if cond.get("type") in READ_CONDITIONS and seen is not None and seen < generation:
            return True
    return False


def _from_conditions(conds: list[Obj]) -> HealthReport | None:
    stalled = find(conds, "Stalled")
    if is_true(stalled):
        return degraded(describe(stalled) or "Stalled")
    reconciling = find(conds, "Reconciling")
    if is_true(reconciling):
        return progressing(describe(reconciling) or "Reconciling")
    ready = find(conds, "Ready") or find(conds, "Available")
    if ready is None:
        return None
    kind = text(ready, "type")
    state = ready.get("status")
    if state == "True":
        return healthy(describe(ready))
    if state == "False" and FAILED_REASON.search(text(ready, "reason")):
        return degraded(describe(ready) or f"{kind} is False")
    return progressing(describe(ready) or f"Waiting for {kind} condition")


def _from_phase(obj: Obj) -> HealthReport | None:
    phase = text(obj, "status", "phase")
    status = PHASES.get(phase.lower())
    if status is None:
        return None
    return HealthReport(status, text(obj, "status", "message") or f"Phase: {phase}")


def _from_generation(obj: Obj, generation: int | None) -> HealthReport | None:
    observed = number(obj, "status", "observedGeneration")
    if generation is not None and observed == generation:
        return healthy(f"Generation {generation} observed")
    return None
