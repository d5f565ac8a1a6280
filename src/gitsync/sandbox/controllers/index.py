"""Indexes the controllers keep up to date from store events, so no reconcile scans the store.

Every write costs O(number of ownerReferences) here; lookups by uid, by owner and by
namespace are O(1) (plus the size of the answer).
"""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.store import Event, Key, Store

#: where an object lives: (resource key, namespace, name)
Ref = tuple[Key, str, str]


def owner_uids(obj: dict[str, Any] | None) -> set[str]:
    """The uids an object's ownerReferences point at."""
    if not obj:
        return set()
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return {r["uid"] for r in refs if isinstance(r, dict) and r.get("uid")}


class Index:
    """uid -> object, owner uid -> dependents, namespace -> members."""

    def __init__(self) -> None:
        self.uids: dict[str, Ref] = {}
        self.dependents: dict[str, set[Ref]] = {}
        self.members: dict[str, set[tuple[Key, str]]] = {}

    def clear(self) -> None:
        """Forget everything."""
        self.uids.clear()
        self.dependents.clear()
        self.members.clear()

    def rebuild(self, store: Store) -> None:
        """Index everything once (start-up, after a restore)."""
        self.clear()
        for key, bucket in store.buckets.items():
            for entry in bucket.objects.values():
                self._add(key, entry.obj, None)

    def update(self, key: Key, ev: Event) -> None:
        """Apply one committed write."""
        if ev.type == "DELETED":
            self._drop(key, ev.old or ev.entry.obj)
        else:
            self._add(key, ev.entry.obj, ev.old)

    def dependents_of(self, uid: str) -> list[Ref]:
        """Objects whose ownerReferences name ``uid`` (sorted, a copy)."""
        return sorted(self.dependents.get(uid, ()))

    def has_dependents(self, uid: str) -> bool:
        """Whether anything names ``uid`` as its owner."""
        return bool(self.dependents.get(uid))

    def members_of(self, namespace: str) -> list[tuple[Key, str]]:
        """(resource key, name) of every object in ``namespace`` (sorted, a copy)."""
        return sorted(self.members.get(namespace, ()))

    # --- internals --------------------------------------------------------------------------

    def _add(self, key: Key, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        md = obj["metadata"]
        ns, name = md.get("namespace", ""), md["name"]
        ref: Ref = (key, ns, name)
        if md.get("uid"):
            self.uids[md["uid"]] = ref
        if ns:
            self.members.setdefault(ns, set()).add((key, name))
        new_owners, old_owners = owner_uids(obj), owner_uids(old)
        for uid in old_owners - new_owners:
            self._unlink(uid, ref)
        for uid in new_owners - old_owners:
            self.dependents.setdefault(uid, set()).add(ref)

    def _drop(self, key: Key, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        ns, name = md.get("namespace", ""), md["name"]
        ref: Ref = (key, ns, name)
        if self.uids.get(md.get("uid", "")) == ref:
            del self.uids[md["uid"]]
        if ns:
            members = self.members.get(ns)
            if members is not None:
                members.discard((key, name))
                if not members:
                    del self.members[ns]
        for uid in owner_uids(obj):
            self._unlink(uid, ref)

    def _unlink(self, uid: str, ref: Ref) -> None:
        deps = self.dependents.get(uid)
        if deps is not None:
            deps.discard(ref)
            if not deps:
                del self.dependents[uid]
