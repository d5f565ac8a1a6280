"""Exact Kubernetes quantities and Go durations, canonicalised as the API server stores them.

The server re-serialises a ``resource.Quantity`` in its canonical form for the quantity's
format (``0.5`` -> ``500m``, ``1024Mi`` -> ``1Gi``) and a ``metav1.Duration`` with Go's
``time.Duration.String`` (``90m`` -> ``1h30m0s``). Canonicalising both sides the same way makes
equal values compare equal without inventing a representation the cluster never shows.
Arithmetic is on ``Fraction`` so nothing is lost to floating point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

__all__ = ["Quantity", "QuantityFormat", "canonical_duration", "canonical_quantity",
           "parse_duration", "parse_quantity"]


class QuantityFormat(StrEnum):
    """How a quantity was written; the server keeps it when re-serialising."""

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"
    DECIMAL_EXPONENT = "DecimalExponent"


_NUMBER = re.compile(r"([+-]?)(\d+\.?\d*|\.\d+)(.*)", re.DOTALL)
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v // 10: k for k, v in _BINARY.items()}
_NANO = 10**9
# apimachinery caps every quantity at the largest int64
_MAX = Fraction(2**63 - 1)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact quantity value with the format it was written in."""

    value: Fraction
    format: QuantityFormat

    def canonical(self) -> str:
        """The string the API server would store for this quantity."""
        v, fmt = self.value, self.format
        if v == 0:
            return "0"
        if fmt is QuantityFormat.BINARY_SI:
            if -1024 < v < 1024 or v.denominator != 1:
                # apimachinery avoids rounding: small or fractional binary values go decimal
                fmt = QuantityFormat.DECIMAL_SI
            else:
                n, k = abs(v.numerator), 0
                while n % 1024 == 0 and k < 6:
                    n, k = n // 1024, k + 1
                sign = "-" if v < 0 else ""
                return f"{sign}{n}{_BINARY_SUFFIX.get(k, '')}"
        mantissa, exponent = _canonical_decimal(v)
        if fmt is QuantityFormat.DECIMAL_EXPONENT:
            return f"{mantissa}e{exponent}" if exponent else str(mantissa)
        return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"


def _canonical_decimal(v: Fraction) -> tuple[int, int]:
    # the value has at most nano precision (parse rounds up), so v * 10^9 is an integer
    n = int(v * _NANO)
    exponent = -9
    while n % 10 == 0:
        n //= 10
        exponent += 1
    while exponent % 3:
        n *= 10
        exponent -= 1
    return n, exponent


def parse_quantity(text: str | int | float) -> Quantity | None:
    """Parse ``500m``, ``1.5Gi``, ``1e3``, ``2``; None if it is not a quantity."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        text = repr(text) if isinstance(text, float) else str(text)
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None
    sign, number, suffix = m.groups()
    try:
        amount = Fraction(number)
    except ValueError:
        return None
    if suffix in _BINARY:
        fmt, amount = QuantityFormat.BINARY_SI, amount * 2 ** _BINARY[suffix]
    elif suffix in _DECIMAL:
        fmt, amount = QuantityFormat.DECIMAL_SI, amount * Fraction(10) ** _DECIMAL[suffix]
    elif e := _EXPONENT.fullmatch(suffix):
        fmt, amount = QuantityFormat.DECIMAL_EXPONENT, amount * Fraction(10) ** int(e.group(1))
    else:
        return None
    # apimachinery rounds up to the nearest nano so that a tiny request is never zero
    scaled = amount * _NANO
    amount = Fraction(-((-scaled.numerator) // scaled.denominator), _NANO)
    amount = min(amount, _MAX)
    if fmt is QuantityFormat.BINARY_SI and 0 < amount < 1:
        fmt = QuantityFormat.DECIMAL_SI
    return Quantity(-amount if sign == "-" else amount, fmt)


def canonical_quantity(value: object) -> object:
    """The canonical string of a quantity; anything that does not parse is returned as is."""
    if isinstance(value, str):
        return _canonical_text(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    q = parse_quantity(value)
    return value if q is None else q.canonical()


@lru_cache(maxsize=4096)
def _canonical_text(text: str) -> str:
    # the same few spellings ("500m", "1Gi") recur in every resource of an app
    q = parse_quantity(text)
    return text if q is None else q.canonical()


# --- durations -----------------------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
                   "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(text: str) -> int | None:
    """Go's ``time.ParseDuration`` in nanoseconds (``1h30m``, ``1.5s``, ``-2ms``); None if bad."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    if not body:
        return None
    total, pos = Fraction(0), 0
    while pos < len(body):
        m = _DURATION_PART.match(body, pos)
        if m is None or not (m.group(1) or m.group(2)):
            return None
        whole, frac, unit = m.group(1) or "0", m.group(2) or "", m.group(3)
        total += (Fraction(int(whole)) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)) \
            * _DURATION_UNITS[unit]
        pos = m.end()
    return sign * int(total)  # Go truncates sub-nanosecond fractions


def _frac(value: int, precision: int) -> tuple[str, int]:
    digits = f"{value % 10**precision:0{precision}d}".rstrip("0")
    return ("." + digits if digits else ""), value // 10**precision


def format_duration(ns: int) -> str:
    """Go's ``time.Duration.String``: ``1h30m0s``, ``1.5s``, ``500ms``, ``0s``."""
    if ns == 0:
        return "0s"
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u < 10**9:
        unit, precision = ("ns", 0) if u < 1_000 else ("µs", 3) if u < 10**6 else ("ms", 6)
        frac, whole = _frac(u, precision)
        return f"{sign}{whole}{frac}{unit}"
    frac, seconds = _frac(u, 9)
    minutes, seconds = divmod(seconds, 60)
    text = f"{seconds}{frac}s"
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = f"{minutes}m{text}"
        if hours:
            text = f"{hours}h{text}"
    return sign + text


def canonical_duration(value: object) -> object:
    """The ``metav1.Duration`` string of a duration; anything that does not parse is unchanged."""
    return _canonical_duration(value) if isinstance(value, str) else value


@lru_cache(maxsize=4096)
def _canonical_duration(text: str) -> str:
    ns = parse_duration(text)
    return text if ns is None else format_duration(ns)
