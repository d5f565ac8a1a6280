"""Predict the live object after a forced server-side apply of the desired manifest.

The prediction starts from the live object, so fields Git never set (server defaults, other
controllers' fields) stay as they are and cannot differ. Every field of the desired manifest
is set; keyed lists are merged item by item on their merge keys. A live field that the
applying manager owned but Git no longer has is removed, unless another manager owns it too,
as the API server does. Each difference met on the way is recorded as a raw change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from gitsync.diff.fieldpath import Path, find_item, item_element, key_fields
from gitsync.diff.fieldsv1 import Trie, is_member

__all__ = ["ListKeys", "RawChange", "predict", "same"]

Op = Literal["changed", "added", "removed"]


class ListKeys(Protocol):
    """Merge keys of the list at ``path`` (field names from the object's root, list items
    skipped): a tuple of key fields for a list-map, ``()`` for a set, None for an atomic list."""

    def __call__(self, api_version: str, kind: str, path: tuple[str, ...], /) -> \
            tuple[str, ...] | None: ...


@dataclass(frozen=True, slots=True)
class RawChange:
    """A difference before attribution: where, what kind, the two values."""

    path: Path
    op: Op
    live: Any
    desired: Any


_GONE: Any = object()


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``True != 1``; maps by key, lists in order."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(b, dict | list):
        return False
    return bool(a == b)


@dataclass
class _Walk:
    api_version: str
    kind: str
    list_keys: Callable[[str, str, tuple[str, ...]], tuple[str, ...] | None]
    changes: list[RawChange] = field(default_factory=list)

    def keys(self, spath: tuple[str, ...], *owned: Trie | None) -> tuple[str, ...] | None:
        got = self.list_keys(self.api_version, self.kind, spath)
        if got is not None:
            return got
        # no schema for it (a CRD, say): the server's own keys show in managedFields
        for node in owned:
            for pe in node or ():
                if pe[:2] == "k:":
                    return tuple(sorted(key_fields(pe)))
        return None

    def merge(self, live: Any, desired: Any, path: Path, spath: tuple[str, ...],
              mine: Trie | None, others: Trie | None) -> Any:
        if isinstance(live, dict) and isinstance(desired, dict):
            return self.merge_map(live, desired, path, spath, mine, others)
        if isinstance(live, list) and isinstance(desired, list):
            keys = self.keys(spath, mine, others)
            if keys is not None:
                merged = self.merge_list(live, desired, keys, path, spath, mine, others)
                if merged is not _GONE:
                    return merged
        if not same(live, desired):
            self.changes.append(RawChange(path, "changed", live, desired))
        return desired

    def merge_map(self, live: dict[str, Any], desired: dict[str, Any], path: Path,
                  spath: tuple[str, ...], mine: Trie | None, others: Trie | None) -> Any:
        out: dict[str, Any] = {}
        for k, value in live.items():
            pe = "f:" + k
            m, o = (mine or {}).get(pe), (others or {}).get(pe)
            if k in desired:
                out[k] = self.merge(value, desired[k], (*path, pe), (*spath, k), m, o)
            else:
                kept = self.prune(value, (*path, pe), m, o)
                if kept is not _GONE:
                    out[k] = kept
        for k, value in desired.items():
            if k not in live:
                self.changes.append(RawChange((*path, "f:" + k), "added", None, value))
                out[k] = value
        return out

    def merge_list(self, live: list[Any], desired: list[Any], keys: tuple[str, ...],
                   path: Path, spath: tuple[str, ...], mine: Trie | None,
                   others: Trie | None) -> Any:
        wanted: dict[str, Any] = {}
        for i, item in enumerate(desired):
            pe = item_element(item, keys, i)
            if pe[:2] == "i:" or pe in wanted:
                return _GONE  # keyless or duplicate items: compare the list as a whole
            wanted[pe] = item
        have = [item_element(item, keys, i) for i, item in enumerate(live)]
        if any(pe[:2] == "i:" for pe in have) or len(set(have)) != len(have):
            return _GONE
        out = []
        # live order first, so that reordering items in Git is not a difference
        for pe, item in zip(have, live, strict=True):
            m, o = (mine or {}).get(pe), (others or {}).get(pe)
            if pe in wanted:
                out.append(self.merge(item, wanted[pe], (*path, pe), spath, m, o))
            else:
                kept = self.prune(item, (*path, pe), m, o)
                if kept is not _GONE:
                    out.append(kept)
        seen = set(have)
        for pe, item in wanted.items():
            if pe not in seen:
                self.changes.append(RawChange((*path, pe), "added", None, item))
                out.append(item)
        return out

    def prune(self, live: Any, path: Path, mine: Trie | None, others: Trie | None) -> Any:
        """``live`` without what only the applier owned; _GONE when nothing is left."""
        if mine is None:
            return live
        if is_member(mine) and others is None:
            self.changes.append(RawChange(path, "removed", live, None))
            return _GONE
        children = [pe for pe in mine if pe != "."]
        if not children or not isinstance(live, dict | list):
            return live
        if isinstance(live, dict):
            out = dict(live)
            for pe in children:
                if pe[:2] == "f:" and pe[2:] in out:
                    kept = self.prune(out[pe[2:]], (*path, pe), mine[pe], (others or {}).get(pe))
                    if kept is _GONE:
                        del out[pe[2:]]
                    else:
                        out[pe[2:]] = kept
            return out if out or not live else _GONE
        # find items by the elements the server recorded; no schema needed for that
        pruned: dict[int, Any] = {}
        for pe in children:
            i = find_item(live, pe)
            if i is not None and i not in pruned:
                pruned[i] = self.prune(live[i], (*path, pe), mine[pe], (others or {}).get(pe))
        items = [pruned.get(i, item) for i, item in enumerate(live)]
        items = [item for item in items if item is not _GONE]
        return items if items else _GONE


def predict(live: dict[str, Any], desired: dict[str, Any], *, mine: Trie, others: Trie,
            list_keys: ListKeys) -> tuple[dict[str, Any], list[RawChange]]:
    """The predicted live object and the raw changes, in walk order."""
    walk = _Walk(str(desired.get("apiVersion") or live.get("apiVersion") or ""),
                 str(desired.get("kind") or live.get("kind") or ""), list_keys)
    predicted: dict[str, Any] = walk.merge_map(live, desired, (), (), mine or None,
                                               others or None)
    return predicted, walk.changes
