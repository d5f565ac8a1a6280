"""``gitsync app rollback``: re-apply the manifests of a history entry, without hooks."""

from __future__ import annotations

from typing import Annotated

import typer

from gitsync.cli.app import sync_output
from gitsync.cli.app.app_sync import stop_on_signals
from gitsync.cli.app.common import AppsOption, Output, check_output
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options
from gitsync.errors import EXIT_OPERATION_FAILED, InvalidInputError


def rollback(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    entry_id: Annotated[int | None, typer.Argument(metavar="[ID]",
                                                   help="History entry (default: the one "
                                                        "before the newest).")] = None,
    apps: AppsOption = None,
    prune: Annotated[bool, typer.Option("--prune", help="Delete what the entry does not "
                                                        "have.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS",
                                           help="Fail after this long (0: no limit).")] = 0.0,
    yes: Annotated[bool, typer.Option("--yes", "--allow-mass-prune",
                                      help="Allow pruning more than half of the app.")] = False,
    info: Annotated[str, typer.Option("--info", "-m", help="Why: kept in the history "
                                                           "entry.")] = "",
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, json or yaml.")] = Output.TEXT,
) -> None:
    """Roll an app back to a history entry: its manifests re-applied (Secrets re-rendered
    from Git), no hooks, recorded as a new entry. Refused while automated sync is on."""
    from gitsync.history import HistoryStore
    from gitsync.sync import Operation, SyncRequest, ensure_not_automated
    check_output(output, (Output.TEXT, Output.JSON, Output.YAML))
    options = global_options(ctx)
    console = Console.for_options(options)
    with open_app(name, apps, options) as s, stop_on_signals() as stop:
        ensure_not_automated(s.app, "rollback")
        entry = HistoryStore(s.cluster).load(s.app.name).resolve(entry_id, name)
        if entry.manifests_dropped:
            raise InvalidInputError(f"history entry {entry.id} of {name} no longer holds its "
                                    f"manifests (dropped to keep the history small)")
        request = SyncRequest(prune=prune, dry_run=dry_run, revision=entry.revision,
                              target_revision=entry.target_revision,
                              timeout=timeout, allow_mass_prune=yes, skip_hooks=True,
                              reason=info, operation="rollback", rollback_of=entry.id,
                              manifests=tuple(entry.manifests))
        with console.progress(f"{request.operation} {s.app.name}"):
            outcome = Operation(s.app, s.project, s.cluster, request, console, stop).run()
    sync_output.print_summary(console, outcome, output)
    if not outcome.succeeded:
        raise typer.Exit(EXIT_OPERATION_FAILED)
