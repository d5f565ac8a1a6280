"""Rendering an application's source folder into checked Resources.

The source type is the one the app names (directory, kustomize, helm), else what the folder
holds, as Argo CD discovers it: a kustomization wins over a ``Chart.yaml``, else plain files.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from gitsync.errors import InvalidInputError
from gitsync.model.application import Application, DirectorySource
from gitsync.model.resource import ManifestError, Resource, ResourceKey
from gitsync.source import schema
from gitsync.source.cache import cache_root
from gitsync.source.manifests import Manifest, check_shape, expand_lists
from gitsync.source.paths import app_dir, check_symlinks
from gitsync.source.renderers import directory, helm, kustomize
from gitsync.source.renderers.kustedit import find_kustomization

#: (group, kind) -> namespaced? (None: the cluster does not know the kind)
Namespaced = Callable[[str, str], bool | None]

_CHECKED_EXPORTS: set[Path] = set()
_VALIDATE_HINT = ("fix the manifest, or add the sync option Validate=false (to the resource's "
                  "argocd.argoproj.io/sync-options annotation or to the application) to skip "
                  "schema validation")


class SourceType(StrEnum):
    DIRECTORY = "Directory"
    KUSTOMIZE = "Kustomize"
    HELM = "Helm"


def source_type(app: Application, src: Path) -> SourceType:
    """The renderer for ``app``: as its spec says, else discovered from the folder."""
    s = app.source
    if s.helm is not None:
        return SourceType.HELM
    if s.kustomize is not None:
        return SourceType.KUSTOMIZE
    if s.directory is not None:
        return SourceType.DIRECTORY
    if find_kustomization(src) is not None:
        return SourceType.KUSTOMIZE
    if (src / "Chart.yaml").is_file():
        return SourceType.HELM
    return SourceType.DIRECTORY


def render(app: Application, root: Path, *, namespaced: Namespaced,
           validate: bool) -> list[Resource]:
    """The desired objects of ``app`` from its source folder in the checkout ``root``."""
    repo = root.resolve()
    src = app_dir(repo, app.source.path)
    _check_symlinks_once(repo)
    kind = source_type(app, src)
    if kind is SourceType.HELM:
        raw = helm.render(src, repo, app.source.helm, release=app.name,
                          namespace=app.destination.namespace)
    elif kind is SourceType.KUSTOMIZE:
        raw = kustomize.render(src, repo, app.source.kustomize)
    else:
        raw = directory.render(src, repo, app.source.directory or DirectorySource())
    check_schema = validate and app.sync_policy.option("Validate") != "false"
    resources = [_resource(m, app.destination.namespace, namespaced, check_schema)
                 for m in expand_lists(raw)]
    _reject_duplicates(resources)
    return resources


def _check_symlinks_once(repo: Path) -> None:
    # exports in the cache never change, so one walk per process is enough; a plain folder
    # (a local path given directly) may change between calls and is walked every time
    if repo in _CHECKED_EXPORTS:
        return
    check_symlinks(repo)
    trees = cache_root().resolve() / "repos"
    if repo.is_relative_to(trees) and repo.parent.name == "trees":
        _CHECKED_EXPORTS.add(repo)


def _resource(m: Manifest, namespace: str, namespaced: Namespaced,
              check_schema: bool) -> Resource:
    obj = check_shape(m)
    md = obj["metadata"]
    key = ResourceKey.of(obj)
    if not md.get("namespace") and namespace and namespaced(key.group, key.kind):
        md["namespace"] = namespace
    res = Resource(obj, m.origin())
    try:
        res.validate()
    except ManifestError as exc:
        m.fail(_field_path(exc.field), f"{key.identity}: {exc.message}")
    if not md.get("name") and not res.is_hook:
        m.fail(("metadata",), f"{key.kind}: metadata.name: required field is missing "
                              f"(generateName is only supported on hooks)")
    if check_schema and res.option("Validate") != "false":
        problem = schema.check(obj)
        if problem is not None:
            path, message = problem
            m.fail(path, f"{key.identity}: {message}", hint=_VALIDATE_HINT)
    return res


def _field_path(field: str) -> tuple[str, ...]:
    # annotation keys hold dots and slashes: only the first two parts are path steps
    head = "metadata.annotations."
    if field.startswith(head):
        return ("metadata", "annotations", field[len(head):])
    return tuple(p for p in field.split(".") if p)


def _reject_duplicates(resources: list[Resource]) -> None:
    seen: dict[ResourceKey, Resource] = {}
    for res in resources:
        if not res.key.name:  # generateName hooks get a fresh name on every sync
            continue
        first = seen.setdefault(res.key, res)
        if first is not res:
            raise InvalidInputError(f"{res.origin}: {res.key.identity} is defined twice "
                                    f"(first at {first.origin})",
                                    hint="remove one of the two, or give them different "
                                         "names")
