"""``gitsync app history``: the recorded syncs; ``--diff ID1 ID2`` compares two of them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from gitsync.cli.app.common import AppsOption, Output, check_output, dump
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options


def _entry_data(e: Any) -> dict[str, Any]:
    return {"id": e.id, "revision": e.revision, "targetRevision": e.target_revision,
            "source": {"repoURL": e.source.repo_url, "path": e.source.path},
            "deployStartedAt": e.deploy_started_at,
            "deployedAt": e.deployed_at,
            "initiatedBy": {"username": e.initiated_by.username, "host": e.initiated_by.host,
                            "automated": e.initiated_by.automated},
            "reason": e.reason, "result": str(e.result), "rollbackOf": e.rollback_of,
            "resources": e.counts.to_json()}


def history(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    diff: Annotated[tuple[int, int] | None, typer.Option(
        "--diff", metavar="ID1 ID2", help="Show what changed between two entries.")] = None,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, wide, json, yaml or id.")] = Output.TEXT,
) -> None:
    """List the app's history: ID, DATE, REVISION, INITIATOR, MESSAGE (newest last)."""
    from gitsync.history import HistoryStore, diff_entries, render_changes
    check_output(output, (Output.TEXT, Output.WIDE, Output.JSON, Output.YAML, Output.ID))
    options = global_options(ctx)
    console = Console.for_options(options)
    with open_app(name, apps, options) as s:
        records = HistoryStore(s.cluster).load(s.app.name)
    entries = list(records.entries)
    if diff is not None:
        first, second = (records.resolve(i, name) for i in diff)
        changes = diff_entries(first, second)
        if not changes:
            console.info(f"entries {first.id} and {second.id} apply the same manifests")
        console.diff(render_changes(changes))
        return
    if output in (Output.JSON, Output.YAML):
        console.result(dump([_entry_data(e) for e in entries], output))
        return
    if output == Output.ID:
        for e in entries:
            console.result(str(e.id))
        return
    headers = ["ID", "DATE", "REVISION", "INITIATOR", "MESSAGE"]
    if output == Output.WIDE:
        headers += ["SOURCE", "RESULT"]
    rows = []
    for e in entries:
        who = "automated" if e.initiated_by.automated else e.initiated_by.username
        message = e.reason
        if e.rollback_of is not None:
            message = f"rollback to {e.rollback_of}" + (f": {message}" if message else "")
        row = [str(e.id), e.deployed_at, f"{e.target_revision} ({e.revision[:7]})", who,
               message]
        if output == Output.WIDE:
            row += [f"{e.source.repo_url} {e.source.path}", str(e.result)]
        rows.append(row)
    console.table(headers, rows)
