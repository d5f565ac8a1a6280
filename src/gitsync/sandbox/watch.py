"""Watch streams: initial state, resumption from a resourceVersion, bookmarks, timeouts."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from gitsync.sandbox.errors import expired
from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.selectors import Requirement, fields_match, labels_match
from gitsync.sandbox.store import Event, Store, encode


def _frame(kind: str, raw: bytes) -> bytes:
    return b'{"type":"' + kind.encode() + b'","object":' + raw + b"}\n"


class _Filter:
    def __init__(self, rt: ResourceType, namespace: str, labels: list[Requirement],
                 fields: list[tuple[str, str, str]],
                 transform: Callable[[dict[str, Any]], bytes] | None = None) -> None:
        self.rt = rt
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.transform = transform

    def matches(self, obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return labels_match(self.labels, obj) and fields_match(self.fields, obj)

    def frame(self, ev: Event) -> bytes | None:
        """The event as this watcher sees it: selector transitions become ADDED/DELETED."""
        now = self.matches(ev.entry.obj)
        before = self.matches(ev.old) if ev.old is not None else False
        if ev.type == "ADDED":
            kind = "ADDED" if now else None
        elif ev.type == "DELETED":
            kind = "DELETED" if before or now else None
        elif now and before:
            kind = "MODIFIED"
        elif now:
            kind = "ADDED"
        elif before:
            kind = "DELETED"
        else:
            kind = None
        if kind is None:
            return None
        return _frame(kind, self._raw(ev.entry.obj, ev.entry.raw))

    def _raw(self, obj: dict[str, Any], raw: bytes) -> bytes:
        if self.transform is not None:
            return self.transform(obj)
        if obj.get("apiVersion") == self.rt.api_version:
            return raw
        return encode({**obj, "apiVersion": self.rt.api_version})


async def watch_stream(store: Store, rt: ResourceType, namespace: str,
                       labels: list[Requirement], fields: list[tuple[str, str, str]],
                       since: int | None, *, bookmarks: bool, interval: float,
                       timeout: float, send_initial: bool,
                       transform: Callable[[dict[str, Any]], bytes] | None = None
                       ) -> AsyncIterator[bytes]:
    """Yield watch frames until the timeout; ``transform`` re-encodes objects (Tables)."""
    flt = _Filter(rt, namespace, labels, fields, transform)
    queue: asyncio.Queue[Event] = asyncio.Queue()
    bucket = store.bucket(rt.key)
    # register and read the history in one step (no await between): no event can fall between
    bucket.watchers.add(queue.put_nowait)
    events = store.events_since(rt.key, since) if since is not None else []
    try:
        if events is None:
            err = expired(f"too old resource version: {since} ({store.rv})")
            yield _frame("ERROR", json.dumps(err.status(), separators=(",", ":")).encode())
            return
        if send_initial:
            for entry in store.items(rt.key, namespace or None):
                if flt.matches(entry.obj):
                    yield _frame("ADDED", flt._raw(entry.obj, entry.raw))
            if bookmarks:
                yield _bookmark(rt, store.rv, initial_end=True)
        for ev in events:
            frame = flt.frame(ev)
            if frame:
                yield frame
        deadline = time.monotonic() + timeout
        last_rv = store.rv
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            wait = min(remaining, interval) if bookmarks else remaining
            try:
                ev = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                if bookmarks and time.monotonic() < deadline:
                    yield _bookmark(rt, max(last_rv, store.rv))
                continue
            last_rv = ev.rv
            frame = flt.frame(ev)
            if frame:
                yield frame
    finally:
        bucket.watchers.discard(queue.put_nowait)


def _bookmark(rt: ResourceType, rv: int, initial_end: bool = False) -> bytes:
    md: dict[str, Any] = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_end:
        md["annotations"] = {"k8s.io/initial-events-end": "true"}
    obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": md}
    return _frame("BOOKMARK", json.dumps(obj, separators=(",", ":")).encode())
