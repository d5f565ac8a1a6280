"""One operation at a time per app: a ``coordination.k8s.io/v1`` Lease, held and renewed.

Expiry is judged on this machine's clock against the holder's ``renewTime``, so clocks should
agree to well within the lease duration (30 s by default). The lock is not re-entrant: the same
holder identity asking again while it holds the Lease is refused like anyone else.
"""

from __future__ import annotations

import copy
import getpass
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from gitsync.errors import GitsyncError, OperationFailedError
from gitsync.history._common import (
    DEFAULT_NAMESPACE,
    ObjectClient,
    ensure_namespace,
    metadata,
    object_name,
)
from gitsync.history.errors import LockHeldError, LockLostError
from gitsync.history.records import Obj, parse_time
from gitsync.kube.errors import ConflictError, NotFoundError
from gitsync.model import ResourceKey

Now = Callable[[], datetime]
#: how many lost races in a row before giving up (each one means another writer progressed)
_MAX_RACES = 20


def _utc_now() -> datetime:
    return datetime.now(UTC)


def default_holder() -> str:
    """This process as a holder identity: ``<user>@<host>/<pid>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}/{os.getpid()}"


def micro_time(moment: datetime) -> str:
    """``moment`` as ``metav1.MicroTime``: RFC 3339 UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def holder_of(lease: Obj | None) -> str:
    """The lease's holder identity ("" when free or absent)."""
    return str(((lease or {}).get("spec") or {}).get("holderIdentity") or "")


def is_free(lease: Obj, now: datetime) -> bool:
    """Whether nobody holds ``lease`` at ``now``: no holder, or renewTime + duration passed."""
    spec = lease.get("spec") or {}
    if not spec.get("holderIdentity"):
        return True
    try:
        renewed = parse_time(str(spec.get("renewTime") or spec.get("acquireTime") or ""))
        duration = int(spec.get("leaseDurationSeconds") or 0)
    except (TypeError, ValueError):
        return True  # unreadable times cannot prove anyone alive: a stuck app is worse
    return renewed + timedelta(seconds=duration) < now


def acquire(cluster: ObjectClient, app: str, holder: str = "", *,
            namespace: str = DEFAULT_NAMESPACE, duration_s: int = 30, wait: bool = False,
            timeout_s: float = 300.0, poll_s: float = 0.5, now: Now = _utc_now,
            sleep: Callable[[float], None] = time.sleep) -> LeaseLock:
    """Take ``app``'s Lease (expired ones too), else LockHeldError, at once or after waiting."""
    holder = holder or default_holder()
    key = ResourceKey("coordination.k8s.io", "Lease", namespace, object_name(app))
    deadline = time.monotonic() + timeout_s
    races = 0
    while True:
        lease = cluster.get(key)
        t = now()
        try:
            if lease is None:
                return LeaseLock(cluster, app, holder, _create(cluster, _new(app, key, holder, t,
                                                                             duration_s)), now)
            if is_free(lease, t):
                return LeaseLock(cluster, app, holder,
                                 cluster.replace(_taken(lease, holder, t, duration_s)), now)
        except ConflictError:
            # another acquirer wrote first (AlreadyExists included): look at what it wrote
            races += 1
            if races > _MAX_RACES:
                raise OperationFailedError(f"could not take the lock of app {app}: the Lease "
                                           f"{namespace}/{key.name} kept changing") from None
            continue
        remaining = deadline - time.monotonic()
        if not wait or remaining <= 0:
            since = str((lease.get("spec") or {}).get("acquireTime") or "")
            raise LockHeldError(app, holder_of(lease), since, f"{namespace}/{key.name}",
                                waited_s=timeout_s if wait else None)
        sleep(min(poll_s, remaining))


