"""DaemonSet (``apps/v1``): kubectl's rollout-status rules, as Argo CD's health_daemonset.go."""

from __future__ import annotations

from gitsync.health._obj import Obj, count, get, name
from gitsync.health._report import healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Progressing until observed and every scheduled pod is updated and available."""
    if count(obj, "metadata", "generation") > count(obj, "status", "observedGeneration"):
        return progressing("Waiting for rollout to finish: observed daemon set generation "
                           "less than desired generation")
    desired = count(obj, "status", "desiredNumberScheduled")
    updated = count(obj, "status", "updatedNumberScheduled")
    available = count(obj, "status", "numberAvailable")
    if get(obj, "spec", "updateStrategy", "type") == "OnDelete":
        # pods are only replaced when someone deletes them: nothing to wait for
        return healthy(f"daemon set {updated} out of {desired} new pods have been updated")
    if updated < desired:
        return progressing(f'Waiting for daemon set "{name(obj)}" rollout to finish: {updated} '
                           f"out of {desired} new pods have been updated...")
    if available < desired:
        return progressing(f'Waiting for daemon set "{name(obj)}" rollout to finish: '
                           f"{available} of {desired} updated pods are available...")
    return healthy()
