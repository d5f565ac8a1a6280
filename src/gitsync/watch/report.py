"""What one app's watcher says: events, each repeated condition only when it changes.

A watcher refreshes on every watch event and every interval; without memory it would repeat
"drift …" or "refused …" many times a minute for one unchanged situation.
"""

from __future__ import annotations

from gitsync.compare import AppState
from gitsync.watch.decide import Observed
from gitsync.watch.drift import changes
from gitsync.watch.events import Change, Event, Kind, Sink


class AppReport:
    def __init__(self, app: str, target_revision: str, sink: Sink) -> None:
        self.app = app
        self.target_revision = target_revision
        self.sink = sink
        self._said: dict[str, object] = {}

    def emit(self, kind: Kind, message: str = "", *, revision: str = "", status: str = "",
             health: str = "", phase: str = "", changes: tuple[Change, ...] = ()) -> None:
        self.sink(Event(self.app, kind, message, revision, status, health, phase, changes))

    def news(self, topic: str, value: object) -> bool:
        """Whether ``value`` is news for ``topic`` (and remember it)."""
        if self._said.get(topic) == value:
            return False
        self._said[topic] = value
        return True

    def forget(self) -> None:
        """Report everything afresh (a new leadership term)."""
        self._said.clear()

    def refresh(self, state: AppState, seen: Observed, periodic: bool) -> None:
        """The comparison's summary (changes, or every periodic refresh) and its drift."""
        status = state.sync_status.value
        health = state.health.status.value
        if self.news("refresh", (status, seen.revision, health)) or periodic:
            self.emit(Kind.REFRESH, f"{status} at {self.target_revision} "
                                    f"({seen.revision[:7]}), {health}",
                      revision=seen.revision, status=status, health=health)
        found = changes(state) if not seen.synced else ()
        if found and self.news("drift", found):
            self.emit(Kind.DRIFT, f"{len(state.differing)} resource(s) differ from Git",
                      revision=seen.revision, changes=found)
        elif not found:
            self._said.pop("drift", None)
