"""ReplicaSet (``apps/v1``), as Argo CD's health_replicaset.go."""

from __future__ import annotations

from gitsync.health._obj import Obj, condition, count, is_true, number, text
from gitsync.health._report import degraded, healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Degraded on ReplicaFailure (quota, admission); Progressing until all replicas available."""
    if count(obj, "metadata", "generation") > count(obj, "status", "observedGeneration"):
        return progressing("Waiting for rollout to finish: observed replica set generation "
                           "less than desired generation")
    failure = condition(obj, "ReplicaFailure")
    if is_true(failure):
        return degraded(text(failure, "message") or text(failure, "reason"))
    wanted = number(obj, "spec", "replicas")
    available = count(obj, "status", "availableReplicas")
    if wanted is not None and available < wanted:
        return progressing(f"Waiting for rollout to finish: {available} out of {wanted} new "
                           f"replicas are available...")
    return healthy()
