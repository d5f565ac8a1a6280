"""CustomResourceDefinitions: accept names and establish at once; on deletion, delete the
custom resources first (honouring their finalizers) when the cleanup finalizer is set."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.cluster import CRD_KEY
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import is_deleting
from gitsync.sandbox.store import Event, Key

CLEANUP = "customresourcecleanup.apiextensions.k8s.io"
APISERVER = "kube-apiserver"


def _accepted(spec: dict[str, Any]) -> dict[str, Any]:
    names = spec.get("names") or {}
    out: dict[str, Any] = {"plural": names.get("plural", "")}
    out["singular"] = names.get("singular") or str(names.get("kind", "")).lower()
    if names.get("shortNames"):
        out["shortNames"] = list(names["shortNames"])
    out["kind"] = names.get("kind", "")
    out["listKind"] = names.get("listKind") or f"{names.get('kind', '')}List"
    if names.get("categories"):
        out["categories"] = list(names["categories"])
    return out


def _condition(old: list[dict[str, Any]], ctype: str, status: str, reason: str,
               message: str) -> dict[str, Any]:
    prev = next((c for c in old if c.get("type") == ctype), {})
    since = prev.get("lastTransitionTime") if prev.get("status") == status else None
    return {"type": ctype, "status": status, "lastTransitionTime": since or meta.now(),
            "reason": reason, "message": message}


class CRDController(Controller):
    """Sets CRD status; cleans up custom resources on deletion."""
    name = "customresourcedefinitions"
    key = CRD_KEY

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        #: custom resource keys whose CRD waits for them to be gone
        self._cleaning: dict[Key, str] = {}
        mgr.watch_everything(self.on_custom)

    def on_custom(self, key: Key, ev: Event) -> None:
        """A custom resource of a terminating CRD is gone: check the CRD again."""
        crd = self._cleaning.get(key)
        if crd is not None and ev.type == "DELETED":
            self.enqueue("", crd)

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Establish a CRD, or finish its deletion."""
        crd = self.get("", name)
        if crd is None:
            return
        spec = crd.get("spec") or {}
        status = dict(crd.get("status") or {})
        old = list(status.get("conditions") or [])
        if is_deleting(crd):
            self._cleanup(crd, status, old)
            return
        conds = [c for c in old if c.get("type") not in ("NamesAccepted", "Established")]
        conds += [_condition(old, "NamesAccepted", "True", "NoConflicts", "no conflicts found"),
                  _condition(old, "Established", "True", "InitialNamesAccepted",
                             "the initial names have been accepted")]
        stored = list(status.get("storedVersions") or [])
        for v in spec.get("versions") or []:
            if v.get("storage") and v.get("name") not in stored:
                stored.append(v["name"])
        status.update(conditions=conds, acceptedNames=_accepted(spec), storedVersions=stored)
        self.mgr.set_status(self.rt, crd, status, APISERVER)

    def _cleanup(self, crd: dict[str, Any], status: dict[str, Any],
                 old: list[dict[str, Any]]) -> None:
        name = crd["metadata"]["name"]
        if CLEANUP not in (crd["metadata"].get("finalizers") or []):
            return
        spec = crd.get("spec") or {}
        key: Key = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
        self._cleaning[key] = name
        bucket = self.cluster.store.buckets.get(key)
        for (ns, cr_name), entry in list(bucket.objects.items()) if bucket else []:
            if entry.obj["metadata"].get("deletionTimestamp"):
                continue
            rt = self.mgr.rtype_of(key, entry.obj)
            if rt is not None:
                self.mgr.delete(rt, ns, cr_name, "Background", entry.obj["metadata"]["uid"])
        bucket = self.cluster.store.buckets.get(key)
        if bucket and bucket.objects:
            conds = [c for c in old if c.get("type") != "Terminating"]
            conds.append(_condition(old, "Terminating", "True", "InstanceDeletionInProgress",
                                    "CustomResource deletion is in progress"))
            self.mgr.set_status(self.rt, crd, {**status, "conditions": conds}, APISERVER)
            return
        self._cleaning.pop(key, None)
        self.cluster.remove_finalizer(self.rt, "", name, CLEANUP)
