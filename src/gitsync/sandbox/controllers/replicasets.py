"""The ReplicaSet controller: keep ``spec.replicas`` pods and report how many are ready."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.controllers.controller import PodOwnerController
from gitsync.sandbox.controllers.podutil import (
    is_active,
    is_deleting,
    is_ready,
    new_pod,
    owned,
    phase,
)
from gitsync.sandbox.controllers.util import as_int
from gitsync.sandbox.store import Key


def _deletion_order(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods a scale-down removes first: unscheduled, pending, unready, then the newest."""
    newest_first = sorted(pods, key=lambda p: (p["metadata"].get("creationTimestamp", ""),
                                               p["metadata"]["name"]), reverse=True)
    return sorted(newest_first, key=lambda p: (bool((p.get("spec") or {}).get("nodeName")),
                                               phase(p) != "Pending", is_ready(p)))


class ReplicaSetController(PodOwnerController):
    """Pods for ReplicaSets and the ReplicaSet status."""
    name = "replicasets"
    key = ("apps", "replicasets")
    owner_kind = "ReplicaSet"

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Create or delete pods towards spec.replicas; report status."""
        rs = self.get(ns, name)
        if rs is None:
            return
        spec = rs.get("spec") or {}
        pods = owned(self.mgr, rs)
        active = [p for p in pods if is_active(p)]
        want = max(as_int(spec.get("replicas"), 1), 0)
        if not is_deleting(rs):
            if len(active) < want:
                for _ in range(want - len(active)):
                    self.mgr.create(self.pod_rt, ns, new_pod(rs, spec.get("template")))
            elif len(active) > want:
                for pod in _deletion_order(active)[:len(active) - want]:
                    self.mgr.delete(self.pod_rt, ns, pod["metadata"]["name"],
                                    uid=pod["metadata"]["uid"])
        tmpl_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        labeled = sum(1 for p in active if all(
            (p["metadata"].get("labels") or {}).get(k) == v for k, v in tmpl_labels.items()))
        ready = sum(1 for p in active if is_ready(p))
        status: dict[str, Any] = {"replicas": len(active), "fullyLabeledReplicas": labeled,
                                  "readyReplicas": ready, "availableReplicas": ready,
                                  "observedGeneration": rs["metadata"].get("generation")}
        old = rs.get("status") or {}
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        status = {k: v for k, v in status.items() if v or k == "replicas"}
        self.mgr.set_status(self.rt, rs, status)
