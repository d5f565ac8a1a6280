"""The garbage collector: ownerReferences with Background, Foreground and Orphan semantics.

The API marks an owner with ``foregroundDeletion`` or ``orphan`` (and a deletionTimestamp);
this makes those finalizers progress, and deletes dependents whose owners are all gone.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gitsync.sandbox.controllers.base import Handler, Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.index import Ref, owner_uids
from gitsync.sandbox.errors import ApiError
from gitsync.sandbox.store import Event, Key

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


def _finalizers(obj: dict[str, Any]) -> list[str]:
    return list(obj["metadata"].get("finalizers") or [])


def _waiting(obj: dict[str, Any]) -> bool:
    """An owner in foreground deletion: its dependents go first."""
    return bool(obj["metadata"].get("deletionTimestamp")) and FOREGROUND in _finalizers(obj)


class GarbageCollector(Controller):
    """Deletes dependents of deleted owners; runs foreground and orphan deletion."""
    name = "garbagecollector"

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        mgr.watch_everything(self.on_any)

    def routes(self) -> dict[Key, Handler]:
        """None: the collector watches every resource through watch_everything."""
        return {}

    def resync(self) -> None:
        """Check every object with owners or a pending deletion once."""
        for key, bucket in list(self.cluster.store.buckets.items()):
            for entry in list(bucket.objects.values()):
                md = entry.obj["metadata"]
                if md.get("ownerReferences") or md.get("deletionTimestamp"):
                    self._enqueue((key, md.get("namespace", ""), md["name"]))

    def _enqueue(self, ref: Ref) -> None:
        self.mgr.enqueue((self.name, *ref))

    def _wake_owner(self, uid: str) -> None:
        found = self.mgr.by_uid(uid)
        if found is not None and _waiting(found[1]):
            md = found[1]["metadata"]
            self._enqueue((found[0], md.get("namespace", ""), md["name"]))

    def on_any(self, key: Key, ev: Event) -> None:
        """Queue whatever an event may have made collectable."""
        obj = ev.entry.obj
        md = obj["metadata"]
        me: Ref = (key, md.get("namespace", ""), md["name"])
        if ev.type == "DELETED":
            for dep in self.mgr.index.dependents_of(md.get("uid", "")):
                self._enqueue(dep)
            for uid in owner_uids(obj):
                self._wake_owner(uid)
            return
        fins = md.get("finalizers") or ()
        if md.get("deletionTimestamp") and (FOREGROUND in fins or ORPHAN in fins):
            self._enqueue(me)
        new, old = owner_uids(obj), owner_uids(ev.old)
        if new and (ev.old is None or new != old):
            self._enqueue(me)
        for uid in old - new:
            self._wake_owner(uid)

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Advance one object's deletion, or collect it if its owners are gone."""
        obj = self.mgr.get(key, ns, name)
        if obj is None:
            return
        fins = _finalizers(obj)
        if obj["metadata"].get("deletionTimestamp"):
            if ORPHAN in fins:
                self._orphan(key, obj)
            elif FOREGROUND in fins:
                self._foreground(key, obj)
            return
        if obj["metadata"].get("ownerReferences"):
            self._attempt_delete(key, obj)

    # --- steps ------------------------------------------------------------------------------

    def _orphan(self, key: Key, owner: dict[str, Any]) -> None:
        uid = owner["metadata"]["uid"]
        for dep_key, dns, dname in self.mgr.index.dependents_of(uid):
            dep = self.mgr.get(dep_key, dns, dname)
            if dep is not None:
                self._strip(dep_key, dep, {uid})
        self._remove_finalizer(key, owner, ORPHAN)

    def _foreground(self, key: Key, owner: dict[str, Any]) -> None:
        uid = owner["metadata"]["uid"]
        for dep_key, dns, dname in self.mgr.index.dependents_of(uid):
            dep = self.mgr.get(dep_key, dns, dname)
            if dep is not None and not dep["metadata"].get("deletionTimestamp"):
                self._attempt_delete(dep_key, dep)
        for dep_key, dns, dname in self.mgr.index.dependents_of(uid):
            dep = self.mgr.get(dep_key, dns, dname)
            refs = (dep or {}).get("metadata", {}).get("ownerReferences") or []
            if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in refs):
                return      # a blocking dependent is still there; its deletion wakes us
        self._remove_finalizer(key, owner, FOREGROUND)

    def _attempt_delete(self, key: Key, obj: dict[str, Any]) -> None:
        """attemptToDeleteItem: classify the owners as solid, dangling or waiting, then
        drop dangling references or delete the object with the matching propagation."""
        md = obj["metadata"]
        solid, dangling, waiting = [], set(), []
        for ref in md.get("ownerReferences") or []:
            owner = self._owner(ref, md.get("namespace", ""))
            if owner is None:
                dangling.add(ref.get("uid", ""))
            elif _waiting(owner):
                waiting.append(ref.get("uid", ""))
            else:
                solid.append(ref)
        if solid:
            if dangling or waiting:
                self._strip(key, obj, dangling | set(waiting))
            return
        if md.get("deletionTimestamp"):
            return
        fins = _finalizers(obj)
        if waiting and self.mgr.index.has_dependents(md["uid"]):
            policy = "Foreground"
        elif ORPHAN in fins:
            policy = "Orphan"
        elif FOREGROUND in fins:
            policy = "Foreground"
        else:
            policy = "Background"
        rt = self.mgr.rtype_of(key, obj)
        if rt is not None:
            self.mgr.delete(rt, md.get("namespace", ""), md["name"], policy, md["uid"])

    def _owner(self, ref: dict[str, Any], namespace: str) -> dict[str, Any] | None:
        """The live owner a reference names: same uid and name, same namespace or none."""
        loc = self.mgr.index.uids.get(str(ref.get("uid", "")))
        if loc is None or loc[2] != ref.get("name") or (loc[1] and loc[1] != namespace):
            return None
        return self.mgr.get(*loc)

    def _strip(self, key: Key, obj: dict[str, Any], uids: set[str]) -> None:
        rt = self.mgr.rtype_of(key, obj)
        if rt is None:
            return

        def mutate(o: dict[str, Any]) -> None:
            refs = [r for r in o["metadata"].get("ownerReferences") or []
                    if r.get("uid") not in uids]
            if refs:
                o["metadata"]["ownerReferences"] = refs
            else:
                o["metadata"].pop("ownerReferences", None)
        # refused by validation: leave the reference, as a failed patch would
        with contextlib.suppress(ApiError):
            self.mgr.update(rt, obj, mutate)

    def _remove_finalizer(self, key: Key, obj: dict[str, Any], finalizer: str) -> None:
        rt = self.mgr.rtype_of(key, obj)
        if rt is not None:
            md = obj["metadata"]
            self.cluster.remove_finalizer(rt, md.get("namespace", ""), md["name"], finalizer)
