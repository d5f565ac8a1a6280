"""Typed access to a parsed YAML document by dotted path; failures name file, line and field."""

from __future__ import annotations

from typing import Any, NoReturn

from gitsync.errors import InvalidInputError
from gitsync.model.yamldoc import Document

_MISSING = object()


def type_name(value: Any) -> str:
    """``a string``, ``an integer``, … as messages name a YAML value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Reader:
    """Reads fields of one document; every error is ``file:line: Kind name: field: reason``."""

    def __init__(self, doc: Document, file: str, what: str = "") -> None:
        self.doc = doc
        self.file = file
        self.what = what

    def _path(self, dotted: str) -> tuple[str | int, ...]:
        return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))

    def get(self, dotted: str, default: Any = None) -> Any:
        cur: Any = self.doc.value
        for part in self._path(dotted):
            if isinstance(cur, list) and isinstance(part, int) and part < len(cur):
                cur = cur[part]
                continue
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = cur[part]
        return cur

    def has(self, dotted: str) -> bool:
        return self.get(dotted, _MISSING) is not _MISSING

    def fail(self, dotted: str, reason: str) -> NoReturn:
        line = self.doc.line_of(self._path(dotted))
        where = f"{self.file}:{line}" if line else self.file
        subject = f"{self.what}: " if self.what else ""
        raise InvalidInputError(f"{where}: {subject}{dotted}: {reason}")

    def _typed(self, dotted: str, kinds: tuple[type, ...], label: str, required: bool) -> Any:
        value = self.get(dotted, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(dotted, "required field is missing")
            return None
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            self.fail(dotted, f"must be {label}, not {type_name(value)}")
        return value

    def string(self, dotted: str, *, required: bool = False) -> str:
        value = self._typed(dotted, (str,), "a string", required)
        if required and value == "":
            self.fail(dotted, "must not be empty")
        return value or ""

    def scalar_string(self, dotted: str) -> str:
        """A string, or a number/boolean written without quotes (``value: 3``)."""
        value = self._typed(dotted, (str, int, float, bool), "a string", False)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    def boolean(self, dotted: str, *, default: bool = False) -> bool:
        value = self._typed(dotted, (bool,), "true or false", False)
        return default if value is None else bool(value)

    def integer(self, dotted: str, *, default: int = 0, required: bool = False,
                minimum: int | None = None) -> int:
        value = self._typed(dotted, (int,), "an integer", required)
        if value is None:
            return default
        if minimum is not None and value < minimum:
            self.fail(dotted, f"must be at least {minimum}, not {value}")
        return int(value)

    def number(self, dotted: str, *, default: float = 0, minimum: float | None = None) -> float:
        value = self._typed(dotted, (int, float), "a number", False)
        if value is None:
            return default
        if minimum is not None and value < minimum:
            self.fail(dotted, f"must be at least {minimum}, not {value}")
        return float(value)

    def mapping(self, dotted: str, *, required: bool = False) -> dict[str, Any]:
        return self._typed(dotted, (dict,), "a mapping", required) or {}

    def sequence(self, dotted: str) -> list[Any]:
        return self._typed(dotted, (list,), "a list", False) or []

    def strings(self, dotted: str) -> list[str]:
        items = self.sequence(dotted)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(f"{dotted}.{i}", f"must be a string, not {type_name(item)}")
        return list(items)

    def string_map(self, dotted: str) -> dict[str, str]:
        m = self.mapping(dotted)
        out: dict[str, str] = {}
        for k, v in m.items():
            if isinstance(v, dict | list) or v is None:
                self.fail(f"{dotted}.{k}", f"must be a string, not {type_name(v)}")
            out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
        return out
