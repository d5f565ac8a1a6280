"""PersistentVolumeClaim (``v1``), as Argo CD's health_pvc.go: the claim's phase decides."""

from __future__ import annotations

from gitsync.health._obj import Obj, annotation, text
from gitsync.health._report import degraded, healthy, progressing, unknown
from gitsync.model import HealthReport

#: set once a provisioner has taken the claim on (the beta key is still written alongside)
PROVISIONER_KEYS = ("volume.kubernetes.io/storage-provisioner",
                    "volume.beta.kubernetes.io/storage-provisioner")


def assess(obj: Obj) -> HealthReport:
    """Healthy when Bound, Progressing while Pending, Degraded when Lost."""
    phase = text(obj, "status", "phase")
    if phase == "Bound":
        return healthy()
    if phase == "Pending":
        if any(annotation(obj, key) for key in PROVISIONER_KEYS):
            return progressing("Provisioning volume")
        # the usual cause is a WaitForFirstConsumer storage class: nothing binds the claim
        # until a pod uses it, so a pod in a later wave would wait for this claim forever
        return progressing("Waiting for a volume to be bound (with a WaitForFirstConsumer "
                           "storage class, a pod using the claim must be in the same or an "
                           "earlier sync wave)")
    if phase == "Lost":
        return degraded("The claim lost its underlying PersistentVolume")
    return unknown(f'PersistentVolumeClaim phase is "{phase}"' if phase
                   else "PersistentVolumeClaim has no phase")
