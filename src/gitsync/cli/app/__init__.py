"""``gitsync app …``: the commands on Applications, one module each."""

from __future__ import annotations

import typer

from gitsync.cli.app import (
    app_diff,
    app_get,
    app_history,
    app_list,
    app_manifests,
    app_resources,
    app_rollback,
    app_sync,
    app_watch,
)
from gitsync.cli.options import help_without_command

app = typer.Typer(
    help="Inspect and sync Argo CD Applications.",
    no_args_is_help=False,
    invoke_without_command=True,
    callback=help_without_command,
)
app.command("list")(app_list.list_apps)
app.command("get")(app_get.get)
app.command("diff")(app_diff.diff)
app.command("manifests")(app_manifests.manifests)
app.command("resources")(app_resources.resources)
app.command("sync")(app_sync.sync)
app.command("history")(app_history.history)
app.command("rollback")(app_rollback.rollback)
app.command("watch")(app_watch.watch)
