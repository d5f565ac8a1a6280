"""Deployment (``apps/v1``): kubectl's rollout-status rules, as Argo CD's health_deployment.go."""

from __future__ import annotations

from gitsync.health._obj import Obj, condition, count, get, name, number
from gitsync.health._report import degraded, healthy, progressing, suspended
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Suspended when paused; Degraded past its progress deadline; Progressing mid-rollout."""
    if get(obj, "spec", "paused") is True:
        return suspended("Deployment is paused")
    # a status from before the last spec change says nothing about the current rollout
    if count(obj, "metadata", "generation") > count(obj, "status", "observedGeneration"):
        return progressing("Waiting for rollout to finish: observed deployment generation "
                           "less than desired generation")
    progress = condition(obj, "Progressing")
    if progress is not None and progress.get("reason") == "ProgressDeadlineExceeded":
        return degraded(f'Deployment "{name(obj)}" exceeded its progress deadline')
    wanted = number(obj, "spec", "replicas")
    replicas = count(obj, "status", "replicas")
    updated = count(obj, "status", "updatedReplicas")
    available = count(obj, "status", "availableReplicas")
    if wanted is not None and updated < wanted:
        return progressing(f"Waiting for rollout to finish: {updated} out of {wanted} new "
                           f"replicas have been updated...")
    if replicas > updated:
        return progressing(f"Waiting for rollout to finish: {replicas - updated} old replicas "
                           f"are pending termination...")
    if available < updated:
        return progressing(f"Waiting for rollout to finish: {available} of {updated} updated "
                           f"replicas are available...")
    return healthy()
