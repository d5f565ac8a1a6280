"""``metadata.managedFields``: which field manager owns which fields of a live object.

A ``fieldsV1`` value is a trie of path elements (see :mod:`gitsync.diff.fieldpath`): a child
mapped to ``{}`` is an owned leaf, a child holding ``"."`` is owned and also has owned
children, any other child is only a prefix. Tries are decoded once into canonical spelling and
never mutated, so they can be walked side by side with an object.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gitsync.diff.fieldpath import Path, canonical_element, find_item

__all__ = ["FieldSet", "ManagedEntry", "ManagedFields", "Trie", "is_member", "remove_fields"]

Trie = dict[str, "Trie"]
_MEMBER = "."


def is_member(node: Trie | None) -> bool:
    """Whether a trie node marks an owned field."""
    return node is not None and (not node or _MEMBER in node)


def _decode(raw: Mapping[str, Any]) -> Trie:
    out: Trie = {}
    for pe, child in raw.items():
        if not isinstance(child, Mapping):
            raise ValueError(f"fieldsV1: element {pe!r} maps to {type(child).__name__}")
        out[canonical_element(pe)] = _decode(child) if child else {}
    return out


def _union(a: Trie, b: Trie) -> Trie:
    if not a:
        return b if b else a
    if not b:
        # a leaf member joined with a node that has children: the node is a member too
        return a if _MEMBER in a else {**a, _MEMBER: {}}
    out = dict(a)
    for pe, child in b.items():
        out[pe] = _union(out[pe], child) if pe in out else child
    return out


@dataclass(frozen=True)
class FieldSet:
    """A set of owned field paths, as a ``fieldsV1`` trie in canonical spelling."""

    trie: Trie

    @classmethod
    def decode(cls, raw: Mapping[str, Any]) -> FieldSet:
        """Decode a ``fieldsV1`` mapping; ValueError when it is malformed."""
        return cls(_decode(raw))

    def node(self, path: Path) -> Trie | None:
        """The trie node at ``path``, or None when nothing at or under it is owned."""
        node: Trie | None = self.trie
        for pe in path:
            node = node.get(pe) if node else None
        return node

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and is_member(self.node(path))

    def __iter__(self) -> Iterator[Path]:
        """Every owned path, parents before children."""
        stack: list[tuple[Path, Trie]] = [((), self.trie)]
        while stack:
            path, node = stack.pop()
            if path and is_member(node):
                yield path
            for pe in sorted(node, reverse=True):
                if pe != _MEMBER:
                    stack.append(((*path, pe), node[pe]))

    def __bool__(self) -> bool:
        return bool(self.trie)

    def union(self, other: FieldSet) -> FieldSet:
        """Both sets' fields."""
        return FieldSet(_union(self.trie, other.trie))

    def owns(self, path: Path) -> bool:
        """Owns ``path`` itself, an enclosing (atomic) field, or a field inside it."""
        node, atomic = _walk(self.trie, path)
        return atomic or node is not None


def _walk(trie: Trie, path: Path) -> tuple[Trie | None, bool]:
    # (node at path, whether an owned leaf encloses the path: atomic ownership)
    node: Trie | None = trie
    for i, pe in enumerate(path):
        if node is None:
            return None, False
        if i and not node:
            return None, True
        node = node.get(pe)
    return node, False


EMPTY = FieldSet({})


@dataclass(frozen=True)
class ManagedEntry:
    """One ``managedFields`` entry."""

    manager: str
    operation: str
    subresource: str
    fields: FieldSet
    time: str = ""


@dataclass(frozen=True)
class ManagedFields:
    """The decoded ``managedFields`` of a live object."""

    entries: tuple[ManagedEntry, ...] = ()

    @classmethod
    def of(cls, obj: Mapping[str, Any] | None) -> ManagedFields:
        """Decode an object's managedFields; entries that do not decode are skipped."""
        raw = ((obj or {}).get("metadata") or {}).get("managedFields") or ()
        entries = []
        for item in raw if isinstance(raw, list) else ():
            if not isinstance(item, Mapping) or not isinstance(item.get("fieldsV1"), Mapping):
                continue
            try:
                fields = FieldSet.decode(item["fieldsV1"])
            except ValueError:
                # attribution is best effort: a corrupt entry must not break a diff
                continue
            entries.append(ManagedEntry(str(item.get("manager") or ""),
                                        str(item.get("operation") or ""),
                                        str(item.get("subresource") or ""), fields,
                                        str(item.get("time") or "")))
        return cls(tuple(entries))

    @property
    def managers(self) -> tuple[str, ...]:
        """Every manager named, first appearance first."""
        return tuple(dict.fromkeys(e.manager for e in self.entries))

    def fields_of(self, managers: Iterable[str]) -> FieldSet:
        """The union of the fields the named managers own."""
        wanted = set(managers)
        out = EMPTY
        for e in self.entries:
            if e.manager in wanted:
                out = out.union(e.fields)
        return out

    def owners(self, path: Path) -> tuple[str, ...]:
        """Managers owning ``path`` (or a field enclosing it), else a field inside it.

        Most recent first (by the entries' ``time``), so the first is who last wrote it.
        """
        by_time = sorted(self.entries, key=lambda e: e.time, reverse=True)
        exact = [e.manager for e in by_time
                 if is_member(e.fields.node(path)) or _walk(e.fields.trie, path)[1]]
        inside = [e.manager for e in by_time if e.fields.owns(path)]
        return tuple(dict.fromkeys(exact or inside))


def remove_fields(obj: Any, node: Trie) -> None:
    """Delete every owned leaf of ``node`` from ``obj`` in place; emptied parents go too."""
    for pe, child in node.items():
        if pe == _MEMBER:
            continue
        if isinstance(obj, dict) and pe[:2] == "f:":
            key: Any = pe[2:]
            if key not in obj:
                continue
        elif isinstance(obj, list) and pe[:2] in ("k:", "v:", "i:"):
            key = find_item(obj, pe)
            if key is None:
                continue
        else:
            continue
        if not child:
            del obj[key]
            continue
        remove_fields(obj[key], child)
        if obj[key] in ({}, []):
            del obj[key]
