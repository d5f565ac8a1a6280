"""HorizontalPodAutoscaler (``autoscaling``), as Argo CD's health_hpa.go.

``autoscaling/v1`` has no conditions field: the controller writes them as JSON into the
annotation ``autoscaling.alpha.kubernetes.io/conditions``; later versions have
``status.conditions``. Any condition in the failure table makes the HPA Degraded, wherever it
sits in the list (the controller writes AbleToScale=True before a failing ScalingActive).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from gitsync.health._obj import Obj, annotation, conditions, describe, is_true, text
from gitsync.health._report import degraded, healthy, progressing, unknown
from gitsync.model import HealthReport
from gitsync.model import annotations as ann

CONDITIONS_ANNOTATION = ann.HPA_V1_CONDITIONS

#: (type, reason) pairs the HPA controller sets when it cannot scale at all
FAILURES = frozenset({
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "FailedGetObjectMetric"),
    ("ScalingActive", "FailedGetPodsMetric"),
    ("ScalingActive", "FailedGetExternalMetric"),
    ("ScalingActive", "FailedComputeMetricsReplicas"),
    ("ScalingActive", "InvalidSelector"),
})

WAITING = "Waiting to Autoscale"


def assess(obj: Obj) -> HealthReport:
    """Degraded on a failure condition, Healthy once able to scale, else Progressing."""
    conds: list[Obj]
    if obj.get("apiVersion") == "autoscaling/v1":
        raw = annotation(obj, CONDITIONS_ANNOTATION)
        if not raw:
            return progressing(WAITING)
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            return unknown(f"cannot read annotation {CONDITIONS_ANNOTATION}: {exc}")
        if not isinstance(parsed, list):
            return unknown(f"annotation {CONDITIONS_ANNOTATION} is not a list")
        conds = [c for c in parsed if isinstance(c, Mapping)]
    else:
        conds = conditions(obj)
    for cond in conds:
        if (text(cond, "type"), text(cond, "reason")) in FAILURES:
            return degraded(text(cond, "message") or describe(cond))
    for cond in conds:
        if cond.get("type") in ("AbleToScale", "ScalingLimited") and is_true(cond):
            return healthy(text(cond, "message"))
    return progressing(WAITING)
