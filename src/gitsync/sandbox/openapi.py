"""OpenAPI v3 documents (what kubectl reads for validation and explain)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitsync.sandbox.errors import resource_not_found
from gitsync.sandbox.http import Request, Response

if TYPE_CHECKING:
    from gitsync.sandbox.cluster import Cluster


def handle(cluster: Cluster, parts: list[str], req: Request) -> Response:
    raise resource_not_found()
