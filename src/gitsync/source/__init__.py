"""Where desired state comes from: Git (a cached clone per repository) and the renderers.

``resolve`` and ``checkout`` fetch; ``render`` turns an app's source folder into checked
Resources; ``load_catalog`` reads the Application and AppProject manifests named by ``--apps``.
"""

from __future__ import annotations

from gitsync.source.apps import load_catalog
from gitsync.source.git import checkout, resolve
from gitsync.source.refs import Revision, RevisionKind
from gitsync.source.render import Namespaced, SourceType, render, source_type

__all__ = [
    "Namespaced",
    "Revision",
    "RevisionKind",
    "SourceType",
    "checkout",
    "load_catalog",
    "render",
    "resolve",
    "source_type",
]
