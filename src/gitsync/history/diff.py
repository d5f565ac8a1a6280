"""What changed between two history entries' manifests, for ``history --diff ID1 ID2``.

Secrets are stored without their values, so a change of a Secret's data never shows here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import yaml

from gitsync.errors import InvalidInputError
from gitsync.history.records import HistoryEntry, Obj
from gitsync.model import ResourceKey

ChangeKind = Literal["added", "removed", "modified"]


@dataclass(frozen=True, slots=True)
class ManifestChange:
    """One resource that differs between two entries, with a YAML unified diff of it."""

    key: ResourceKey
    change: ChangeKind
    diff: str


def diff_entries(a: HistoryEntry, b: HistoryEntry) -> list[ManifestChange]:
    """Resources added, removed or modified from entry ``a`` to entry ``b``, sorted by key."""
    old, new = _by_key(a), _by_key(b)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change: ChangeKind = ("added" if before is None
                              else "removed" if after is None else "modified")
        text = "".join(difflib.unified_diff(
            _yaml(before), _yaml(after), fromfile=f"{key.identity} (entry {a.id})",
            tofile=f"{key.identity} (entry {b.id})"))
        changes.append(ManifestChange(key, change, text))
    return changes


def render_changes(changes: list[ManifestChange]) -> str:
    """The changes as one unified text: a ``=== <change> <identity>`` header, then the diff."""
    return "".join(f"=== {c.change} {c.key.identity}\n{c.diff}" for c in changes)


def summary(changes: list[ManifestChange]) -> dict[ChangeKind, int]:
    """How many resources were added, removed and modified."""
    out: dict[ChangeKind, int] = {"added": 0, "removed": 0, "modified": 0}
    for c in changes:
        out[c.change] += 1
    return out


def _by_key(entry: HistoryEntry) -> dict[ResourceKey, Obj]:
    if entry.manifests_dropped:
        raise InvalidInputError(
            f"history entry {entry.id} has no stored manifests: they were dropped to keep the "
            f"history ConfigMap under its size limit",
            hint="diff entries that still have manifests, or compare the two revisions in Git")
    return {ResourceKey.of(obj): obj for obj in entry.manifests}


def _yaml(obj: Obj | None) -> list[str]:
    if obj is None:
        return []
    text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True)
    return text.splitlines(keepends=True)
