"""Rollback: re-apply a history entry's manifests; Secrets are re-rendered from Git.

History never stores Secret values (DESIGN.md §4.5), so an entry holding a Secret needs the
Git source at the entry's revision; an entry without one rolls back with no Git access at all.
"""

from __future__ import annotations

from gitsync.compare import CompareOptions, desired_state
from gitsync.compare.app import Desired, _tracked
from gitsync.errors import InvalidInputError
from gitsync.kube import Cluster
from gitsync.model.application import Application
from gitsync.model.project import AppProject
from gitsync.model.resource import Resource
from gitsync.source import Revision, RevisionKind
from gitsync.sync.request import SyncRequest


def _is_secret(r: Resource) -> bool:
    return r.key.group == "" and r.key.kind == "Secret"


def desired_from_manifests(app: Application, project: AppProject, cluster: Cluster,
                           request: SyncRequest) -> Desired:
    """The desired state of a rollback: the entry's manifests, Secrets from Git."""
    assert request.manifests is not None
    resources = [Resource(dict(obj)) for obj in request.manifests]
    types = cluster.discover()
    if any(_is_secret(r) for r in resources):
        rendered = desired_state(app, project, cluster,
                                 CompareOptions(revision=request.revision))
        by_key = {r.key: r for r in rendered.resources if _is_secret(r)}
        out = []
        for r in resources:
            if not _is_secret(r):
                out.append(r)
                continue
            fresh = by_key.get(r.key)
            if fresh is None:
                raise InvalidInputError(
                    f"cannot roll back {r.key.identity}: it is not in Git at revision "
                    f"{request.revision[:7]} any more, and history keeps no Secret values")
            out.append(fresh)
        resources = out
    resources = [_tracked(r, app) for r in resources]
    revision = Revision(sha=request.revision, ref=request.revision, kind=RevisionKind.COMMIT)
    return Desired(revision, tuple(resources), types)
