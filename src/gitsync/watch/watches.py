"""One watch per resource type of an app (label ``gitsync.io/app=<app>``) that wakes the loop.

A watch is listed once, then followed from the listing's resourceVersion; the kube layer
resumes dropped streams, a 410 means list again, other API errors retry with back-off. Only
changes outside ``status`` wake the loop: controllers update status all the time, and a
status never makes an app OutOfSync.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable

from gitsync.compare.app import UNTRACKED_KINDS
from gitsync.kube import Cluster, ExpiredError, KubeError, Obj
from gitsync.model import annotations as ann
from gitsync.model.resource import ResourceKey
from gitsync.watch.backoff import reconnect_delay
from gitsync.watch.events import Event, Kind, Sink

GroupKindT = tuple[str, str]
#: seconds one watch request lasts: bounds how long a stopped thread lingers on a quiet stream
_WATCH_SPAN = 30.0
#: metadata that changes without anybody changing the object
_VOLATILE = ("resourceVersion", "managedFields", "generation", "uid", "creationTimestamp")


def fingerprint(obj: Obj) -> str:
    """What a change must touch to matter: everything but status and server bookkeeping."""
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _VOLATILE}
    rest = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
    text = json.dumps([md, rest], sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class Watches:
    """The app's watches; ``wake`` is set whenever a tracked object changes."""

    def __init__(self, cluster: Cluster, app: str, sink: Sink, wake: threading.Event) -> None:
        self.cluster = cluster
        self.app = app
        self.sink = sink
        self.wake = wake
        self._stop = threading.Event()
        self._kinds: dict[GroupKindT, threading.Thread] = {}
        self._prints: dict[ResourceKey, str] = {}
        self._mutex = threading.Lock()

    @property
    def kinds(self) -> set[GroupKindT]:
        return set(self._kinds)

    def ensure(self, kinds: Iterable[GroupKindT]) -> None:
        """Watch each of ``kinds`` (adding new ones; a kind once watched stays watched)."""
        for kind in sorted(set(kinds) - set(self._kinds) - UNTRACKED_KINDS):
            t = threading.Thread(target=self._follow, args=(kind,), daemon=True,
                                 name=f"gitsync-watch-{self.app}-{kind[1]}")
            self._kinds[kind] = t
            t.start()

    def close(self) -> None:
        """Stop every watch (threads end at their stream's next event or timeout)."""
        self._stop.set()

    # --- one kind ---------------------------------------------------------------------------

    def _follow(self, kind: GroupKindT) -> None:
        selector = f"{ann.TRACKING_LABEL}={self.app}"
        failures = 0
        rv = ""
        while not self._stop.is_set():
            try:
                if not rv:
                    listing = self.cluster.list_objects(kind, label_selector=selector)
                    self._seen(kind, listing.items, relist=True)
                    rv = listing.resource_version
                for ev in self.cluster.watch(kind, "", selector, rv, timeout=_WATCH_SPAN):
                    if self._stop.is_set():
                        return
                    rv = str((ev.object.get("metadata") or {}).get("resourceVersion") or rv)
                    self._changed(ev.type, ev.object)
                    failures = 0
            except ExpiredError:
                rv = ""  # the server forgot that far back: list again, from now
            except KubeError as exc:
                failures += 1
                rv = ""
                delay = reconnect_delay(failures)
                self.sink(Event(self.app, Kind.WATCH, f"watch of {_name(kind)} failed "
                                                      f"({exc.message}); reconnecting in "
                                                      f"{delay:g}s"))
                if self._stop.wait(delay):
                    return

    def _seen(self, kind: GroupKindT, items: list[Obj], relist: bool) -> None:
        """Record a listing; after a re-list, whatever changed in the gap wakes the loop."""
        fresh = {ResourceKey.of(o): fingerprint(o) for o in items}
        with self._mutex:
            old = {k: v for k, v in self._prints.items() if (k.group, k.kind) == kind}
            for k in old:
                self._prints.pop(k, None)
            self._prints.update(fresh)
        if relist and old and old != fresh:
            self.wake.set()

    def _changed(self, type_: str, obj: Obj) -> None:
        if type_ not in ("ADDED", "MODIFIED", "DELETED"):
            return
        key = ResourceKey.of(obj)
        new = None if type_ == "DELETED" else fingerprint(obj)
        with self._mutex:
            old = self._prints.get(key)
            if new is None:
                self._prints.pop(key, None)
            else:
                self._prints[key] = new
        if old != new:
            self.wake.set()


def _name(kind: GroupKindT) -> str:
    return f"{kind[1]}.{kind[0]}" if kind[0] else kind[1]
