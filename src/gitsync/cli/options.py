"""Options every command shares, parsed once by the root command and kept on the context."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import typer


@dataclass(frozen=True)
class GlobalOptions:
    """The root options of ``gitsync``; commands read them with :func:`global_options`."""

    kubeconfig: Path | None = None
    """``--kubeconfig``: None means ``$KUBECONFIG``, then ``~/.kube/config``, as kubectl."""
    context: str | None = None
    """``--context``: None means the kubeconfig's current context."""
    verbose: bool = False
    """``-v``: show tracebacks and debug detail."""
    color: bool = True
    """False with ``--no-color`` or a non-empty ``NO_COLOR`` environment variable."""


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The options of the root command, or the defaults when a command runs on its own."""
    found = ctx.find_object(GlobalOptions)
    return found if found is not None else GlobalOptions()


def help_without_command(ctx: typer.Context) -> None:
    """Print a group's help when it was called without a command (then exit 0, as kubectl)."""
    if ctx.invoked_subcommand is None:
        text = ctx.get_help()  # rich help prints itself and returns ""
        if text:
            typer.echo(text)


def color_wanted(no_color_flag: bool) -> bool:
    """Colour unless ``--no-color`` or ``NO_COLOR`` (any non-empty value, per no-color.org)."""
    return not no_color_flag and not os.environ.get("NO_COLOR")


def default_kubeconfig(explicit: Path | None) -> Path:
    """The kubeconfig kubectl would use: the flag, the first of ``$KUBECONFIG``, the home one."""
    if explicit is not None:
        return explicit.expanduser()
    for entry in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if entry:
            return Path(entry).expanduser()
    return Path.home() / ".kube" / "config"
