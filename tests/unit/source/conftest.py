"""Helpers for the source tests: repositories written as folders, applications built in code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from gitsync.model.application import (
    Application,
    AppSource,
    Destination,
    DirectorySource,
    HelmSource,
    KustomizeSource,
    SyncPolicy,
)
from gitsync.model.resource import Resource
from gitsync.source.render import render

#: the kinds a test cluster knows: namespaced unless listed as cluster-scoped
CLUSTER_SCOPED = {("", "Namespace"), ("rbac.authorization.k8s.io", "ClusterRole")}
UNKNOWN = {("example.com", "Widget")}


def namespaced(group: str, kind: str) -> bool | None:
    if (group, kind) in UNKNOWN:
        return None
    return (group, kind) not in CLUSTER_SCOPED


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> content) under ``root``; returns ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def make_app(path: str = "app", *, namespace: str = "dest",
             directory: DirectorySource | None = None, kustomize: KustomizeSource | None = None,
             helm: HelmSource | None = None, sync_options: dict[str, str] | None = None,
             name: str = "demo") -> Application:
    return Application(
        name=name,
        source=AppSource("https://git.example.com/repo.git", path, "HEAD",
                         directory=directory, kustomize=kustomize, helm=helm),
        destination=Destination(server="https://kubernetes.default.svc", namespace=namespace),
        sync_policy=SyncPolicy(sync_options=sync_options or {}))


RenderFn = Callable[..., list[Resource]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository folder (the tests write files into it)."""
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def do_render(repo: Path) -> RenderFn:
    """render() of an app against ``repo`` with the test cluster's kinds."""

    def run(app: Application | None = None, *, validate: bool = True, **kw: Any) -> list[Resource]:
        return render(app or make_app(**kw), repo, namespaced=namespaced, validate=validate)

    return run


def names(resources: list[Resource]) -> list[str]:
    return [r.key.identity for r in resources]
