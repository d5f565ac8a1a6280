"""``gitsync app …``: the commands on Applications, one module each."""

from __future__ import annotations

import typer

from gitsync.cli.app import app_list
from gitsync.cli.options import help_without_command

app = typer.Typer(
    help="Inspect and sync Argo CD Applications.",
    no_args_is_help=False,
    invoke_without_command=True,
    callback=help_without_command,
)
app.command("list")(app_list.list_apps)
