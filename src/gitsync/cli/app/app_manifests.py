"""``gitsync app manifests``: the rendered (Git) or live YAML of an app's resources."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from gitsync.cli.app.common import AppsOption
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options


class ManifestSource(StrEnum):
    GIT = "git"
    LIVE = "live"


def manifests(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    source: Annotated[ManifestSource, typer.Option("--source",
                                                   help="git (rendered) or live.")] =
    ManifestSource.GIT,
    revision: Annotated[str, typer.Option("--revision", metavar="REV",
                                          help="Render this revision instead of the app's "
                                               "targetRevision.")] = "",
    offline: Annotated[bool, typer.Option("--offline",
                                          help="Use the cached clone; do not ask the Git "
                                               "remote.")] = False,
) -> None:
    """Print the app's manifests as rendered from Git (with tracking metadata) or as live."""
    import yaml

    from gitsync.compare import CompareOptions, compare_app, desired_state
    options = global_options(ctx)
    console = Console.for_options(options)
    opts = CompareOptions(revision=revision, offline=offline)
    with open_app(name, apps, options) as s:
        if source == ManifestSource.GIT:
            desired = desired_state(s.app, s.project, s.cluster, opts)
            objs = [r.obj for r in sorted(desired.resources, key=lambda r: r.key)]
        else:
            state = compare_app(s.app, s.project, s.cluster, opts)
            objs = [r.live for r in state.resources if r.live is not None]
    docs = [yaml.safe_dump(o, sort_keys=False, allow_unicode=True).rstrip("\n") for o in objs]
    if docs:
        console.result("---\n" + "\n---\n".join(docs))
