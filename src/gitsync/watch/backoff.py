"""Pure timing rules of the watch loop: self-heal back-off, reconnect back-off, jitter.

Self-heal follows Argo CD ≥ 2.13 (``reference/argocd-semantics.md`` §6.3): before attempt n
(n = self-heals already done at this revision) wait 0 for n = 0, else min(base·factor^(n-1),
cap) → 0, 2, 6, 18, 54, 162, 300, 300… seconds, measured from the previous self-heal's end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from gitsync.errors import UsageError


@dataclass(frozen=True)
class SelfHealBackoff:
    """``base`` seconds (0 disables back-off), multiplied by ``factor``, at most ``cap``."""

    base: float = 2.0
    factor: float = 3.0
    cap: float = 300.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait before the next self-heal when ``attempts`` were already made."""
        if attempts <= 0 or self.base <= 0:
            return 0.0
        wait = self.base * self.factor ** (attempts - 1)
        return min(wait, self.cap) if self.cap > 0 else wait

    def remaining(self, attempts: int, since_last: float | None) -> float:
        """What is left of the delay ``since_last`` seconds after the previous self-heal."""
        if since_last is None:
            return 0.0
        return max(0.0, self.delay(attempts) - since_last)

    @classmethod
    def parse(cls, text: str) -> SelfHealBackoff:
        """``BASE[,FACTOR[,CAP]]`` in seconds, e.g. ``2,3,300`` (the default) or ``0`` (off)."""
        parts = [p.strip() for p in text.split(",")]
        if not 1 <= len(parts) <= 3 or not all(parts):
            raise UsageError(f"--self-heal-backoff {text!r}: expected BASE[,FACTOR[,CAP]]",
                             hint="seconds, e.g. 2,3,300 (Argo CD's default) or 0 to disable")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise UsageError(f"--self-heal-backoff {text!r}: not numbers",
                             hint="seconds, e.g. 2,3,300") from None
        defaults = cls()
        base = values[0]
        factor = values[1] if len(values) > 1 else defaults.factor
        cap = values[2] if len(values) > 2 else defaults.cap
        if base < 0 or factor < 1 or cap < 0:
            raise UsageError(f"--self-heal-backoff {text!r}: base and cap must be ≥ 0 and "
                             f"factor ≥ 1")
        return cls(base, factor, cap)


@dataclass(frozen=True)
class HealCount:
    """Self-heals done at one revision and when the last one ended (monotonic seconds)."""

    revision: str = ""
    attempts: int = 0
    last_end: float | None = None

    def at(self, revision: str, now: float, cooldown: float) -> HealCount:
        """The count that applies now: a new revision, or a quiet ``cooldown``, starts over.

        Argo CD only resets on a new revision; a watcher running for weeks would then wait
        the full cap after every manual change, so a period without drift resets it too.
        """
        if revision != self.revision:
            return HealCount(revision)
        if self.last_end is not None and cooldown > 0 and now - self.last_end > cooldown:
            return HealCount(revision)
        return self

    def healed(self, now: float) -> HealCount:
        """The count after one more self-heal that ended at ``now``."""
        return HealCount(self.revision, self.attempts + 1, now)


def reconnect_delay(failures: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Exponential back-off for API errors and broken watches: 0.5, 1, 2, 4 … 30 s."""
    if failures <= 0:
        return 0.0
    return min(base * 2.0 ** (failures - 1), cap)


def next_interval(interval: float, jitter: bool, rng: random.Random | None = None) -> float:
    """The wait until the next periodic refresh: ``interval`` plus up to half of it at random.

    Argo CD adds 0 to 60 s to its 120 s resync so that many apps do not refresh in lockstep;
    half the interval keeps that ratio for any interval.
    """
    if not jitter or interval <= 0:
        return interval
    return interval + (rng or random).uniform(0.0, interval / 2)
