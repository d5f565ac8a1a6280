"""``resource.Quantity``: parsing, comparison and the canonical form the server writes back.

A real API server re-serializes every quantity it stores: ``cpu: 0.5`` comes back as ``500m``,
``memory: 1024Mi`` as ``1Gi``, ``1000`` as ``1k``.  Values finer than a nano are rounded up.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

QUANTITY_REGEX_ERROR = ("quantities must match the regular expression "
                        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
SUFFIX_ERROR = "unable to parse quantity's suffix"

_SPLIT = re.compile(r"([+-]?[0-9.]+)(.*)", re.S)
_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)")

BINARY_SI = "BinarySI"
DECIMAL_SI = "DecimalSI"
DECIMAL_EXPONENT = "DecimalExponent"


class QuantityError(ValueError):
    pass


def _ceil_scale(value: Fraction, scale: int) -> Fraction:
    """Round away from zero to a multiple of 10**scale (scale <= 0)."""
    unit = Fraction(1, 10 ** -scale) if scale < 0 else Fraction(10 ** scale)
    steps = value / unit
    if steps.denominator == 1:
        return value
    whole = steps.numerator // steps.denominator
    if value > 0:
        whole += 1
    return whole * unit


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 1, 1.0 and True differ here
def parse(text: str | int | float) -> tuple[Fraction, str]:
    """The exact value and the format (BinarySI, DecimalSI, DecimalExponent) of a quantity."""
    if isinstance(text, bool):
        raise QuantityError(QUANTITY_REGEX_ERROR)
    if isinstance(text, int | float):
        text = repr(text) if isinstance(text, float) else str(text)
    text = text.strip()
    m = _SPLIT.fullmatch(text)
    if not m or not text:
        raise QuantityError(QUANTITY_REGEX_ERROR)
    number, suffix = m.group(1), m.group(2)
    sign = 1
    if number[0] in "+-":
        sign = -1 if number[0] == "-" else 1
        number = number[1:]
    if not _NUMBER.fullmatch(number):
        raise QuantityError(QUANTITY_REGEX_ERROR)
    if not re.fullmatch(r"[eEinumkKMGTP]*[-+]?[0-9]*", suffix):
        raise QuantityError(QUANTITY_REGEX_ERROR)
    value = Fraction(number) * sign
    if suffix in _BINARY:
        value *= 1024 ** _BINARY[suffix]
        fmt = BINARY_SI
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
        fmt = DECIMAL_SI
    else:
        e = _EXPONENT.fullmatch(suffix)
        if not e:
            raise QuantityError(SUFFIX_ERROR)
        value *= Fraction(10) ** int(e.group(1))
        fmt = DECIMAL_EXPONENT
    return _ceil_scale(value, -9), fmt


def _decimal_parts(value: Fraction) -> tuple[int, int]:
    """Integer mantissa and exponent (a multiple of 3), trailing zeros removed first."""
    exp = 0
    num, den = value.numerator, value.denominator
    while den != 1:
        num *= 10
        exp -= 1
        g = Fraction(num, den)
        num, den = g.numerator, g.denominator
    while num and num % 10 == 0:
        num //= 10
        exp += 1
    rem = exp % 3
    if rem:
        num *= 10 ** rem
        exp -= rem
    return num, exp


def format_quantity(value: Fraction, fmt: str) -> str:
    """The canonical string of a quantity, as ``Quantity.String()`` prints it."""
    if value == 0:
        return "0"
    if fmt == BINARY_SI and (abs(value) < 1024 or value.denominator != 1):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        num, exp = int(value), 0
        while exp < 6 and num % 1024 == 0:
            num //= 1024
            exp += 1
        suffix = {v: k for k, v in _BINARY.items()}.get(exp, "")
        return f"{num}{suffix}"
    num, exp = _decimal_parts(value)
    if fmt == DECIMAL_SI and exp in _DECIMAL_SUFFIX:
        return f"{num}{_DECIMAL_SUFFIX[exp]}"
    return f"{num}e{exp}" if exp else str(num)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 1, 1.0 and True differ here
def canonical(text: str | int | float, round_milli: bool = False) -> str:
    """Parse and print back; ``round_milli`` rounds up to milli units as resource lists are."""
    value, fmt = parse(text)
    if round_milli:
        value = _ceil_scale(value, -3)
    return format_quantity(value, fmt)


def value_of(text: str | int | float) -> Fraction:
    return parse(text)[0]
