"""What the watcher reports: one record per event, printed as one line (text or JSON).

JSON lines are for log collectors: every record has ``time``, ``app``, ``event`` and
``message``; the other keys appear only when they say something (see docs/watch.md).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    WATCHING = "watching"            # the app's watcher started
    STANDBY = "standby"              # another watcher holds the app's Lease: waiting
    LEADING = "leading"              # this watcher took the Lease and acts for the app
    LOCK_LOST = "lock-lost"          # the Lease was taken over: back to standby
    REFRESH = "refresh"              # a comparison: status, revision, health
    DRIFT = "drift"                  # live objects differ from Git, and how
    SKIPPED = "skipped"              # OutOfSync, but the policy says leave it
    REFUSED = "refused"              # a sync is due but may not run
    SYNC_STARTED = "sync-started"
    SYNC_FINISHED = "sync-finished"
    HEAL_WAITING = "self-heal-waiting"
    HEAL_STARTED = "self-heal-started"
    HEAL_FINISHED = "self-heal-finished"
    PROGRESS = "progress"            # a step or resource of a running operation
    WARNING = "warning"
    ERROR = "error"                  # Git or API trouble; the watcher carries on
    WATCH = "watch"                  # a resource watch broke and reconnects
    STOPPED = "stopped"


@dataclass(frozen=True)
class Change:
    """One way a live object differs from Git, with who made it so when that is known."""

    resource: str
    path: str = ""
    git: Any = None
    live: Any = None
    manager: str = ""
    #: for whole objects: "deleted in the cluster", "not in Git"
    note: str = ""

    def __str__(self) -> str:
        if self.note:
            return f"{self.resource}: {self.note}"
        if self.manager:
            return (f"{self.resource}: {self.manager} set {self.path} {_value(self.git)} → "
                    f"{_value(self.live)}")
        return f"{self.resource}: {self.path} is {_value(self.live)}, Git has {_value(self.git)}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resource": self.resource}
        if self.note:
            out["note"] = self.note
        else:
            out.update(path=self.path, git=self.git, live=self.live,
                       manager=self.manager or None)
        return out


@dataclass(frozen=True)
class Event:
    app: str
    kind: Kind
    message: str = ""
    revision: str = ""
    status: str = ""
    health: str = ""
    phase: str = ""
    changes: tuple[Change, ...] = ()
    time: str = field(default_factory=lambda: datetime.now(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"time": self.time, "app": self.app, "event": str(self.kind),
                               "message": self.message}
        for key in ("revision", "status", "health", "phase"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.changes:
            out["changes"] = [c.to_json() for c in self.changes]
        return out

    def line(self, output: str = "text") -> str:
        """The event as one line: JSON, or ``time app event message``."""
        if output == "json":
            return json.dumps(self.to_json(), ensure_ascii=False, default=str)
        text = self.message
        if self.changes:
            text = (text + ": " if text else "") + "; ".join(map(str, self.changes))
        return f"{self.time} {self.app} {self.kind} {text}".rstrip()


Sink = Callable[[Event], None]


def locked(sink: Sink) -> Sink:
    """``sink`` made safe for the app threads: their lines never interleave."""
    mutex = threading.Lock()

    def emit(event: Event) -> None:
        with mutex:
            sink(event)
    return emit


class EventReporter:
    """The :class:`~gitsync.ports.Reporter` of operations the watcher runs: progress events."""

    def __init__(self, app: str, sink: Sink) -> None:
        self.app = app
        self.sink = sink

    def info(self, message: str) -> None:
        self.sink(Event(self.app, Kind.PROGRESS, message))

    def warn(self, message: str) -> None:
        self.sink(Event(self.app, Kind.WARNING, message))

    def event(self, subject: str, status: str, message: str = "") -> None:
        self.sink(Event(self.app, Kind.PROGRESS, f"{subject} {status}"
                                                 + (f": {message}" if message else "")))


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str) \
        if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."
