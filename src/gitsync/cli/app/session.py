"""Opening an app for a command: its manifest, project and cluster connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitsync.cli.app.common import load_catalog
from gitsync.cli.options import GlobalOptions

if TYPE_CHECKING:
    from gitsync.kube import Cluster
    from gitsync.model.application import Application
    from gitsync.model.project import AppProject


@dataclass
class Session:
    app: Application
    project: AppProject
    cluster: Cluster


@contextmanager
def open_app(name: str, apps: list[Path] | None, options: GlobalOptions) -> Iterator[Session]:
    """Find app ``name``, check it against its project, connect to its destination."""
    from gitsync.kube import connect
    catalog = load_catalog(apps)
    app = catalog.app(name)
    project = catalog.project(app)
    project.check_app(app)
    cluster = connect(app.destination, kubeconfig=options.kubeconfig, context=options.context)
    try:
        yield Session(app, project, cluster)
    finally:
        cluster.close()
