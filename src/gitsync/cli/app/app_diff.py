"""``gitsync app diff``: what a sync would change; exit 1 when anything differs (CI's check)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gitsync.cli.app.common import AppsOption, Output, check_output
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options
from gitsync.errors import EXIT_DIFFERENCES

if TYPE_CHECKING:
    from gitsync.compare import AppState


def diff(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    revision: Annotated[str, typer.Option("--revision", metavar="REV",
                                          help="Compare this revision instead of the app's "
                                               "targetRevision.")] = "",
    local: Annotated[Path | None, typer.Option("--local", metavar="DIR",
                                               help="Render this folder instead of Git.")] = None,
    server_side: Annotated[bool, typer.Option("--server-side",
                                              help="Compare with a server-side dry-run "
                                                   "apply.")] = False,
    offline: Annotated[bool, typer.Option("--offline",
                                          help="Use the cached clone; do not ask the Git "
                                               "remote.")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code/--no-exit-code",
                                            help="Exit 1 when there are differences.")] = True,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, json or markdown.")] = Output.TEXT,
) -> None:
    """Show how the cluster differs from Git. Exit 0 no difference, 1 differences, 2 invalid
    input, 11 cluster or Git unreachable, 20 other failure."""
    from gitsync.cli.app import diff_output
    from gitsync.compare import CompareOptions, compare_app
    check_output(output, (Output.TEXT, Output.JSON, Output.MARKDOWN))
    options = global_options(ctx)
    console = Console.for_options(options)
    opts = CompareOptions(revision=revision, local=local, offline=offline,
                          server_side=server_side)
    with open_app(name, apps, options) as s:
        state: AppState = compare_app(s.app, s.project, s.cluster, opts)
    if output == Output.JSON:
        console.result(diff_output.as_json(state))
    elif output == Output.MARKDOWN:
        console.result(diff_output.as_markdown(state))
    else:
        diff_output.print_text(console, state)
    if exit_code and state.differing:
        raise typer.Exit(EXIT_DIFFERENCES)
