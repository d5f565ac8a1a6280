"""The one table from (group, kind) to a health check, and :func:`assess` that applies it.

Resolution order (reference §3.2): an object being deleted is Progressing "Pending deletion"
(unless a hook finalizer holds it, so a finished hook can still be read); then the check of its
kind from :data:`CHECKS`; then, for a custom resource, the generic rules of
:mod:`gitsync.health.custom`; anything else (ConfigMap, Secret, RBAC, ...) has no health (None).
"""

from __future__ import annotations

from collections.abc import Callable

from gitsync.health import (
    apiservice,
    application,
    cronjob,
    custom,
    daemonset,
    deployment,
    hpa,
    ingress,
    job,
    pod,
    pvc,
    replicaset,
    service,
    statefulset,
    workflow,
)
from gitsync.health._obj import Obj, get, text
from gitsync.health._report import progressing, unknown
from gitsync.model import HealthReport
from gitsync.model import annotations as ann

Check = Callable[[Obj], HealthReport]

#: belongs with the other keys in ``gitsync.model.annotations`` once that module can take it
HOOK_FINALIZER = ann.HOOK_FINALIZER

_V1 = frozenset({"v1"})

#: (group, kind) -> (check, API versions it understands; None for any)
CHECKS: dict[tuple[str, str], tuple[Check, frozenset[str] | None]] = {
    ("apps", "Deployment"): (deployment.assess, _V1),
    ("apps", "StatefulSet"): (statefulset.assess, _V1),
    ("apps", "DaemonSet"): (daemonset.assess, _V1),
    ("apps", "ReplicaSet"): (replicaset.assess, _V1),
    ("batch", "Job"): (job.assess, _V1),
    ("batch", "CronJob"): (cronjob.assess, None),
    ("", "Pod"): (pod.assess, _V1),
    ("", "PersistentVolumeClaim"): (pvc.assess, _V1),
    ("", "Service"): (service.assess, _V1),
    ("networking.k8s.io", "Ingress"): (ingress.assess, None),
    ("extensions", "Ingress"): (ingress.assess, None),
    ("autoscaling", "HorizontalPodAutoscaler"): (
        hpa.assess, frozenset({"v1", "v2", "v2beta1", "v2beta2"})),
    ("apiregistration.k8s.io", "APIService"): (apiservice.assess, frozenset({"v1", "v1beta1"})),
    ("argoproj.io", "Workflow"): (workflow.assess, None),
    ("argoproj.io", "Application"): (application.assess, None),
}

#: API groups served by Kubernetes itself whose names contain a dot; every group without a dot
#: ("", apps, batch, policy...) is built in too, since a CRD's group must contain one
BUILTIN_GROUPS = frozenset({
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io", "metrics.k8s.io", "networking.k8s.io", "node.k8s.io",
    "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
    "storagemigration.k8s.io",
})


def assess(obj: Obj) -> HealthReport | None:
    """Health of one live object; None when its kind has no health check."""
    if text(obj, "metadata", "deletionTimestamp") and not _held_by_hook(obj):
        return progressing("Pending deletion")
    group, _, version = text(obj, "apiVersion").rpartition("/")
    kind = text(obj, "kind")
    entry = CHECKS.get((group, kind))
    if entry is not None:
        check, versions = entry
        if versions is not None and version not in versions:
            return unknown(f"unsupported {kind} version {text(obj, 'apiVersion')}")
        return _guarded(check, obj)
    if "." not in group or group in BUILTIN_GROUPS:
        return None
    return _guarded(custom.assess, obj)


def _held_by_hook(obj: Obj) -> bool:
    finalizers = get(obj, "metadata", "finalizers")
    return isinstance(finalizers, list) and HOOK_FINALIZER in finalizers


def _guarded(check: Callable[[Obj], HealthReport | None], obj: Obj) -> HealthReport | None:
    # the checks read every field defensively; should one still trip on a malformed object,
    # that object is Unknown (as Argo CD reports a failed conversion) rather than the whole
    # sync aborting
    try:
        return check(obj)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return unknown(f"cannot assess health: {exc}")

