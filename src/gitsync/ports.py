"""Protocols the core talks through, so it never depends on the terminal or the wall clock.

``ClusterClient`` and ``HistoryStore`` join these when the packages that need them arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Reporter(Protocol):
    """Where long operations report progress; the CLI renders it live or as plain lines."""

    def info(self, message: str) -> None:
        """A step worth telling the user about ("Fetching origin@main")."""

    def warn(self, message: str) -> None:
        """Something that did not stop the operation but deserves attention."""

    def event(self, subject: str, status: str, message: str = "") -> None:
        """A subject changed status: ``event("Deployment/shop/web", "Progressing", "1 of 3")``."""


class Clock(Protocol):
    """Time as the core sees it; tests substitute a fake one."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock, for deadlines and durations."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds`` (retry back-off; waits for state use watches instead)."""
