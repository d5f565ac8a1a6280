"""``gitsync app resources``: the managed resources, or the orphans in the app's namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitsync.cli.app.common import AppsOption, Output, check_output, dump
from gitsync.cli.app.session import open_app
from gitsync.cli.console import Console
from gitsync.cli.options import global_options

if TYPE_CHECKING:
    from gitsync.model.resource import ResourceKey

#: objects Kubernetes itself puts in every namespace: never reported as orphans
_BUILT_IN = {("", "ServiceAccount", "default"), ("", "ConfigMap", "kube-root-ca.crt")}


def orphans(live: dict[ResourceKey, dict[str, Any]]) -> list[ResourceKey]:
    """Top-level objects of no app (no tracking label, no owner), Kubernetes' own left out."""
    from gitsync.model import annotations as ann
    out = []
    for key, obj in live.items():
        md = obj.get("metadata") or {}
        if md.get("ownerReferences") or ann.TRACKING_LABEL in (md.get("labels") or {}):
            continue
        if (key.group, key.kind, key.name) in _BUILT_IN:
            continue
        out.append(key)
    return sorted(out)


def resources(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Application name.")],
    apps: AppsOption = None,
    orphaned: Annotated[bool, typer.Option("--orphaned",
                                           help="List objects in the destination namespace "
                                                "that belong to no app.")] = False,
    offline: Annotated[bool, typer.Option("--offline",
                                          help="Use the cached clone; do not ask the Git "
                                               "remote.")] = False,
    output: Annotated[Output, typer.Option("-o", "--output",
                                           help="text, json or yaml.")] = Output.TEXT,
) -> None:
    """List the app's managed resources (GROUP KIND NAMESPACE NAME ORPHANED)."""
    from gitsync.compare import CompareOptions, compare_app
    from gitsync.compare.app import UNTRACKED_KINDS
    check_output(output, (Output.TEXT, Output.JSON, Output.YAML))
    options = global_options(ctx)
    console = Console.for_options(options)
    rows: list[tuple[ResourceKey, bool]] = []
    with open_app(name, apps, options) as s:
        if orphaned:
            ns = s.app.destination.namespace
            types = s.cluster.discover()
            kinds = [(t.group, t.kind) for t in types if t.namespaced and "list" in t.verbs
                     and (t.group, t.kind) not in UNTRACKED_KINDS]
            rows = [(k, True) for k in orphans(s.cluster.list_namespace(ns, kinds))]
        else:
            state = compare_app(s.app, s.project, s.cluster, CompareOptions(offline=offline))
            rows = [(r.key, False) for r in state.resources if not r.hook]
    if output != Output.TEXT:
        data = [{"group": k.group, "kind": k.kind, "namespace": k.namespace, "name": k.name,
                 "orphaned": o} for k, o in rows]
        console.result(dump(data, output))
        return
    console.table(["GROUP", "KIND", "NAMESPACE", "NAME", "ORPHANED"],
                  [[k.group, k.kind, k.namespace, k.name, "Yes" if o else "No"]
                   for k, o in rows])
