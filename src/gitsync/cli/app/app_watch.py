"""``gitsync app watch``: automated sync and self-heal, one line per event, until stopped."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated

import typer

from gitsync.cli.app.app_sync import stop_on_signals
from gitsync.cli.app.common import AppsOption, Output, check_output, load_catalog
from gitsync.cli.console import Console
from gitsync.cli.options import global_options
from gitsync.errors import UsageError


def watch(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(
        help="Applications to watch (or --all).", show_default=False)] = None,
    all_apps: Annotated[bool, typer.Option("--all", help="Watch every Application found in "
                                                         "--apps.")] = False,
    apps: AppsOption = None,
    interval: Annotated[float, typer.Option(
        "--interval", metavar="SECONDS", min=0.05,
        help="Refresh against the Git remote this often; drift is seen at once through "
             "watches.")] = 120.0,
    jitter: Annotated[bool, typer.Option(
        "--jitter/--no-jitter", help="Add up to half the interval at random to each "
                                     "refresh.")] = True,
    once: Annotated[bool, typer.Option(
        "--once", help="One reconciliation per app, then exit (CI, cron).")] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Sync a revision whose sync failed again at each refresh "
                               "(default: wait for a new commit).")] = False,
    self_heal_backoff: Annotated[str, typer.Option(
        "--self-heal-backoff", metavar="BASE[,FACTOR[,CAP]]",
        help="Seconds between self-heals of one revision: 0, BASE, BASE*FACTOR … at most "
             "CAP; 0 disables the back-off.")] = "2,3,300",
    lease_duration: Annotated[int, typer.Option(
        "--lease-duration", metavar="SECONDS", min=1,
        help="How long a dead watcher's lock blocks a standby watcher.")] = 30,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text or json (one object per line).")
                      ] = Output.TEXT,
) -> None:
    """Sync apps whose syncPolicy is automated when Git changes, and revert drift with
    selfHeal, until Ctrl-C or SIGTERM. Exit codes with --once: 0 all in sync (or left as their
    policy says), 20 a sync failed or was refused, 11 cluster or Git unreachable, 2 invalid
    input."""
    from gitsync.kube import connect
    from gitsync.watch import AppTarget, SelfHealBackoff, WatchOptions, watch_apps
    check_output(output, (Output.TEXT, Output.JSON))
    if bool(names) == all_apps:
        raise UsageError("name the applications to watch, or pass --all (not both)",
                         hint="gitsync app watch NAME... | --all --apps PATH")
    options = global_options(ctx)
    console = Console.for_options(options)
    opts = WatchOptions(interval=interval, jitter=jitter, once=once, retry_failed=retry_failed,
                        backoff=SelfHealBackoff.parse(self_heal_backoff),
                        lease_duration=lease_duration)
    catalog = load_catalog(apps)
    chosen = [catalog.apps[n] for n in sorted(catalog.apps)] if all_apps else \
        [catalog.app(n) for n in dict.fromkeys(names or [])]
    if not chosen:
        raise UsageError("no Applications found to watch",
                         hint="point --apps (or GITSYNC_APPS) at Application manifests")
    with ExitStack() as stack:
        targets: list[AppTarget] = []
        for app in chosen:
            project = catalog.project(app)
            project.check_app(app)
            cluster = connect(app.destination, kubeconfig=options.kubeconfig,
                              context=options.context)
            stack.callback(cluster.close)
            targets.append(AppTarget(app, project, cluster))
        stop = stack.enter_context(stop_on_signals())
        code = watch_apps(targets, opts, lambda ev: console.result(ev.line(output.value)),
                          stop)
    if code:
        raise typer.Exit(code)
