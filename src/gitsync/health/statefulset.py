"""StatefulSet (``apps/v1``): kubectl's rollout-status rules, as Argo CD's health_statefulset.go."""

from __future__ import annotations

from collections.abc import Mapping

from gitsync.health._obj import Obj, count, mapping, number, text
from gitsync.health._report import healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Progressing until observed, all pods ready and the update (or partition) rolled out."""
    observed = count(obj, "status", "observedGeneration")
    if observed == 0 or count(obj, "metadata", "generation") > observed:
        return progressing("Waiting for statefulset spec update to be observed...")
    wanted = number(obj, "spec", "replicas")
    ready = count(obj, "status", "readyReplicas")
    updated = count(obj, "status", "updatedReplicas")
    if wanted is not None and ready < wanted:
        return progressing(f"Waiting for {wanted - ready} pods to be ready...")
    strategy = mapping(obj, "spec", "updateStrategy")
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "RollingUpdate" and isinstance(rolling, Mapping):
        partition = number(rolling, "partition")
        # pods below the partition ordinal are deliberately left at the old revision
        if wanted is not None and partition is not None and updated < wanted - partition:
            return progressing(f"Waiting for partitioned roll out to finish: {updated} out of "
                               f"{wanted - partition} new pods have been updated...")
        return healthy(f"partitioned roll out complete: {updated} new pods have been updated...")
    if strategy.get("type") == "OnDelete":
        # pods are only replaced when someone deletes them: nothing to wait for
        return healthy(f"statefulset has {ready} ready pods")
    update_rev = text(obj, "status", "updateRevision")
    current_rev = text(obj, "status", "currentRevision")
    if update_rev != current_rev:
        return progressing(f"waiting for statefulset rolling update to complete {updated} pods "
                           f"at revision {update_rev}...")
    current = count(obj, "status", "currentReplicas")
    return healthy(f"statefulset rolling update complete {current} pods at revision "
                   f"{current_rev}...")
