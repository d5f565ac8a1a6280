"""The StatefulSet controller: ordinal pods (one at a time unless Parallel), their claims
from volumeClaimTemplates, rolling updates from the highest ordinal down, revisions."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import PodOwnerController
from gitsync.sandbox.controllers.podutil import (
    is_active,
    is_deleting,
    is_ready,
    new_pod,
    owned,
)
from gitsync.sandbox.controllers.util import as_int, json_copy, template_hash
from gitsync.sandbox.store import Key

REVISION_LABEL = "controller-revision-hash"
PVC_KEY: Key = ("", "persistentvolumeclaims")


def _revision(pod: dict[str, Any]) -> str:
    return str((pod["metadata"].get("labels") or {}).get(REVISION_LABEL, ""))


class StatefulSetController(PodOwnerController):
    """Ordinal pods and claims for StatefulSets, and their status."""
    name = "statefulsets"
    key = ("apps", "statefulsets")
    owner_kind = "StatefulSet"

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.pvc_rt = mgr.rtype("", "v1", "persistentvolumeclaims")

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """One step of scaling or updating, then the status."""
        sts = self.get(ns, name)
        if sts is None:
            return
        spec = sts.get("spec") or {}
        old = sts.get("status") or {}
        replicas = max(as_int(spec.get("replicas"), 1), 0)
        collisions = as_int(old.get("collisionCount"), 0)
        update_rev = f"{name}-{template_hash(spec.get('template') or {}, collisions)}"
        current_rev = old.get("currentRevision") or update_rev
        pods = {p["metadata"]["name"]: p for p in owned(self.mgr, sts)}
        if not is_deleting(sts):
            self._manage(sts, pods, replicas, update_rev)
            pods = {p["metadata"]["name"]: p for p in owned(self.mgr, sts)}
        active = [p for p in pods.values() if is_active(p)]
        ready = sum(1 for p in active if is_ready(p))
        updated = sum(1 for p in active if _revision(p) == update_rev)
        if updated == replicas == ready and len(active) == replicas:
            current_rev = update_rev
        current = sum(1 for p in active if _revision(p) == current_rev)
        status: dict[str, Any] = {
            "observedGeneration": sts["metadata"].get("generation"), "replicas": len(active),
            "readyReplicas": ready or None, "currentReplicas": current or None,
            "updatedReplicas": updated or None, "currentRevision": current_rev,
            "updateRevision": update_rev, "collisionCount": collisions,
            "conditions": old.get("conditions"), "availableReplicas": ready}
        self.mgr.set_status(self.rt, sts, {k: v for k, v in status.items() if v is not None})

    def _manage(self, sts: dict[str, Any], pods: dict[str, dict[str, Any]], replicas: int,
                rev: str) -> None:
        """One step of OrderedReady (or everything at once for Parallel)."""
        spec = sts.get("spec") or {}
        name, ns = sts["metadata"]["name"], sts["metadata"].get("namespace", "")
        parallel = spec.get("podManagementPolicy") == "Parallel"
        for i in range(replicas):
            pod = pods.get(f"{name}-{i}")
            if pod is None:
                self._create(sts, i, rev)
                if not parallel:
                    return
            elif not parallel and not (is_active(pod) and is_ready(pod)):
                return
        extra = sorted((p for n, p in pods.items() if self._ordinal(name, n) >= replicas
                        and not is_deleting(p)),
                       key=lambda p: -self._ordinal(name, p["metadata"]["name"]))
        for pod in extra[:len(extra) if parallel else 1]:
            self.mgr.delete(self.pod_rt, ns, pod["metadata"]["name"],
                            uid=pod["metadata"]["uid"])
        if extra:
            return
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = as_int((strategy.get("rollingUpdate") or {}).get("partition"), 0)
        for i in range(replicas - 1, partition - 1, -1):
            pod = pods.get(f"{name}-{i}")
            if pod is not None and _revision(pod) != rev and not is_deleting(pod):
                self.mgr.delete(self.pod_rt, ns, pod["metadata"]["name"],
                                uid=pod["metadata"]["uid"])
                return

    @staticmethod
    def _ordinal(sts_name: str, pod_name: str) -> int:
        suffix = pod_name[len(sts_name) + 1:]
        return int(suffix) if suffix.isdigit() else -1

    def _create(self, sts: dict[str, Any], ordinal: int, rev: str) -> None:
        spec = sts.get("spec") or {}
        md = sts["metadata"]
        ns, pod_name = md.get("namespace", ""), f"{md['name']}-{ordinal}"
        pod = new_pod(sts, spec.get("template"), name=pod_name, labels={
            REVISION_LABEL: rev, "statefulset.kubernetes.io/pod-name": pod_name,
            "apps.kubernetes.io/pod-index": str(ordinal)})
        pod["spec"]["hostname"] = pod_name
        if spec.get("serviceName"):
            pod["spec"]["subdomain"] = spec["serviceName"]
        volumes = [v for v in pod["spec"].get("volumes") or []]
        for tmpl in spec.get("volumeClaimTemplates") or []:
            vname = (tmpl.get("metadata") or {}).get("name", "")
            claim = f"{vname}-{pod_name}"
            if self.mgr.get(PVC_KEY, ns, claim) is None:
                labels = dict((spec.get("selector") or {}).get("matchLabels") or {})
                cmd: dict[str, Any] = {"name": claim, "namespace": ns}
                if labels:
                    cmd["labels"] = labels
                self.mgr.create(self.pvc_rt, ns, {
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": cmd,
                    "spec": json_copy(tmpl.get("spec") or {})})
            volumes = [v for v in volumes if v.get("name") != vname]
            volumes.append({"name": vname, "persistentVolumeClaim": {"claimName": claim}})
        if volumes:
            pod["spec"]["volumes"] = volumes
        self.mgr.create(self.pod_rt, ns, pod)
