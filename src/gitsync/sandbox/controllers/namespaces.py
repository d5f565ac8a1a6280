"""Namespaces: the ``default`` ServiceAccount and root CA ConfigMap every namespace gets, and
the namespace deleter (empty the namespace, honouring finalizers, then remove it)."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.cluster import NS_KEY
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.bootstrap import ROOT_CA
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.podutil import is_deleting
from gitsync.sandbox.store import Event, Key

SA_KEY: Key = ("", "serviceaccounts")
CM_KEY: Key = ("", "configmaps")
ROOT_CA_NAME = "kube-root-ca.crt"
_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.")
#: the deleter's condition types with their "all fine" reason and message
_OK = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered",
                                          "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions",
                                                    "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeleted", "All content successfully deleted, "
                                        "may be waiting on finalization"),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers",
                                     "All content-preserving finalizers finished"),
}


class NamespaceController(Controller):
    """Namespace defaults, and deletion of a namespace's content."""
    name = "namespaces"
    key = NS_KEY

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype("", "v1", "namespaces")
        self.sa_rt = mgr.rtype("", "v1", "serviceaccounts")
        self.cm_rt = mgr.rtype("", "v1", "configmaps")
        mgr.watch_everything(self.on_member)

    def on_member(self, key: Key, ev: Event) -> None:
        """Wake a terminating namespace on changes inside it, or restore defaults."""
        md = ev.entry.obj["metadata"]
        ns = md.get("namespace")
        if not ns:
            return
        owner = self.mgr.get(NS_KEY, "", ns)
        if owner is None:
            return
        if is_deleting(owner):
            self.enqueue("", ns)
        elif ev.type == "DELETED" and (key, md["name"]) in ((SA_KEY, "default"),
                                                          (CM_KEY, ROOT_CA_NAME)):
            self.enqueue("", ns)      # recreated, as the controllers upstream do

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Activate a namespace, or empty and remove a terminating one."""
        obj = self.get("", name)
        if obj is None:
            return
        if not is_deleting(obj):
            self._activate(obj)
        else:
            self._delete_content(obj)

    def _activate(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        status = dict(obj.get("status") or {})
        if status.get("phase") != "Active":
            status["phase"] = "Active"
            self.mgr.set_status(self.rt, obj, status, "kube-apiserver")
        if self.mgr.get(SA_KEY, name, "default") is None:
            self.mgr.create(self.sa_rt, name, {"apiVersion": "v1", "kind": "ServiceAccount",
                                               "metadata": {"name": "default",
                                                            "namespace": name}})
        if self.mgr.get(CM_KEY, name, ROOT_CA_NAME) is None:
            self.mgr.create(self.cm_rt, name, {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA_NAME, "namespace": name,
                             "annotations": {"kubernetes.io/description": _CA_DESCRIPTION}},
                "data": {"ca.crt": ROOT_CA}})

    def _delete_content(self, obj: dict[str, Any]) -> None:
        ns = obj["metadata"]["name"]
        for key, name in self.mgr.index.members_of(ns):
            member = self.mgr.get(key, ns, name)
            if member is None or is_deleting(member):
                continue
            rt = self.mgr.rtype_of(key, member)
            if rt is not None:
                self.mgr.delete(rt, ns, name, "Background", member["metadata"]["uid"])
        counts: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for key, name in self.mgr.index.members_of(ns):
            member = self.mgr.get(key, ns, name)
            if member is None:
                continue
            counts[f"{key[1]}.{key[0]}"] = counts.get(f"{key[1]}.{key[0]}", 0) + 1
            for f in member["metadata"].get("finalizers") or []:
                finalizers[f] = finalizers.get(f, 0) + 1
        spec_fins = list((obj.get("spec") or {}).get("finalizers") or [])
        if counts:
            self._conditions(obj, counts, finalizers)
        elif obj["metadata"].get("finalizers") or set(spec_fins) - {"kubernetes"}:
            if "kubernetes" in spec_fins:
                self.mgr.commit_raw(self.rt, obj, _finalize)   # what POST .../finalize does
        else:
            self.cluster.remove_now(self.rt, "", ns)

    def _conditions(self, obj: dict[str, Any], counts: dict[str, int],
                    finalizers: dict[str, int]) -> None:
        bad: dict[str, tuple[str, str]] = {}
        if counts:
            parts = sorted(f"{gr} has {n} resource instances" for gr, n in counts.items())
            bad["NamespaceContentRemaining"] = (
                "SomeResourcesRemain", "Some resources are remaining: " + ", ".join(parts))
        if finalizers:
            parts = sorted(f"{f} in {n} resource instances" for f, n in finalizers.items())
            bad["NamespaceFinalizersRemaining"] = (
                "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: " + ", ".join(parts))
        status = dict(obj.get("status") or {})
        old = {c.get("type"): c for c in status.get("conditions") or []}
        now = meta.now()
        conds = [c for c in status.get("conditions") or [] if c.get("type") not in _OK]
        for ctype, ok in _OK.items():
            state, (reason, message) = ("True", bad[ctype]) if ctype in bad else ("False", ok)
            prev = old.get(ctype) or {}
            since = prev.get("lastTransitionTime") if prev.get("status") == state else None
            conds.append({"type": ctype, "status": state, "lastTransitionTime": since or now,
                          "reason": reason, "message": message})
        status["conditions"] = conds
        md = obj["metadata"]
        # with no finalizer at all, any write would complete the deletion: don't write then
        if md.get("finalizers") or (obj.get("spec") or {}).get("finalizers"):
            self.mgr.set_status(self.rt, obj, status)


def _finalize(ns: dict[str, Any]) -> None:
    fins = [f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != "kubernetes"]
    if fins:
        ns["spec"]["finalizers"] = fins
    else:
        ns.get("spec", {}).pop("finalizers", None)
