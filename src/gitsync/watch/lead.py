"""Who acts for an app: the watcher holding the app's Lease; the others wait as standby.

It is the same Lease a sync holds (DESIGN.md §4.6), so a watcher also keeps manual syncs
and other watchers out while it leads. A standby polls until the Lease is released or expires
(its holder died without renewing), then takes it over.
"""

from __future__ import annotations

import threading

from gitsync.errors import GitsyncError
from gitsync.history import LeaseLock, LockHeldError, acquire
from gitsync.kube import Cluster
from gitsync.watch.backoff import reconnect_delay
from gitsync.watch.events import Event, Kind, Sink


class _Stopped(Exception):
    """Raised out of the Lease poll when the watcher is told to stop."""


def take_lead(cluster: Cluster, app: str, holder: str, *, duration_s: int, namespace: str,
              stop: threading.Event, sink: Sink) -> LeaseLock | None:
    """The app's Lease, held and kept alive; None when stopped before getting it."""
    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise _Stopped

    # poll often enough to take over soon after expiry, rarely enough for hours of standby
    poll = max(0.1, min(2.0, duration_s / 10))
    failures = 0
    announced = ""
    while not stop.is_set():
        try:
            try:
                lock = acquire(cluster, app, holder, namespace=namespace,
                               duration_s=duration_s)
            except LockHeldError as exc:
                if exc.holder != announced:
                    announced = exc.holder
                    who = exc.holder or "another operation"
                    sink(Event(app, Kind.STANDBY, f"locked by {who}; waiting to take over"))
                # bounded, so a change of holder is announced and a stop is noticed
                lock = acquire(cluster, app, holder, namespace=namespace,
                               duration_s=duration_s, wait=True, timeout_s=duration_s * 2,
                               poll_s=poll, sleep=sleep)
        except _Stopped:
            return None
        except LockHeldError:
            continue
        except GitsyncError as exc:
            failures += 1
            delay = reconnect_delay(failures)
            sink(Event(app, Kind.ERROR, f"cannot take the lock: {exc.message}; retrying in "
                                        f"{delay:g}s"))
            if stop.wait(delay):
                return None
            continue
        lock.keep_alive()
        sink(Event(app, Kind.LEADING, f"holding Lease {lock.name} as {holder}"))
        return lock
    return None