class LeaseLock:
    """A held Lease: ``renew``, ``release``, ``keep_alive``; a context manager releasing it."""

    def __init__(self, cluster: ObjectClient, app: str, holder: str, lease: Obj,
                 now: Now = _utc_now) -> None:
        self.cluster = cluster
        self.app = app
        self.holder = holder
        self._lease = lease
        self._now = now
        md = lease.get("metadata") or {}
        self.key = ResourceKey("coordination.k8s.io", "Lease", md.get("namespace", ""),
                               md.get("name", ""))
        self.duration_s = int((lease.get("spec") or {}).get("leaseDurationSeconds") or 30)
        #: why keep-alive stopped renewing, if it did; ``check`` raises it
        self.lost: GitsyncError | None = None
        self.released = False
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def name(self) -> str:
        return f"{self.key.namespace}/{self.key.name}"

    @property
    def renewing(self) -> bool:
        """Whether the keep-alive thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def renew(self) -> None:
        """Push ``renewTime`` to now; LockLostError when someone else holds it now."""
        with self._mutex:
            if self.released:
                raise LockLostError(self.app, self.name, "")
            for _ in range(_MAX_RACES):
                body = copy.deepcopy(self._lease)
                body.setdefault("spec", {})["renewTime"] = micro_time(self._now())
                try:
                    self._lease = self.cluster.replace(body)
                    return
                except (ConflictError, NotFoundError):
                    fresh = self.cluster.get(self.key)
                    if holder_of(fresh) != self.holder or fresh is None:
                        raise LockLostError(self.app, self.name, holder_of(fresh)) from None
                    self._lease = fresh  # someone touched it (labels?) but it is still ours
            raise LockLostError(self.app, self.name, holder_of(self._lease))

    def release(self) -> bool:
        """Clear the holder if it is still us; False when the Lease was no longer ours."""
        self._stop_keep_alive()
        with self._mutex:
            if self.released:
                return False
            self.released = True
            for _ in range(_MAX_RACES):
                current = self.cluster.get(self.key)
                if current is None or holder_of(current) != self.holder:
                    return False  # taken over after expiry: it is not ours to release
                body = copy.deepcopy(current)
                body.setdefault("spec", {}).pop("holderIdentity", None)
                try:
                    self.cluster.replace(body)
                    return True
                except ConflictError:
                    continue
            return False

    def keep_alive(self, interval_s: float | None = None) -> LeaseLock:
        """Renew in a background thread every duration/3 until released; returns self."""
        if self._thread is None:
            interval = interval_s if interval_s is not None else self.duration_s / 3
            self._thread = threading.Thread(target=self._renew_loop, args=(interval,),
                                            name=f"gitsync-lease-{self.app}", daemon=True)
            self._thread.start()
        return self

    def check(self) -> None:
        """Raise what stopped the keep-alive, if anything did (call between steps)."""
        if self.lost is not None:
            raise self.lost

    def __enter__(self) -> LeaseLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def _renew_loop(self, interval: float) -> None:
        last_ok = time.monotonic()
        while not self._stop.wait(interval):
            try:
                self.renew()
                last_ok = time.monotonic()
            except LockLostError as exc:
                self.lost = exc
                return
            except GitsyncError as exc:
                # a flaky API server is retried until the lease would have run out
                if time.monotonic() - last_ok >= self.duration_s:
                    self.lost = exc
                    return

    def _stop_keep_alive(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _new(app: str, key: ResourceKey, holder: str, t: datetime, duration_s: int) -> Obj:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": metadata(app, key.namespace),
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration_s,
                     "acquireTime": micro_time(t), "renewTime": micro_time(t),
                     "leaseTransitions": 0}}


def _taken(lease: Obj, holder: str, t: datetime, duration_s: int) -> Obj:
    body = copy.deepcopy(lease)  # keeps resourceVersion: the takeover is a compare-and-swap
    spec = body.setdefault("spec", {})
    transitions = int(spec.get("leaseTransitions") or 0)
    if spec.get("holderIdentity") and spec["holderIdentity"] != holder:
        transitions += 1
    spec.update({"holderIdentity": holder, "leaseDurationSeconds": duration_s,
                 "acquireTime": micro_time(t), "renewTime": micro_time(t),
                 "leaseTransitions": transitions})
    return body


def _create(cluster: ObjectClient, body: Obj) -> Obj:
    try:
        return cluster.create(body)
    except NotFoundError:
        ensure_namespace(cluster, body["metadata"]["namespace"])
        return cluster.create(body)
