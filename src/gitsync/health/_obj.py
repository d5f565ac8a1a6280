"""Typed, forgiving reads of a live object's fields, shared by the per-kind checks.

Live objects come from the API as JSON, but a health check must never raise on an odd one (a
crash here would abort a whole sync), so every accessor returns an empty value of the expected
type when a field is absent or of another type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

Obj = Mapping[str, Any]


def get(obj: Obj, *path: str) -> Any:
    """The value at ``path``, or None when any step is missing or not a mapping."""
    value: Any = obj
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def mapping(obj: Obj, *path: str) -> Obj:
    """The mapping at ``path``; {} when absent or of another type."""
    value = get(obj, *path)
    return value if isinstance(value, Mapping) else {}


def text(obj: Obj, *path: str) -> str:
    """The string at ``path``; "" when absent or of another type."""
    value = get(obj, *path)
    return value if isinstance(value, str) else ""


def number(obj: Obj, *path: str) -> int | None:
    """The integer at ``path``; None when absent (so "unset" differs from 0)."""
    value = get(obj, *path)
    # bool is an int in Python, but never a count in Kubernetes
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count(obj: Obj, *path: str) -> int:
    """The integer at ``path``; 0 when absent, as Go's zero value."""
    return number(obj, *path) or 0


def objects(obj: Obj, *path: str) -> list[Obj]:
    """The mappings in the list at ``path``; other items are skipped."""
    value = get(obj, *path)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def name(obj: Obj) -> str:
    return text(obj, "metadata", "name")


def annotation(obj: Obj, key: str) -> str:
    """The value of annotation ``key``; "" when absent."""
    return text(obj, "metadata", "annotations", key)


def conditions(obj: Obj) -> list[Obj]:
    return objects(obj, "status", "conditions")


def condition(obj: Obj, kind: str) -> Obj | None:
    """The first ``status.conditions`` entry of type ``kind``."""
    return find(conditions(obj), kind)


def find(items: list[Obj], kind: str) -> Obj | None:
    """The first condition of type ``kind`` in ``items``."""
    return next((c for c in items if c.get("type") == kind), None)


def is_true(cond: Obj | None) -> TypeGuard[Obj]:
    """Whether ``cond`` exists with status "True"."""
    return cond is not None and cond.get("status") == "True"


def describe(cond: Obj) -> str:
    """``Reason: message`` (either part alone when the other is empty)."""
    return ": ".join(part for part in (text(cond, "reason"), text(cond, "message")) if part)
