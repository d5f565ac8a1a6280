"""Paths into objects, spelled with server-side apply's path elements.

An element is ``f:<field>`` (a struct field or map key), ``k:<json>`` (a list-map item by its
key fields), ``v:<json>`` (a set item by value) or ``i:<n>`` (an item by position). Using the
same elements as ``managedFields[].fieldsV1`` lets ownership be looked up by plain string
comparison; every ``k:``/``v:`` element is kept in one canonical JSON spelling.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

__all__ = ["KEY_DEFAULTS", "Element", "Path", "canonical_element", "canonical_json",
           "find_item", "human", "item_element", "key_fields"]

Element = str
Path = tuple[Element, ...]

#: list-map key fields the schema defaults (structured-merge-diff fills them in for keys)
KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _plain(value: Any) -> Any:
    # Go writes an integral float64 without ".0"; equal numbers must spell the same
    if type(value) is float and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: one spelling per value."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=8192)
def canonical_element(pe: str) -> str:
    """The canonical spelling of a serialized element; ValueError if it is malformed."""
    kind, body = pe[:2], pe[2:]
    if kind in ("f:", "i:") or pe == ".":
        if kind == "i:" and not body.lstrip("-").isdigit():
            raise ValueError(f"bad index element {pe!r}")
        return pe
    if kind not in ("k:", "v:"):
        raise ValueError(f"unknown path element {pe!r}")
    try:
        value = json.loads(body)
    except json.JSONDecodeError as err:
        raise ValueError(f"bad path element {pe!r}: {err}") from None
    if kind == "k:" and not isinstance(value, dict):
        raise ValueError(f"key element is not an object: {pe!r}")
    return kind + canonical_json(value)


@lru_cache(maxsize=8192)
def _key_of(pe: str) -> tuple[tuple[str, Any], ...]:
    return tuple(json.loads(pe[2:]).items())


def key_fields(pe: Element) -> dict[str, Any]:
    """The key fields of a ``k:`` element."""
    return dict(_key_of(pe))


def item_element(item: Any, keys: tuple[str, ...] | None, index: int) -> Element:
    """The element of a list item: ``k:`` by its keys, ``v:`` for sets (``()``), else ``i:``."""
    if keys == ():
        return "v:" + canonical_json(item)
    if keys and isinstance(item, dict):
        fields = {}
        for key in keys:
            if key in item:
                fields[key] = item[key]
            elif key in KEY_DEFAULTS:
                fields[key] = KEY_DEFAULTS[key]
        if fields:
            return "k:" + canonical_json(fields)
    return f"i:{index}"


def _matches(item: Any, pe: Element, index: int) -> bool:
    if pe[:2] == "k:":
        return isinstance(item, dict) and all(
            _plain(item.get(k, KEY_DEFAULTS.get(k))) == v for k, v in _key_of(pe))
    if pe[:2] == "v:":
        return "v:" + canonical_json(item) == pe
    return pe == f"i:{index}"


def find_item(items: list[Any], pe: Element) -> int | None:
    """Index of the list item an element names, or None."""
    if pe[:2] == "i:":
        i = int(pe[2:])
        return i if 0 <= i < len(items) else None
    for i, item in enumerate(items):
        if _matches(item, pe, i):
            return i
    return None


def _scalar(value: Any) -> str:
    text = value if isinstance(value, str) else canonical_json(value)
    return text if re.fullmatch(r"[^\s,=\[\]\"]+", text) else json.dumps(text)


def human(path: Path) -> str:
    """``spec.template.spec.containers[name=web].image``; odd map keys quoted as in jq."""
    out: list[str] = []
    for pe in path:
        kind, body = pe[:2], pe[2:]
        if kind == "f:":
            name = body if _IDENT.fullmatch(body) else json.dumps(body, ensure_ascii=False)
            out.append(("." if out else "") + name)
        elif kind == "k:":
            out.append("[" + ",".join(f"{k}={_scalar(v)}" for k, v in _key_of(pe)) + "]")
        elif kind == "v:":
            out.append(f"[{body}]")
        else:
            out.append(f"[{body}]")
    return "".join(out)
