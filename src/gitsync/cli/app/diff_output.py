"""The three forms of ``app diff``: coloured text, stable JSON, and Markdown for pull requests.

The JSON schema (``gitsync.io/diff/v1``) is documented in docs/diff.md; fields are only added,
never renamed or removed, within a schema version.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from gitsync.diff import DiffStatus, FieldChange, render_diff

if TYPE_CHECKING:
    from gitsync.cli.console import Console
    from gitsync.compare import AppState, ResourceState

SCHEMA = "gitsync.io/diff/v1"
_MAX_VALUE = 60


def _value(v: Any) -> str:
    text = "(absent)" if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE - 1] + "…"


def why_lines(changes: tuple[FieldChange, ...]) -> list[str]:
    """One ``# path: live → Git (reason)`` line per changed field."""
    return [f"# {c.path}: {_value(c.live)} → {_value(c.desired)} ({c.reason})" for c in changes]


def revision_label(state: AppState) -> str:
    """``develop (2d55ea8)``: the ref as the user wrote it, and the commit."""
    ref = state.revision.ref
    for prefix in ("refs/heads/", "refs/tags/"):
        ref = ref.removeprefix(prefix)
    if state.revision.sha == "local":
        return f"local folder {ref}"
    return f"{ref} ({state.revision.short})" if ref != state.revision.sha else state.revision.short


def _summary(state: AppState) -> Counter[str]:
    return Counter(r.diff.status.value for r in state.managed if r.diff is not None)


def print_text(console: Console, state: AppState) -> None:
    for r in state.differing:
        assert r.diff is not None
        text = render_diff(r.diff)
        reasons = why_lines(r.diff.changes)
        console.diff(text + ("\n".join(reasons) + "\n" if reasons else ""))
    counts = _summary(state)
    if state.differing:
        console.info(f"{len(state.differing)} of {len(state.managed)} resources differ from "
                     f"{revision_label(state)} ({_counts(counts)})")
    else:
        console.info(f"no differences: {len(state.managed)} resources match "
                     f"{revision_label(state)}")


def _counts(counts: Counter[str]) -> str:
    parts = []
    for status, label in ((DiffStatus.MODIFIED, "modified"), (DiffStatus.MISSING, "missing"),
                          (DiffStatus.EXTRANEOUS, "to prune")):
        if counts.get(status.value):
            parts.append(f"{counts[status.value]} {label}")
    return ", ".join(parts) or "none"


def _resource(r: ResourceState) -> dict[str, Any]:
    assert r.diff is not None
    return {
        "group": r.key.group,
        "kind": r.key.kind,
        "namespace": r.key.namespace,
        "name": r.key.name,
        "status": r.diff.status.value,
        "syncStatus": r.status.value,
        "health": r.health.status.value if r.health else None,
        "changes": [{"path": c.path, "live": c.live, "desired": c.desired, "reason": c.reason,
                     "manager": c.manager} for c in r.diff.changes],
        "diff": render_diff(r.diff) if r.diff.modified else "",
    }


def as_json(state: AppState) -> str:
    counts = _summary(state)
    doc = {
        "schema": SCHEMA,
        "app": state.app.name,
        "revision": {"sha": state.revision.sha, "ref": state.revision.ref,
                     "kind": state.revision.kind.value},
        "differs": bool(state.differing),
        "syncStatus": state.sync_status.value,
        "summary": {s.value: counts.get(s.value, 0) for s in DiffStatus},
        "resources": [_resource(r) for r in state.managed if r.diff is not None],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(state: AppState) -> str:
    """A pull-request comment: a summary table, then each diff collapsed."""
    title = f"### gitsync diff: `{state.app.name}` at {revision_label(state)}"
    if not state.differing:
        return f"{title}\n\nNo differences: {len(state.managed)} resources match Git.\n"
    lines = [title, "",
             f"**{len(state.differing)} of {len(state.managed)} resources differ** "
             f"({_counts(_summary(state))}).", "",
             "| Status | Kind | Namespace | Name | Why |", "|---|---|---|---|---|"]
    for r in state.differing:
        assert r.diff is not None
        why = "; ".join(f"`{c.path}` {c.reason}" for c in r.diff.changes[:3])
        if len(r.diff.changes) > 3:
            why += f"; and {len(r.diff.changes) - 3} more"
        kind = f"{r.key.group}/{r.key.kind}" if r.key.group else r.key.kind
        lines.append(f"| {r.diff.status.value} | {kind} | {r.key.namespace or '-'} | "
                     f"{_md_cell(r.key.name)} | {_md_cell(why) or '-'} |")
    lines.append("")
    for r in state.differing:
        assert r.diff is not None
        kind = f"{r.key.group}/{r.key.kind}" if r.key.group else r.key.kind
        lines += [f"<details><summary>{kind} {r.key.namespace}/{r.key.name}</summary>", "",
                  "```diff", render_diff(r.diff).rstrip("\n"), "```", "", "</details>", ""]
    return "\n".join(lines)
