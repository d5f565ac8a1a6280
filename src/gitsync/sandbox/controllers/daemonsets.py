"""The DaemonSet controller for the one-node cluster: one pod when the node fits the pod
template's nodeSelector, replaced when the template changes (RollingUpdate)."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.controllers.bootstrap import NODE_LABELS
from gitsync.sandbox.controllers.controller import PodOwnerController
from gitsync.sandbox.controllers.podutil import (
    NODE_NAME,
    is_active,
    is_deleting,
    is_ready,
    is_terminal,
    new_pod,
    owned,
)
from gitsync.sandbox.controllers.util import as_int, template_hash
from gitsync.sandbox.store import Key

REVISION_LABEL = "controller-revision-hash"
#: what the DaemonSet controller adds to every daemon pod so it survives node conditions
_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists",
     "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


class DaemonSetController(PodOwnerController):
    """One daemon pod on the node and the DaemonSet status."""
    name = "daemonsets"
    key = ("apps", "daemonsets")
    owner_kind = "DaemonSet"

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Create, replace or remove the daemon pod; report status."""
        ds = self.get(ns, name)
        if ds is None:
            return
        spec = ds.get("spec") or {}
        old = ds.get("status") or {}
        tmpl = spec.get("template") or {}
        selector = (tmpl.get("spec") or {}).get("nodeSelector") or {}
        desired = 1 if all(NODE_LABELS.get(k) == v for k, v in selector.items()) else 0
        h = template_hash(tmpl, as_int(old.get("collisionCount"), 0))
        active = [p for p in owned(self.mgr, ds) if is_active(p)]
        if not is_deleting(ds):
            rolling = (spec.get("updateStrategy") or {}).get("type",
                                                               "RollingUpdate") == "RollingUpdate"
            keep = [p for p in active if desired and (not rolling or self._hash(p) == h)]
            for pod in [p for p in active if p not in keep] + keep[1:]:
                self.mgr.delete(self.pod_rt, ns, pod["metadata"]["name"],
                                uid=pod["metadata"]["uid"])
            # the replacement starts once the old pod is gone (maxUnavailable 1)
            if desired and not [p for p in owned(self.mgr, ds) if not is_terminal(p)]:
                self._create(ds, h)
            active = [p for p in owned(self.mgr, ds) if is_active(p)]
        ready = sum(1 for p in active if is_ready(p))
        status: dict[str, Any] = {
            "currentNumberScheduled": min(len(active), desired),
            "numberMisscheduled": 0 if desired else len(active),
            "desiredNumberScheduled": desired, "numberReady": ready,
            "observedGeneration": ds["metadata"].get("generation"),
            "updatedNumberScheduled": sum(1 for p in active if self._hash(p) == h) or None,
            "numberAvailable": ready or None,
            "numberUnavailable": max(desired - ready, 0) or None,
            "collisionCount": old.get("collisionCount"), "conditions": old.get("conditions")}
        self.mgr.set_status(self.rt, ds, {k: v for k, v in status.items() if v is not None})

    @staticmethod
    def _hash(pod: dict[str, Any]) -> str:
        return str((pod["metadata"].get("labels") or {}).get(REVISION_LABEL, ""))

    def _create(self, ds: dict[str, Any], h: str) -> None:
        md = ds["metadata"]
        pod = new_pod(ds, (ds.get("spec") or {}).get("template"), labels={
            REVISION_LABEL: h, "pod-template-generation": str(md.get("generation", 1))})
        pspec = pod["spec"]
        pspec["affinity"] = {**(pspec.get("affinity") or {}), "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                "matchFields": [{"key": "metadata.name", "operator": "In",
                                 "values": [NODE_NAME]}]}]}}}
        tolerations = list(pspec.get("tolerations") or [])
        tolerations += [t for t in _TOLERATIONS if t not in tolerations]
        pspec["tolerations"] = tolerations
        self.mgr.create(self.pod_rt, md.get("namespace", ""), pod)
