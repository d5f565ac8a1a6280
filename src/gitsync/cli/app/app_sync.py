"""``gitsync app sync``: apply Git wave by wave with hooks, prune, record history."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from gitsync.cli.app import sync_output
from gitsync.cli.app.common import AppsOption, Output, check_output, retry_strategy
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options
from gitsync.errors import EXIT_OPERATION_FAILED


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Ctrl-C and SIGTERM end the operation cleanly (recorded, lock released), not abruptly."""
    stop = threading.Event()
    previous = {}

    def handler(signum: int, frame: object) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def sync(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    prune: Annotated[bool, typer.Option("--prune", help="Delete resources removed from "
                                                        "Git.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and validate with "
                                                            "server-side dry runs; write "
                                                            "nothing.")] = False,
    revision: Annotated[str, typer.Option("--revision", metavar="REV",
                                          help="Sync this revision instead of "
                                               "targetRevision.")] = "",
    resource: Annotated[list[str] | None, typer.Option(
        "--resource", metavar="[!]GROUP:KIND:[NS/]NAME",
        help="Sync only matching resources (repeatable, * wildcards, ! excludes); no "
             "hooks.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS",
                                           help="Fail the operation after this long (0: no "
                                                "limit).")] = 0.0,
    asynchronous: Annotated[bool, typer.Option("--async", help="Do not wait for the last "
                                                               "wave to be healthy.")] = False,
    strategy: Annotated[str, typer.Option("--strategy", help="hook (run hooks) or apply (no "
                                                             "hooks).")] = "hook",
    retry_limit: Annotated[int, typer.Option("--retry-limit", help="Retry a failed sync this "
                                                                    "often (<0: no "
                                                                    "limit).")] = 0,
    retry_backoff_duration: Annotated[str, typer.Option("--retry-backoff-duration",
                                                        help="First retry delay.")] = "5s",
    retry_backoff_factor: Annotated[float, typer.Option("--retry-backoff-factor",
                                                        help="Delay multiplier.")] = 2.0,
    retry_backoff_max_duration: Annotated[str, typer.Option(
        "--retry-backoff-max-duration", help="Longest delay.")] = "3m",
    yes: Annotated[bool, typer.Option("--yes", "--allow-mass-prune",
                                      help="Allow pruning more than half of the app.")] = False,
    info: Annotated[str, typer.Option("--info", "-m", help="Why: kept in the history "
                                                           "entry.")] = "",
    wait_lock: Annotated[bool, typer.Option("--wait-lock", help="Wait for a running operation "
                                                                "on the app.")] = False,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, json or yaml.")] = Output.TEXT,
) -> None:
    """Sync an app: PreSync hooks, waves applied in parallel and waited for, PostSync hooks
    (SyncFail on failure), prune, history. Exit 0 on success, 20 on failure."""
    from gitsync.sync import Operation, SyncRequest, ensure_not_automated
    check_output(output, (Output.TEXT, Output.JSON, Output.YAML))
    if strategy not in ("hook", "apply"):
        from gitsync.errors import UsageError
        raise UsageError(f"--strategy {strategy}: expected hook or apply")
    options = global_options(ctx)
    console = Console.for_options(options)
    with open_app(name, apps, options) as s, stop_on_signals() as stop:
        if revision and not dry_run:
            # as Argo CD: an automated app follows its targetRevision, not a one-off revision
            ensure_not_automated(s.app, "a sync to another revision")
        retry = retry_strategy(s.app, retry_limit, retry_backoff_duration,
                               retry_backoff_factor, retry_backoff_max_duration)
        request = SyncRequest(
            prune=prune,
            dry_run=dry_run, revision=revision, resources=tuple(resource or ()),
            timeout=timeout, asynchronous=asynchronous, retry=retry, allow_mass_prune=yes,
            skip_hooks=strategy == "apply", reason=info, wait_lock=wait_lock)
        with console.progress(f"{request.operation} {s.app.name}"):
            outcome = Operation(s.app, s.project, s.cluster, request, console, stop).run()
    if dry_run and output == Output.TEXT and outcome.plan is not None:
        from gitsync.plan import render_tree
        for line in render_tree(outcome.plan):
            console.result(line)
        console.result("")
    sync_output.print_summary(console, outcome, output)
    if not outcome.succeeded:
        raise typer.Exit(EXIT_OPERATION_FAILED)
