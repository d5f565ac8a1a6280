"""Self-heal back-off (0, 2, 6, 18 … ≤ 300 s), its counter, reconnects and jitter."""

from __future__ import annotations

import random

import pytest

from gitsync.errors import UsageError
from gitsync.watch.backoff import HealCount, SelfHealBackoff, next_interval, reconnect_delay

DEFAULT = SelfHealBackoff()

DELAYS: list[tuple[str, SelfHealBackoff, int, float]] = [
    ("first-heal-at-once", DEFAULT, 0, 0.0),
    ("second-after-2s", DEFAULT, 1, 2.0),
    ("third-after-6s", DEFAULT, 2, 6.0),
    ("fourth-after-18s", DEFAULT, 3, 18.0),
    ("then-54", DEFAULT, 4, 54.0),
    ("then-162", DEFAULT, 5, 162.0),
    ("capped-at-300", DEFAULT, 6, 300.0),
    ("stays-capped", DEFAULT, 40, 300.0),
    ("negative-count-is-none", DEFAULT, -1, 0.0),
    ("base-0-disables", SelfHealBackoff(0.0), 5, 0.0),
    ("own-factor", SelfHealBackoff(1.0, 2.0, 10.0), 3, 4.0),
    ("own-cap", SelfHealBackoff(1.0, 2.0, 10.0), 9, 10.0),
    ("cap-0-means-uncapped", SelfHealBackoff(2.0, 3.0, 0.0), 7, 1458.0),
    ("factor-1-is-constant", SelfHealBackoff(5.0, 1.0, 300.0), 9, 5.0),
]


@pytest.mark.parametrize(("backoff", "attempts", "delay"), [c[1:] for c in DELAYS],
                         ids=[c[0] for c in DELAYS])
def test_delay(backoff: SelfHealBackoff, attempts: int, delay: float) -> None:
    assert backoff.delay(attempts) == delay


REMAINING: list[tuple[str, int, float | None, float]] = [
    ("never-healed", 3, None, 0.0),
    ("part-of-the-delay-left", 2, 4.0, 2.0),
    ("delay-over", 2, 6.5, 0.0),
    ("first-heal-never-waits", 0, 0.0, 0.0),
]


@pytest.mark.parametrize(("attempts", "since", "left"), [c[1:] for c in REMAINING],
                         ids=[c[0] for c in REMAINING])
def test_remaining(attempts: int, since: float | None, left: float) -> None:
    assert DEFAULT.remaining(attempts, since) == left


PARSE: list[tuple[str, SelfHealBackoff]] = [
    ("2,3,300", DEFAULT),
    ("0", SelfHealBackoff(0.0, 3.0, 300.0)),
    ("1", SelfHealBackoff(1.0, 3.0, 300.0)),
    ("1.5, 2", SelfHealBackoff(1.5, 2.0, 300.0)),
    ("5,1,60", SelfHealBackoff(5.0, 1.0, 60.0)),
]


@pytest.mark.parametrize(("text", "expected"), PARSE, ids=[p[0] for p in PARSE])
def test_parse(text: str, expected: SelfHealBackoff) -> None:
    assert SelfHealBackoff.parse(text) == expected


@pytest.mark.parametrize("text", ["", "a", "1,2,3,4", "1,,3", "-1", "2,0.5", "2,3,-1"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        SelfHealBackoff.parse(text)


COUNTS: list[tuple[str, HealCount, str, float, HealCount]] = [
    ("fresh-revision-starts-at-0", HealCount("a", 3, 10.0), "b", 11.0, HealCount("b")),
    ("same-revision-keeps-count", HealCount("a", 3, 10.0), "a", 11.0, HealCount("a", 3, 10.0)),
    ("quiet-period-resets", HealCount("a", 3, 10.0), "a", 400.0, HealCount("a")),
    ("just-inside-cooldown", HealCount("a", 3, 10.0), "a", 310.0, HealCount("a", 3, 10.0)),
    ("never-healed-stays-empty", HealCount("a"), "a", 1000.0, HealCount("a")),
]


@pytest.mark.parametrize(("count", "revision", "now", "expected"), [c[1:] for c in COUNTS],
                         ids=[c[0] for c in COUNTS])
def test_heal_count(count: HealCount, revision: str, now: float, expected: HealCount) -> None:
    assert count.at(revision, now, cooldown=300.0) == expected


def test_healed_counts_up() -> None:
    assert HealCount("a").healed(5.0).healed(9.0) == HealCount("a", 2, 9.0)


def test_cooldown_0_never_resets() -> None:
    assert HealCount("a", 3, 0.0).at("a", 1e9, cooldown=0) == HealCount("a", 3, 0.0)


@pytest.mark.parametrize(("failures", "delay"),
                         [(0, 0.0), (1, 0.5), (2, 1.0), (4, 4.0), (7, 30.0), (50, 30.0)])
def test_reconnect_delay(failures: int, delay: float) -> None:
    assert reconnect_delay(failures) == delay


def test_jitter_stays_within_half_the_interval() -> None:
    rng = random.Random(1)
    waits = [next_interval(120.0, True, rng) for _ in range(200)]
    assert all(120.0 <= w <= 180.0 for w in waits) and len(set(waits)) > 100
    assert next_interval(120.0, False, rng) == 120.0
    assert next_interval(0.0, True, rng) == 0.0
