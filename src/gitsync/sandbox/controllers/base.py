"""What every controller shares: a coalescing work queue, scaled deadlines and write helpers.

Store listeners run inside another write, so they only update the index and enqueue work; the
work runs later on the loop (``call_soon``, or ``call_later`` for a scaled delay). There is at
most one pending run per (controller, object): enqueueing again keeps the earlier one.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from gitsync.sandbox import meta
from gitsync.sandbox.cluster import Cluster, WriteOptions
from gitsync.sandbox.controllers.index import Index
from gitsync.sandbox.controllers.util import controller_ref
from gitsync.sandbox.errors import ApiError
from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.store import Event, Key

if TYPE_CHECKING:
    from gitsync.sandbox.controllers.controller import Controller

log = logging.getLogger(__name__)

KCM = "kube-controller-manager"
Work = tuple[str, Key, str, str]          # controller, resource key, namespace, name
Handler = Callable[[Key, Event], None]

#: timers may fire up to the loop's clock resolution early; treat that as on time
_SLACK = 0.002


def _sane_scale(value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def _path_copy(obj: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """``obj`` with the maps along ``paths`` copied (one level each), everything else shared."""
    out = dict(obj)
    for path in paths:
        src: Any = obj
        dst: dict[str, Any] = out
        for part in path.split("."):
            old = src.get(part) if type(src) is dict else None
            cur = dst.get(part)
            if type(cur) is not dict:
                break
            if cur is old:
                copied: dict[str, Any] = dict(cur)  # type: ignore[arg-type]
                dst[part] = copied
                cur = copied
            src, dst = old, cur
    return out


class Runtime:
    """The queue, the timers, the index and the write helpers the controllers use."""

    def __init__(self, cluster: Cluster, loop: asyncio.AbstractEventLoop,
                 time_scale: float) -> None:
        self.cluster = cluster
        self.loop = loop
        self.index = Index()
        self.running = False
        self._scale = _sane_scale(time_scale)
        self._controllers: dict[str, Controller] = {}
        self._routes: dict[Key, list[Handler]] = {}
        self._everything: list[Handler] = []
        self._pending: dict[Work, tuple[float, asyncio.Handle]] = {}
        self._deadlines: dict[Work, tuple[Hashable, float]] = {}
        self._types: dict[tuple[str, str, str], ResourceType] = {}

    # --- time -------------------------------------------------------------------------------

    @property
    def time_scale(self) -> float:
        """Multiplier of every delay (0: no delay at all)."""
        return self._scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        """Change the scale, stretching or shrinking delays still to come."""
        old, new = self._scale, _sane_scale(value)
        self._scale = new
        if old == new or not self.running:
            return
        # stretch or shrink what is still to come, so a change applies to running rollouts too
        now = self.loop.time()
        ratio = new / old if old else 0.0
        for work, (step, deadline) in list(self._deadlines.items()):
            if deadline > now:
                self._deadlines[work] = (step, now + (deadline - now) * ratio)
        for work, (due, handle) in list(self._pending.items()):
            if due > now:
                handle.cancel()
                del self._pending[work]
                self.enqueue(work, (due - now) * ratio)

    def due(self, work: Work, step: Hashable, seconds: float) -> bool:
        """Whether ``seconds`` (scaled) passed since ``step`` of ``work`` was first asked about."""
        # not yet: make sure ``work`` runs again at that moment
        now = self.loop.time()
        cur = self._deadlines.get(work)
        if cur is None or cur[0] != step:
            cur = (step, now + max(seconds, 0.0) * self._scale)
            self._deadlines[work] = cur
        if cur[1] <= now + _SLACK:
            return True
        self.enqueue(work, cur[1] - now)
        return False

    def forget(self, work: Work) -> None:
        """Drop the deadline of ``work`` (object gone or finished)."""
        self._deadlines.pop(work, None)

    # --- queue ------------------------------------------------------------------------------

    def register(self, ctrl: Controller) -> None:
        """Add a controller and the store events it wants."""
        self._controllers[ctrl.name] = ctrl
        for key, handler in ctrl.routes().items():
            self._routes.setdefault(key, []).append(handler)

    def watch_everything(self, handler: Handler) -> None:
        """Call ``handler`` for every store event (GC, namespaces)."""
        self._everything.append(handler)

    def on_event(self, key: Key, ev: Event) -> None:
        """The store listener: index, then route; never writes."""
        self.index.update(key, ev)
        if not self.running:
            return
        for handler in self._routes.get(key, ()):
            handler(key, ev)
        for handler in self._everything:
            handler(key, ev)

    def enqueue(self, work: Work, delay: float = 0.0) -> None:
        """Run ``work`` after ``delay`` seconds, unless it is due sooner already."""
        if not self.running:
            return
        due = self.loop.time() + max(delay, 0.0)
        cur = self._pending.get(work)
        if cur is not None:
            if cur[0] <= due:
                return
            cur[1].cancel()
        handle: asyncio.Handle
        if delay <= 0:
            handle = self.loop.call_soon(self._run, work)
        else:
            handle = self.loop.call_later(delay, self._run, work)
        self._pending[work] = (due, handle)

    def cancel_all(self) -> None:
        """Cancel every pending run and forget every deadline."""
        for _, handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
        self._deadlines.clear()

    def _run(self, work: Work) -> None:
        self._pending.pop(work, None)
        ctrl = self._controllers.get(work[0])
        if ctrl is None or not self.running:
            return
        try:
            ctrl.reconcile(work[1], work[2], work[3])
        except ApiError as exc:
            # a refused write (validation, terminating namespace): the next event retries
            log.debug("%s: %s/%s: %s", work[0], work[2], work[3], exc)
        except Exception:
            # an object shaped in a way no controller expects must not stop the others
            log.exception("%s: %s/%s: reconcile failed", work[0], work[2], work[3])

    # --- reads ------------------------------------------------------------------------------

    def get(self, key: Key, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object, or None."""
        entry = self.cluster.store.get(key, namespace, name)
        return entry.obj if entry else None

    def by_uid(self, uid: str) -> tuple[Key, dict[str, Any]] | None:
        """(resource key, object) of the live object with ``uid``."""
        ref = self.index.uids.get(uid)
        if ref is None:
            return None
        obj = self.get(*ref)
        return (ref[0], obj) if obj is not None else None

    def owner(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The live controller owner of ``obj`` (same uid), if any."""
        ref = controller_ref(obj)
        found = self.by_uid(ref["uid"]) if ref else None
        return found[1] if found else None

    def rtype(self, group: str, version: str, plural: str) -> ResourceType:
        """A resource type the sandbox always serves."""
        key = (group, version, plural)
        rt = self._types.get(key) or self.cluster.registry.get(group, version, plural)
        if rt is None:
            raise LookupError(f"resource {plural}.{group}/{version} is not served")
        self._types[key] = rt
        return rt

    def rtype_of(self, key: Key, obj: dict[str, Any]) -> ResourceType | None:
        """The resource type of a stored object, at the version it was written in."""
        version = str(obj.get("apiVersion", "")).rpartition("/")[2]
        rt = self.cluster.registry.get(key[0], version, key[1])
        if rt is None:
            versions = self.cluster.registry.versions_of(*key)
            rt = versions[0] if versions else None
        return rt

    # --- writes -----------------------------------------------------------------------------

    def set_status(self, rt: ResourceType, obj: dict[str, Any], status: dict[str, Any],
                   manager: str = KCM) -> None:
        """Write ``status`` through the status path unless it is what is stored already."""
        if obj.get("status") == status:
            return
        md = obj["metadata"]
        self.cluster.replace_status(rt, md.get("namespace", ""), md["name"], status, manager)

    def update(self, rt: ResourceType, obj: dict[str, Any],
               mutate: Callable[[dict[str, Any]], None], manager: str = KCM,
               touches: tuple[str, ...] = ()) -> None:
        """A main-resource write (spec, labels, ownerReferences), skipped when nothing changes.

        ``touches`` names the maps ``mutate`` changes in place (dotted paths such as
        ``metadata.annotations``; it may set keys there, nothing deeper): then only those maps
        are copied and the rest is shared with the stored object, which is never mutated.
        Without it ``mutate`` gets a deep copy.
        """
        md = obj["metadata"]
        entry = self.cluster.store.get(rt.key, md.get("namespace", ""), md["name"])
        if entry is None:
            return
        body = _path_copy(entry.obj, ("metadata", *touches)) if touches else entry.copy()
        mutate(body)
        if body == entry.obj:
            return
        self.cluster.update(rt, md.get("namespace", ""), md["name"], body,
                            WriteOptions(manager, False, "Ignore", trusted=True))

    def create(self, rt: ResourceType, namespace: str, body: dict[str, Any],
               manager: str = KCM) -> dict[str, Any] | None:
        """Create an object; a refusal (terminating namespace, validation) is logged."""
        try:
            return self.cluster.create(rt, namespace, body, WriteOptions(manager)).obj
        except ApiError as exc:
            log.debug("create %s %s/%s: %s", rt.plural, namespace,
                      body.get("metadata", {}).get("name"), exc)
            return None

    def delete(self, rt: ResourceType, namespace: str, name: str,
               policy: str = "Background", uid: str | None = None) -> None:
        """Delete with a propagation policy; a missing or replaced object is ignored."""
        options: dict[str, Any] = {"propagationPolicy": policy}
        if uid:
            options["preconditions"] = {"uid": uid}
        try:
            self.cluster.delete(rt, namespace, name, options)
        except ApiError as exc:
            log.debug("delete %s %s/%s: %s", rt.plural, namespace, name, exc)

    def commit_raw(self, rt: ResourceType, obj: dict[str, Any],
                   mutate: Callable[[dict[str, Any]], None],
                   touches: tuple[str, ...] = ()) -> None:
        """Commit ``mutate``'s change without the update strategy, as pods/binding does.

        ``touches`` as for ``update``.
        """
        # upstream bindings bump no generation and leave no managedFields entry
        md = obj["metadata"]
        entry = self.cluster.store.get(rt.key, md.get("namespace", ""), md["name"])
        if entry is None:
            return
        body = _path_copy(entry.obj, ("metadata", *touches)) if touches else entry.copy()
        mutate(body)
        self.cluster._commit(rt, meta.ordered(body, rt.api_version, rt.kind), entry.obj)
