"""``gitsync app list``: the Applications found, as ``argocd app list`` shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitsync.cli.app.common import AppsOption, Output, check_output, dump, load_catalog
from gitsync.cli.console import Console
from gitsync.cli.options import global_options

if TYPE_CHECKING:
    from gitsync.model.application import Application


def _row(app: Application) -> dict[str, Any]:
    return {
        "name": app.name,
        "project": app.project,
        "repo": app.source.repo_url,
        "path": app.source.path,
        "targetRevision": app.source.target_revision,
        "destination": {"server": app.destination.server, "name": app.destination.name,
                        "namespace": app.destination.namespace},
        "syncPolicy": app.sync_policy.describe(),
        "file": str(app.origin.file) if app.origin else "",
    }


def list_apps(
    ctx: typer.Context,
    apps: AppsOption = None,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, wide, json, yaml or name.")] = Output.TEXT,
) -> None:
    """List the Applications: name, project, repo, path, target revision, destination, policy."""
    check_output(output, (Output.TEXT, Output.WIDE, Output.JSON, Output.YAML, Output.NAME))
    console = Console.for_options(global_options(ctx))
    catalog = load_catalog(apps)
    found = [catalog.apps[n] for n in sorted(catalog.apps)]
    if output in (Output.JSON, Output.YAML):
        console.result(dump([_row(a) for a in found], output))
        return
    if output == Output.NAME:
        for a in found:
            console.result(a.name)
        return
    headers = ["NAME", "PROJECT", "REPO", "PATH", "TARGET", "DESTINATION", "SYNC POLICY"]
    if output == Output.WIDE:
        headers.append("FILE")
    rows = []
    for a in found:
        row = [a.name, a.project, a.source.repo_url, a.source.path, a.source.target_revision,
               str(a.destination), a.sync_policy.describe()]
        if output == Output.WIDE:
            row.append(str(a.origin.file) if a.origin else "")
        rows.append(row)
    console.table(headers, rows)
