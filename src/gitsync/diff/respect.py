"""RespectIgnoreDifferences: keep the live values of ignored fields in what is applied.

Argo CD copies the live values of every ``ignoreDifferences`` field into the target before
applying (reference §4.6), so a sync or self-heal never reverts a field the app says to ignore.
Which fields are ignored is found by running the rules over the live object and seeing what
they take away; those subtrees are then copied from live into the desired object. ``status``
is never copied. Lists are walked by position, and an item is only written into when both
sides name it the same (``name`` key), so a reordered list is left alone rather than mangled.
"""

from __future__ import annotations

import copy
from typing import Any

from gitsync.diff.ignore import ResourceIgnores

Obj = dict[str, Any]
_MISSING = object()


def respect_ignored(desired: Obj, live: Obj | None, ignores: ResourceIgnores) -> Obj:
    """``desired`` with the live values of every ignored field (a copy; inputs untouched)."""
    if live is None or not ignores:
        return desired
    kept = ignores.apply(live)
    out = copy.deepcopy(desired)
    for path, value in _removed(live, kept, ()):
        if (path and path[0] == "status") or not _aligned(out, live, path):
            continue
        _put(out, path, value)
    return out


def _removed(full: Any, kept: Any, path: tuple[str | int, ...]
             ) -> list[tuple[tuple[str | int, ...], Any]]:
    """(path, live value) of every subtree of ``full`` the rules took out of ``kept``."""
    if isinstance(full, dict) and isinstance(kept, dict):
        out = []
        for k, v in full.items():
            if k not in kept:
                out.append(((*path, k), v))
            else:
                out += _removed(v, kept[k], (*path, k))
        return out
    if isinstance(full, list) and isinstance(kept, list) and len(full) == len(kept):
        out = []
        for i, (a, b) in enumerate(zip(full, kept, strict=True)):
            out += _removed(a, b, (*path, i))
        return out
    return [] if full == kept else [(path, full)]


def _aligned(desired: Any, live: Any, path: tuple[str | int, ...]) -> bool:
    """Every list item on the way is the same item on both sides (same ``name``, if any)."""
    for step in path[:-1]:
        if isinstance(step, int):
            if not (isinstance(desired, list) and isinstance(live, list)
                    and step < len(desired) and step < len(live)):
                return False
            d, lv = desired[step], live[step]
            if isinstance(d, dict) and isinstance(lv, dict) and d.get("name") != lv.get("name"):
                return False
            desired, live = d, lv
        else:
            desired = desired.get(step) if isinstance(desired, dict) else None
            live = live.get(step) if isinstance(live, dict) else None
            if live is None:
                return False
            if desired is None:
                return True  # created below: nothing to misalign
    return True


def _put(obj: Any, path: tuple[str | int, ...], value: Any) -> None:
    cur = obj
    for i, step in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(step, int):
            if not isinstance(cur, list) or step >= len(cur):
                return
            cur = cur[step]
            continue
        if not isinstance(cur, dict):
            return
        if step not in cur:
            cur[step] = [] if isinstance(nxt, int) else {}
        cur = cur[step]
    last = path[-1] if path else None
    if isinstance(last, int):
        if isinstance(cur, list) and last < len(cur):
            cur[last] = copy.deepcopy(value)
    elif isinstance(cur, dict) and last is not None:
        cur[last] = copy.deepcopy(value)
