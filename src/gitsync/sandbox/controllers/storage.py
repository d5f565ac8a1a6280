"""Volumes: a local-path style provisioner binds each claim to a new PersistentVolume, and a
released volume is deleted (reclaim policy Delete) or marked Released (Retain)."""

from __future__ import annotations

import contextlib
from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.base import Handler, Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import NODE_NAME, is_deleting
from gitsync.sandbox.controllers.util import duration_of, outcome_of
from gitsync.sandbox.errors import ApiError
from gitsync.sandbox.store import Event, Key

PVC_KEY: Key = ("", "persistentvolumeclaims")
PV_KEY: Key = ("", "persistentvolumes")
PROVISIONER = "rancher.io/local-path"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
DEFAULT_DURATION = 1.0


class ClaimController(Controller):
    """Provision and bind claims (Immediate binding, so claims bind without a consumer)."""

    name = "persistentvolumeclaims"
    key = PVC_KEY

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("", "v1", "persistentvolumeclaims")
        self.pv_rt = mgr.rtype("", "v1", "persistentvolumes")

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Provision and bind a claim, or let a deleted one go."""
        pvc = self.get(ns, name)
        if pvc is None:
            self.forget(ns, name)
            return
        if is_deleting(pvc):
            if PVC_PROTECTION in (pvc["metadata"].get("finalizers") or []):
                self.cluster.remove_finalizer(self.rt, ns, name, PVC_PROTECTION)
            return
        spec = pvc.get("spec") or {}
        status = pvc.get("status") or {}
        volume = spec.get("volumeName")
        pv = self.mgr.get(PV_KEY, "", volume) if volume else None
        if pv is not None and status.get("phase") == "Bound":
            return
        if pv is None:
            if volume or outcome_of(pvc) == "fail":
                self._pending(pvc)      # pre-bound to a missing volume, or provisioning fails
                return
            seconds = duration_of(pvc)
            if not self.due(ns, name, ("provision", pvc["metadata"]["uid"]),
                            DEFAULT_DURATION if seconds is None else seconds):
                self._pending(pvc)
                return
            pv = self._provision(pvc)
            if pv is None:
                return
        self._bind(pvc, pv)

    def _pending(self, pvc: dict[str, Any]) -> None:
        status = dict(pvc.get("status") or {})
        if status.get("phase") != "Pending":
            status["phase"] = "Pending"
            self.mgr.set_status(self.rt, pvc, status)

    def _provision(self, pvc: dict[str, Any]) -> dict[str, Any] | None:
        md, spec = pvc["metadata"], pvc.get("spec") or {}
        name = f"pvc-{md['uid']}"
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        pv_spec: dict[str, Any] = {
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "capacity": {"storage": storage},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                         "name": md["name"], "namespace": md.get("namespace", ""),
                         "resourceVersion": md.get("resourceVersion"), "uid": md["uid"]},
            "hostPath": {"path": f"/var/local-path-provisioner/{name}_{md.get('namespace')}_"
                                 f"{md['name']}", "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{
                "key": "kubernetes.io/hostname", "operator": "In", "values": [NODE_NAME]}]}]}},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": spec.get("storageClassName") or "standard",
            "volumeMode": spec.get("volumeMode") or "Filesystem",
        }
        pv = self.mgr.get(PV_KEY, "", name) or self.mgr.create(self.pv_rt, "", {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name,
                         "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
            "spec": pv_spec}, "local-path-provisioner")
        return pv

    def _bind(self, pvc: dict[str, Any], pv: dict[str, Any]) -> None:
        now = meta.now()
        pv_status = {"phase": "Bound", "lastPhaseTransitionTime": now}
        if (pv.get("status") or {}).get("phase") != "Bound":
            self.mgr.set_status(self.pv_rt, pv, pv_status)
        pv_name = pv["metadata"]["name"]

        def claim(o: dict[str, Any]) -> None:
            o.setdefault("spec", {})["volumeName"] = pv_name
            ann = o["metadata"].setdefault("annotations", {})
            ann.update({"pv.kubernetes.io/bind-completed": "yes",
                        "pv.kubernetes.io/bound-by-controller": "yes",
                        "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
                        "volume.kubernetes.io/storage-provisioner": PROVISIONER})
        # should validation refuse the binding write, the status still says Bound
        with contextlib.suppress(ApiError):
            self.mgr.update(self.rt, pvc, claim)
        fresh = self.get(pvc["metadata"].get("namespace", ""), pvc["metadata"]["name"])
        if fresh is None:
            return
        pv_spec = pv.get("spec") or {}
        status = dict(fresh.get("status") or {})
        status.update(phase="Bound", accessModes=pv_spec.get("accessModes"),
                      capacity=pv_spec.get("capacity"))
        self.mgr.set_status(self.rt, fresh, status)


class VolumeController(Controller):
    """Reclaim volumes whose claim is gone, and let go of ``pv-protection``."""

    name = "persistentvolumes"
    key = PV_KEY

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("", "v1", "persistentvolumes")

    def routes(self) -> dict[Key, Handler]:
        """Volumes, and claim deletions (their volume may be reclaimed)."""
        return {self.key: self.on_own_event, PVC_KEY: self.on_claim}

    def on_claim(self, key: Key, ev: Event) -> None:
        """A deleted claim's volume may now be reclaimed."""
        volume = (ev.entry.obj.get("spec") or {}).get("volumeName")
        if ev.type == "DELETED" and volume:
            self.enqueue("", volume)

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Delete or release a volume whose claim is gone."""
        pv = self.get("", name)
        if pv is None:
            return
        if is_deleting(pv):
            if PV_PROTECTION in (pv["metadata"].get("finalizers") or []):
                self.cluster.remove_finalizer(self.rt, "", name, PV_PROTECTION)
            return
        spec = pv.get("spec") or {}
        ref = spec.get("claimRef") or {}
        if not ref.get("uid") or ref["uid"] in self.mgr.index.uids:
            return
        if spec.get("persistentVolumeReclaimPolicy", "Retain") == "Delete":
            self.mgr.delete(self.rt, "", name, uid=pv["metadata"]["uid"])
        elif (pv.get("status") or {}).get("phase") != "Released":
            self.mgr.set_status(self.rt, pv, {"phase": "Released",
                                              "lastPhaseTransitionTime": meta.now()})
