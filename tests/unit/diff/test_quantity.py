"""Quantities and durations: canonical as the API server stores them, compared by value."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gitsync.diff.quantity import (
    QuantityFormat,
    canonical_duration,
    canonical_quantity,
    parse_quantity,
)

QUANTITIES = [
    ("millis", "500m", "500m"),
    ("half-cpu-decimal", "0.5", "500m"),
    ("half-cpu-number", 0.5, "500m"),
    ("whole-millis", "1000m", "1"),
    ("integer", 2, "2"),
    ("float-integral", 1.0, "1"),
    ("kilo", "1000", "1k"),
    ("not-multiple-of-1000", "1500", "1500"),
    ("gibi", "1Gi", "1Gi"),
    ("mebi-to-gibi", "1024Mi", "1Gi"),
    ("fractional-gibi", "1.5Gi", "1536Mi"),
    ("half-gibi", "0.5Gi", "512Mi"),
    ("plain-bytes-stay-decimal", "104857600", "104857600"),
    ("small-binary-goes-decimal", "0.1Ki", "102400m"),
    ("exponent", "1e3", "1e3"),
    ("exponent-normalised", "12e-1", "1200e-3"),
    ("exa-suffix-not-exponent", "1E", "1E"),
    ("nano-rounds-up", "0.0000000001", "1n"),
    ("negative", "-500m", "-500m"),
    ("leading-dot", ".5", "500m"),
    ("capped-at-int64", "8Ei", "9223372036854775807"),
    ("not-a-quantity", "lots", "lots"),
    ("spaces-are-not-quantities", " 1", " 1"),
    ("bool-untouched", True, True),
]


@pytest.mark.parametrize(("text", "want"), [q[1:] for q in QUANTITIES],
                         ids=[q[0] for q in QUANTITIES])
def test_canonical_quantity(text: object, want: object) -> None:
    assert canonical_quantity(text) == want


@pytest.mark.parametrize(("a", "b"), [("500m", "0.5"), ("1Gi", "1024Mi"), ("1", "1000m"),
                                      ("2Ki", "2048"), ("1k", "1e3")],
                         ids=["cpu", "memory", "millis", "binary-vs-decimal", "si-vs-exponent"])
def test_equal_values_parse_equal(a: str, b: str) -> None:
    qa, qb = parse_quantity(a), parse_quantity(b)
    assert qa is not None and qb is not None
    assert qa.value == qb.value


def test_parse_keeps_format() -> None:
    q = parse_quantity("1.5Gi")
    assert q is not None
    assert (q.value, q.format) == (Fraction(3 * 2**29), QuantityFormat.BINARY_SI)


DURATIONS = [
    ("minutes-to-hours", "90m", "1h30m0s"),
    ("hour", "1h", "1h0m0s"),
    ("fraction", "1.5s", "1.5s"),
    ("millis", "500ms", "500ms"),
    ("micro", "1us", "1µs"),
    ("zero", "0", "0s"),
    ("negative", "-1m", "-1m0s"),
    ("mixed", "2h45m30.5s", "2h45m30.5s"),
    ("bare-number-is-not-go", "10", "10"),
    ("garbage", "soon", "soon"),
]


@pytest.mark.parametrize(("text", "want"), [d[1:] for d in DURATIONS],
                         ids=[d[0] for d in DURATIONS])
def test_canonical_duration(text: str, want: str) -> None:
    assert canonical_duration(text) == want
