"""Compare an app with the cluster: render Git at a revision, read the live state, diff.

Desired state comes from :mod:`gitsync.source`; live state is one LIST per resource type with
the tracking label, in parallel, plus GETs only for desired objects the LISTs did not return
(DESIGN.md §4.2, §4.3). The per-resource work is pure (:mod:`gitsync.diff`,
:mod:`gitsync.health`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gitsync.compare.state import AppState, ResourceState
from gitsync.diff import IgnoreRules, diff_resource
from gitsync.diff.schema_keys import SchemaListKeys
from gitsync.errors import InvalidInputError
from gitsync.health import aggregate, assess
from gitsync.kube import Cluster, ResourceTypes
from gitsync.model import annotations as ann
from gitsync.model.application import Application
from gitsync.model.enums import HealthStatus
from gitsync.model.project import AppProject
from gitsync.model.resource import HealthReport, Resource, ResourceKey
from gitsync.source import Revision, RevisionKind, checkout, render, resolve
from gitsync.source.schema import definitions

#: kinds never tracked: they are produced by the cluster itself, and lists of them are large
UNTRACKED_KINDS = frozenset({("", "Event"), ("events.k8s.io", "Event"), ("", "Endpoints"),
                             ("discovery.k8s.io", "EndpointSlice"),
                             ("coordination.k8s.io", "Lease"), ("", "ComponentStatus")})
CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")


@dataclass(frozen=True)
class CompareOptions:
    """How to compare: which revision or local folder, and against what."""

    revision: str = ""          # overrides spec.source.targetRevision
    local: Path | None = None   # render this folder instead of Git
    offline: bool = False       # use the cached clone without asking the remote
    server_side: bool = False   # compare with a server-side dry-run apply
    refresh: bool = False       # re-read discovery instead of the disk cache


@dataclass(frozen=True)
class Desired:
    revision: Revision
    resources: tuple[Resource, ...]
    types: ResourceTypes


@cache
def list_keys() -> SchemaListKeys:
    """Merge keys of built-in lists, from the Kubernetes schema (loaded once)."""
    return SchemaListKeys(definitions())


def desired_state(app: Application, project: AppProject, cluster: Cluster,
                  opts: CompareOptions) -> Desired:
    """Resolve, fetch and render the app's source; check kinds against cluster and project."""
    if opts.local is not None:
        root = opts.local.resolve()
        if not root.is_dir():
            raise InvalidInputError(f"--local {opts.local}: not a folder")
        revision = Revision(sha="local", ref=str(opts.local), kind=RevisionKind.REF)
        source = dataclasses.replace(app.source, path=".")
        app = dataclasses.replace(app, source=source)
    else:
        revision = resolve(app.source.repo_url, opts.revision or app.source.target_revision,
                           offline=opts.offline)
        root = checkout(app.source.repo_url, revision.sha)
    types = cluster.discover(refresh=opts.refresh)
    crd_scopes: dict[tuple[str, str], bool] = {}
    namespaced = _namespaced(types, crd_scopes)
    validate = app.sync_policy.option("Validate") != "false"
    resources = render(app, root, namespaced=namespaced, validate=validate)
    for r in resources:
        if r.kind == CRD[1] and r.key.group == CRD[0]:
            spec = r.obj.get("spec") or {}
            crd_scopes[(spec.get("group", ""), (spec.get("names") or {}).get("kind", ""))] = (
                spec.get("scope", "Namespaced") == "Namespaced")
    if not opts.refresh and any(namespaced(r.key.group, r.key.kind) is None
                                for r in resources if not r.is_skipped):
        # the discovery cache may predate a CRD installed since: ask the server once more
        types = cluster.discover(refresh=True)
        namespaced = _namespaced(types, crd_scopes)
    checked = []
    for r in resources:
        if r.is_skipped:
            continue
        scope = namespaced(r.key.group, r.key.kind)
        if scope and not r.key.namespace and app.destination.namespace:
            # a custom resource whose kind was unknown while rendering (its CRD comes with
            # the app, or was installed since discovery was cached) gets the namespace now
            r = _in_namespace(r, app.destination.namespace)
        if scope is None and r.option("SkipDryRunOnMissingResource") != "true" and \
                app.sync_policy.option("SkipDryRunOnMissingResource") != "true":
            raise InvalidInputError(
                f"{r.origin}: {r.key.identity}: the cluster does not know kind {r.kind} "
                f"({r.api_version})",
                hint="install its CustomResourceDefinition first (or add it to the app), or "
                     "set the sync option SkipDryRunOnMissingResource=true")
        violation = project.resource_violation(r.key.group, r.key.kind, bool(scope))
        if violation:
            raise InvalidInputError(f"{r.origin}: {r.key.identity}: {violation}")
        checked.append(_tracked(r, app))
    return Desired(revision, tuple(checked), types)


