"""Waiting for objects with watches (never fixed sleeps): health, hook completion, deletion.

One watch per resource type of the wait, each in a thread that feeds the latest version of
every object into a shared view; the waiting thread re-evaluates on each change. A watch that
cannot be opened falls back to re-reading the object when the deadline nears.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gitsync.kube import Cluster, ExpiredError, KubeError
from gitsync.model import annotations as ann
from gitsync.model.resource import ResourceKey

Obj = dict[str, Any]
#: judges one object: True when done, False when still waiting; raises nothing
Verdict = Callable[[ResourceKey, Obj | None], bool]

#: longest a waiter sleeps between checks when a watch failed (the polling fallback)
_POLL = 1.0
#: a watch is re-established from a fresh list this often
_RELIST = 15.0


@dataclass
class View:
    """The latest state of the watched objects (None: deleted / absent)."""

    objects: dict[ResourceKey, Obj | None] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)
    failures: int = 0


class Waiter:
    """Waits until a verdict holds for every key, or a deadline passes."""

    def __init__(self, cluster: Cluster, app: str, stop: threading.Event) -> None:
        self.cluster = cluster
        self.app = app
        self.stop = stop

    def wait(self, keys: Iterable[ResourceKey], done: Verdict, deadline: float | None,
             on_change: Callable[[ResourceKey, Obj | None], None] | None = None,
             track: bool = True) -> set[ResourceKey]:
        """Block until ``done`` holds for every key; return the keys still pending."""
        pending = set(keys)
        if not pending:
            return set()
        view = View()
        threads = []
        watch_stop = threading.Event()
        for kind, namespace in sorted({((k.group, k.kind), k.namespace) for k in pending}):
            selector = f"{ann.TRACKING_LABEL}={self.app}" if track else ""
            mine = {k for k in pending if (k.group, k.kind) == kind and k.namespace == namespace}
            t = threading.Thread(target=self._watch, daemon=True,
                                 args=(kind, namespace, selector, mine, view, watch_stop,
                                       deadline))
            t.start()
            threads.append(t)
        try:
            with view.changed:
                while pending:
                    for key in list(pending):
                        if key in view.objects:
                            obj = view.objects[key]
                            if on_change is not None:
                                on_change(key, obj)
                            if done(key, obj):
                                pending.discard(key)
                    if not pending or self.stop.is_set():
                        break
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        break
                    # wake at least every _POLL to notice Ctrl-C / SIGTERM (self.stop)
                    timeout = _POLL if remaining is None else min(remaining, _POLL)
                    view.changed.wait(timeout)
                    if view.failures:
                        self._poll(pending, view)
        finally:
            watch_stop.set()
        return pending

    def _poll(self, keys: set[ResourceKey], view: View) -> None:
        """The fallback when a watch is unavailable: read the objects directly."""
        for key in keys:
            try:
                view.objects[key] = self.cluster.get(key)
            except KubeError:
                continue

    def _watch(self, kind: tuple[str, str], namespace: str, selector: str,
               keys: set[ResourceKey], view: View, stop: threading.Event,
               deadline: float | None) -> None:
        while not stop.is_set() and not self.stop.is_set():
            remaining = 3600.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                listing = self.cluster.list_objects(kind, namespace=namespace,
                                                    label_selector=selector)
                seen = set()
                with view.changed:
                    for obj in listing.items:
                        key = _key(kind, obj)
                        view.objects[key] = obj
                        seen.add(key)
                    # what the list does not show is absent (already deleted, or never there)
                    for key in keys | {k for k in view.objects if (k.group, k.kind) == kind
                                       and (not namespace or k.namespace == namespace)}:
                        if key not in seen:
                            view.objects[key] = None
                    view.changed.notify_all()
                # short watches, then a fresh list: a missed event costs seconds, not minutes
                for ev in self.cluster.watch(kind, namespace, selector,
                                             listing.resource_version,
                                             timeout=min(remaining, _RELIST)):
                    if stop.is_set() or self.stop.is_set():
                        return
                    if ev.type not in ("ADDED", "MODIFIED", "DELETED"):
                        continue
                    key = _key(kind, ev.object)
                    with view.changed:
                        view.objects[key] = None if ev.type == "DELETED" else ev.object
                        view.changed.notify_all()
            except ExpiredError:
                continue  # list again and resume
            except KubeError:
                with view.changed:
                    view.failures += 1
                    view.changed.notify_all()
                return


def _key(kind: tuple[str, str], obj: Obj) -> ResourceKey:
    md = obj.get("metadata") or {}
    return ResourceKey(kind[0], kind[1], str(md.get("namespace") or ""), str(md.get("name")))
