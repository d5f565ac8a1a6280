"""``gitsync app get``: an app's source, revision, sync status, health and resources."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitsync.cli.app.common import AppsOption, Output, check_output, dump
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options

if TYPE_CHECKING:
    from gitsync.compare import AppState, ResourceState


def sync_status_line(state: AppState) -> str:
    """``Synced to main (abc1234)`` / ``OutOfSync from main (abc1234)``, as argocd prints."""
    target = state.app.source.target_revision
    word = "Synced to" if state.sync_status.value == "Synced" else "OutOfSync from"
    if state.revision.sha == "local":
        return f"{state.sync_status.value} (local {state.revision.ref})"
    return f"{word} {target} ({state.revision.short})"


def resource_rows(state: AppState) -> list[list[str]]:
    rows = []
    for r in state.resources:
        if r.hook and r.live is None:
            continue  # hooks show once they ran, as in Argo CD
        health = r.health.status.value if r.health else ""
        status = "" if r.hook else r.status.value
        rows.append([r.key.group, r.key.kind, r.key.namespace, r.key.name, status, health,
                     ("hook: " if r.hook else "") + r.message])
    return rows


def _resource_json(r: ResourceState) -> dict[str, Any]:
    return {"group": r.key.group, "version": r.version, "kind": r.key.kind,
            "namespace": r.key.namespace, "name": r.key.name,
            "status": r.status.value, "hook": r.hook,
            "health": {"status": r.health.status.value, "message": r.health.message}
            if r.health else None,
            "requiresPruning": r.requires_pruning, "message": r.message}


def as_data(state: AppState) -> dict[str, Any]:
    a = state.app
    return {
        "name": a.name, "project": a.project,
        "source": {"repoURL": a.source.repo_url, "path": a.source.path,
                   "targetRevision": a.source.target_revision},
        "destination": {"server": a.destination.server, "name": a.destination.name,
                        "namespace": a.destination.namespace},
        "syncPolicy": a.sync_policy.describe(),
        "revision": {"sha": state.revision.sha, "ref": state.revision.ref},
        "syncStatus": state.sync_status.value,
        "health": {"status": state.health.status.value, "message": state.health.message},
        "resources": [_resource_json(r) for r in state.resources],
    }


def get(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    refresh: Annotated[bool, typer.Option("--refresh",
                                          help="Re-resolve the revision (always done).")] = False,
    hard_refresh: Annotated[bool, typer.Option("--hard-refresh",
                                               help="Also re-read the cluster's API "
                                                    "discovery.")] = False,
    offline: Annotated[bool, typer.Option("--offline",
                                          help="Use the cached clone; do not ask the Git "
                                               "remote.")] = False,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, wide, json or yaml.")] = Output.TEXT,
) -> None:
    """Show an app: source, resolved revision, sync status, health and its resources."""
    from gitsync.compare import CompareOptions, compare_app
    check_output(output, (Output.TEXT, Output.WIDE, Output.JSON, Output.YAML))
    options = global_options(ctx)
    console = Console.for_options(options)
    with open_app(name, apps, options) as s:
        state = compare_app(s.app, s.project, s.cluster,
                            CompareOptions(offline=offline, refresh=hard_refresh))
    if output in (Output.JSON, Output.YAML):
        data = as_data(state)
        console.result(json.dumps(data, indent=2) if output == Output.JSON else dump(data, output))
        return
    a = state.app
    health = state.health.status.value
    if state.health.message and state.health.status.value != "Healthy":
        health += f" ({state.health.message})"
    summary = [("Name", a.name), ("Project", a.project),
               ("Server", a.destination.server or a.destination.name),
               ("Namespace", a.destination.namespace), ("Repo", a.source.repo_url),
               ("Target", a.source.target_revision), ("Path", a.source.path),
               ("Sync Policy", a.sync_policy.describe()),
               ("Sync Status", sync_status_line(state)), ("Health Status", health)]
    if output == Output.WIDE:
        summary.insert(7, ("Revision", state.revision.sha))
    for label, value in summary:
        console.result(f"{label + ':':<19} {value}")
    console.result("")
    console.table(["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "MESSAGE"],
                  resource_rows(state))
