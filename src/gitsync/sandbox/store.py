"""The object store: one cluster-wide resourceVersion, per-resource buckets and event logs.

Every mutation happens on the server's event loop thread, so the store needs no locks. Stored
objects are never mutated in place: a write replaces the dict, which lets readers hand out the
cached JSON encoding of an object without copying it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]          # (group, plural)
ObjKey = tuple[str, str]       # (namespace, name); namespace "" for cluster-scoped objects

#: events kept per resource type for watches that resume from an older resourceVersion
EVENT_WINDOW = 4096


def encode(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Entry:
    """A stored object and, lazily, its JSON encoding."""

    __slots__ = ("_raw", "obj")

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj
        self._raw: bytes | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = encode(self.obj)
        return self._raw

    def copy(self) -> dict[str, Any]:
        """A deep copy, cheapest through the cached encoding."""
        out: dict[str, Any] = json.loads(self.raw)
        return out


@dataclass(slots=True)
class Event:
    rv: int
    type: str                     # ADDED, MODIFIED, DELETED
    entry: Entry
    old: dict[str, Any] | None    # previous state, for selector transitions in watches


Listener = Callable[[Key, Event], None]


@dataclass
class Bucket:
    objects: dict[ObjKey, Entry] = field(default_factory=dict)
    events: deque[Event] = field(default_factory=lambda: deque(maxlen=EVENT_WINDOW))
    #: newest resourceVersion that is no longer in ``events`` (older watches get 410 Gone)
    compacted: int = 0
    watchers: set[Callable[[Event], None]] = field(default_factory=set)


class Store:
    """Objects by resource key, namespace and name, with watch fan-out and listeners."""

    def __init__(self) -> None:
        self.rv = 0
        self.buckets: dict[Key, Bucket] = {}
        self.listeners: list[Listener] = []

    def bucket(self, key: Key) -> Bucket:
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = Bucket(compacted=self.rv)
        return b

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    # --- reads ------------------------------------------------------------------------------

    def get(self, key: Key, namespace: str, name: str) -> Entry | None:
        b = self.buckets.get(key)
        return b.objects.get((namespace, name)) if b else None

    def items(self, key: Key, namespace: str | None = None) -> Iterator[Entry]:
        """Entries of one resource type (optionally one namespace), ordered as etcd lists."""
        b = self.buckets.get(key)
        if not b:
            return iter(())
        keys = sorted(b.objects)
        if namespace:
            keys = [k for k in keys if k[0] == namespace]
        return (b.objects[k] for k in keys)

    def count(self) -> int:
        return sum(len(b.objects) for b in self.buckets.values())

    # --- writes -----------------------------------------------------------------------------

    def put(self, key: Key, obj: dict[str, Any]) -> Entry:
        """Store ``obj`` (its metadata.resourceVersion must already be the new rv)."""
        meta = obj["metadata"]
        okey = (meta.get("namespace", ""), meta["name"])
        b = self.bucket(key)
        old = b.objects.get(okey)
        entry = Entry(obj)
        b.objects[okey] = entry
        self._emit(key, b, Event(int(meta["resourceVersion"]),
                                 "MODIFIED" if old else "ADDED", entry,
                                 old.obj if old else None))
        return entry

    def remove(self, key: Key, namespace: str, name: str, final: dict[str, Any]) -> None:
        """Delete an object; ``final`` is its last state carrying the deletion's rv."""
        b = self.bucket(key)
        old = b.objects.pop((namespace, name), None)
        if old is None:
            return
        self._emit(key, b, Event(int(final["metadata"]["resourceVersion"]), "DELETED",
                                 Entry(final), old.obj))

    def _emit(self, key: Key, b: Bucket, ev: Event) -> None:
        if len(b.events) == b.events.maxlen:
            b.compacted = b.events[0].rv
        b.events.append(ev)
        for w in list(b.watchers):
            w(ev)
        for listener in list(self.listeners):
            listener(key, ev)

    def events_since(self, key: Key, rv: int) -> list[Event] | None:
        """Events after ``rv``, or None when they were compacted away (410 Gone)."""
        b = self.bucket(key)
        if rv < b.compacted:
            return None
        return [e for e in b.events if e.rv > rv]

    def compact(self) -> None:
        """Forget every event so far: watches from an older resourceVersion get 410 Gone."""
        for b in self.buckets.values():
            b.events.clear()
            b.compacted = self.rv

    # --- persistence ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "resourceVersion": self.rv,
            "objects": [
                {"group": k[0], "resource": k[1], "object": e.obj}
                for k, b in sorted(self.buckets.items()) for e in b.objects.values()
            ],
        }

    def restore(self, snap: dict[str, Any]) -> None:
        self.rv = int(snap["resourceVersion"])
        for item in snap["objects"]:
            key = (item["group"], item["resource"])
            obj = item["object"]
            meta = obj["metadata"]
            self.bucket(key).objects[(meta.get("namespace", ""), meta["name"])] = Entry(obj)
        for b in self.buckets.values():
            b.compacted = self.rv
