"""HorizontalPodAutoscalers: the sandbox has metrics for everything, so an HPA is always able
to scale and keeps its target within bounds (status as kube-controller-manager writes it)."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.store import Key

HPA_KEY: Key = ("autoscaling", "horizontalpodautoscalers")


def _condition(kind: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {"type": kind, "status": "True" if kind != "ScalingLimited" else "False",
            "lastTransitionTime": now, "reason": reason, "message": message}


class HPAController(Controller):
    """Report the HPA as active: AbleToScale, ScalingActive, not ScalingLimited."""
    name = "horizontalpodautoscalers"
    key = HPA_KEY

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("autoscaling", "v2", "horizontalpodautoscalers")

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Desired replicas within [min, max], conditions of a healthy autoscaler."""
        hpa = self.get(ns, name)
        if hpa is None:
            return
        spec = hpa.get("spec") or {}
        old = hpa.get("status") or {}
        low = int(spec.get("minReplicas") or 1)
        high = int(spec.get("maxReplicas") or low)
        current = max(low, min(high, int(old.get("currentReplicas") or low)))
        now = str((old.get("conditions") or [{}])[0].get("lastTransitionTime") or meta.now())
        status: dict[str, Any] = {
            "currentReplicas": current, "desiredReplicas": current,
            "conditions": [
                _condition("AbleToScale", "ReadyForNewScale",
                           "recommended size matches current size", now),
                _condition("ScalingActive", "ValidMetricFound",
                           "the HPA was able to successfully calculate a replica count from "
                           "cpu resource utilization (percentage of request)", now),
                _condition("ScalingLimited", "DesiredWithinRange",
                           "the desired count is within the acceptable range", now)],
        }
        if "observedGeneration" in old or "generation" in (hpa.get("metadata") or {}):
            status["observedGeneration"] = (hpa.get("metadata") or {}).get("generation", 1)
        self.mgr.set_status(self.rt, hpa, status)