def _in_namespace(r: Resource, namespace: str) -> Resource:
    obj = {**r.obj, "metadata": {**(r.obj.get("metadata") or {}), "namespace": namespace}}
    return Resource(obj, r.origin, r.extra)


def _namespaced(types: ResourceTypes, crd_scopes: dict[tuple[str, str], bool]
                ) -> Callable[[str, str], bool | None]:
    def lookup(group: str, kind: str) -> bool | None:
        rt = types.get(group, kind)
        if rt is not None:
            return rt.namespaced
        return crd_scopes.get((group, kind))
    return lookup


def _tracked(r: Resource, app: Application) -> Resource:
    """The resource as gitsync applies it: with the tracking label and annotation."""
    obj = dict(r.obj)
    md = dict(obj.get("metadata") or {})
    md["labels"] = {**(md.get("labels") or {}), ann.TRACKING_LABEL: app.name}
    md["annotations"] = {**(md.get("annotations") or {}),
                         ann.TRACKING_ID: r.key.tracking_id(app.name,
                                                            app.destination.namespace)}
    obj["metadata"] = md
    return Resource(obj, r.origin, r.extra)


def live_state(app: Application, cluster: Cluster, desired: Desired
               ) -> tuple[dict[ResourceKey, dict[str, Any]], dict[ResourceKey, dict[str, Any]]]:
    """(tracked live objects by key, untracked live objects with a desired key)."""
    kinds = [(rt.group, rt.kind) for rt in desired.types
             if "list" in rt.verbs and (rt.group, rt.kind) not in UNTRACKED_KINDS]
    tracked = cluster.list_tracked(app.name, kinds)
    wanted = [r.key for r in desired.resources if r.key not in tracked
              and desired.types.get(r.key.group, r.key.kind) is not None
              and not _generated(r)]
    others = cluster.get_many(wanted) if wanted else {}
    return tracked, others


def _generated(r: Resource) -> bool:
    return not (r.obj.get("metadata") or {}).get("name")


def compare_app(app: Application, project: AppProject, cluster: Cluster,
                opts: CompareOptions | None = None) -> AppState:
    """The full comparison of ``app`` with the live cluster."""
    opts = opts or CompareOptions()
    project.check_app(app)
    return compare_desired(app, cluster, desired_state(app, project, cluster, opts), opts)


def compare_desired(app: Application, cluster: Cluster, desired: Desired,
                    opts: CompareOptions) -> AppState:
    """Compare given desired resources (rendered, or from a history entry) with the cluster."""
    tracked, untracked = live_state(app, cluster, desired)
    with IgnoreRules.compile(app.ignore_differences) as rules:
        states = [_compare_one(app, r, tracked.get(r.key) or untracked.get(r.key), cluster,
                               rules, opts) for r in desired.resources]
        desired_keys = {r.key for r in desired.resources}
        for key, live in sorted(tracked.items()):
            if key in desired_keys or not _prunable(app, key, live):
                continue
            diff = diff_resource(None, live, list_keys=list_keys(), rules=rules)
            states.append(ResourceState(key, _version(live), None, live, diff, assess(live)))
    states.sort(key=lambda s: (s.hook, s.key))
    health = aggregate((s.key, s.health, s.missing) for s in states
                       if not s.hook and not _ignores_health(s))
    return AppState(app, desired.revision, tuple(states), health)


def _compare_one(app: Application, r: Resource, live: dict[str, Any] | None, cluster: Cluster,
                 rules: IgnoreRules, opts: CompareOptions) -> ResourceState:
    shared = ""
    if live is not None:
        other = ((live.get("metadata") or {}).get("annotations") or {}).get(ann.TRACKING_ID, "")
        owner = other.split(":", 1)[0] if other else ""
        if owner and owner != app.name:
            shared = owner
    health = assess(live) if live is not None else HealthReport(HealthStatus.MISSING)
    if r.is_hook:
        return ResourceState(r.key, _version(r.obj), r, live, None, health, hook=True)
    desired = r.obj
    if opts.server_side and live is not None:
        desired = cluster.apply(r.obj, dry_run=True)
    diff = diff_resource(desired, live, list_keys=list_keys(), rules=rules)
    return ResourceState(r.key, _version(r.obj), r, live, diff, health, shared_with=shared)


def _prunable(app: Application, key: ResourceKey, live: dict[str, Any]) -> bool:
    """A tracked live object that really is this app's (not a copy, not a hook, not owned)."""
    md = live.get("metadata") or {}
    if md.get("ownerReferences"):
        return False
    annotations = md.get("annotations") or {}
    if ann.HOOK in annotations or ann.HELM_HOOK in annotations:
        return False
    return bool(annotations.get(ann.TRACKING_ID) ==
                key.tracking_id(app.name, app.destination.namespace))


def _ignores_health(s: ResourceState) -> bool:
    return s.desired is not None and s.desired.ignores_health


def _version(obj: dict[str, Any]) -> str:
    return str(obj.get("apiVersion") or "").rpartition("/")[2]
