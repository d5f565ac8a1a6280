"""The base class of the controllers: which events wake one, and its object-level helpers."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from gitsync.sandbox.controllers.base import Handler, Runtime, Work
from gitsync.sandbox.controllers.podutil import PODS
from gitsync.sandbox.controllers.util import controller_ref
from gitsync.sandbox.store import Event, Key


class Controller:
    """A reconciler of one resource type; subclasses set ``name``/``key`` and ``reconcile``."""

    name: ClassVar[str] = ""
    key: ClassVar[Key] = ("", "")

    def __init__(self, mgr: Runtime) -> None:
        self.mgr = mgr
        self.cluster = mgr.cluster

    def routes(self) -> dict[Key, Handler]:
        """Which store events wake this controller (default: its own resource's)."""
        return {self.key: self.on_own_event}

    def on_own_event(self, key: Key, ev: Event) -> None:
        """Reconcile the object an event is about."""
        md = ev.entry.obj["metadata"]
        self.enqueue(md.get("namespace", ""), md["name"])

    def wake_owner(self, kind: str) -> Handler:
        """A handler that enqueues the controller owner (of ``kind``) of the changed object."""
        def handler(key: Key, ev: Event) -> None:
            obj = ev.entry.obj
            ref = controller_ref(obj) or (controller_ref(ev.old) if ev.old else None)
            if ref and ref.get("kind") == kind:
                self.enqueue(obj["metadata"].get("namespace", ""), ref.get("name", ""))
        return handler

    def work(self, namespace: str, name: str) -> Work:
        """The queue key of one of this controller's objects."""
        return (self.name, self.key, namespace, name)

    def enqueue(self, namespace: str, name: str, delay: float = 0.0) -> None:
        """Reconcile this object after ``delay`` (real) seconds."""
        self.mgr.enqueue(self.work(namespace, name), delay)

    def due(self, namespace: str, name: str, step: Hashable, seconds: float) -> bool:
        """Runtime.due for one of this controller's objects."""
        return self.mgr.due(self.work(namespace, name), step, seconds)

    def forget(self, namespace: str, name: str) -> None:
        """Drop this object's deadline."""
        self.mgr.forget(self.work(namespace, name))

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object of this controller's resource, or None."""
        return self.mgr.get(self.key, namespace, name)

    def resync(self) -> None:
        """Reconcile every stored object of this controller's resource once (start-up)."""
        bucket = self.cluster.store.buckets.get(self.key)
        for ns, name in list(bucket.objects) if bucket else []:
            self.enqueue(ns, name)

    def reconcile(self, key: Key, namespace: str, name: str) -> None:
        """Bring one object (and what it owns) one step closer to its desired state."""
        raise NotImplementedError


class PodOwnerController(Controller):
    """A workload controller owning Pods: woken by its objects and by changes to their Pods."""

    #: the owner kind in the Pods' controller reference, and the workload's API version
    owner_kind: ClassVar[str] = ""
    version: ClassVar[str] = "v1"

    def __init__(self, mgr: Runtime) -> None:
        super().__init__(mgr)
        self.rt = mgr.rtype(self.key[0], self.version, self.key[1])
        self.pod_rt = mgr.rtype("", "v1", "pods")

    def routes(self) -> dict[Key, Handler]:
        """The workloads and the Pods they control."""
        return {self.key: self.on_own_event, PODS: self.wake_owner(self.owner_kind)}
