"""Server-side printing: ``meta.k8s.io/v1`` Tables for ``kubectl get``."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.http import Request
from gitsync.sandbox.registry import ResourceType


def table(rt: ResourceType, objs: list[dict[str, Any]], req: Request,
          list_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Table of ``objs`` with the columns kube-apiserver prints for this resource."""
    rows = [{"cells": [o["metadata"]["name"], o["metadata"].get("creationTimestamp")],
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": o["metadata"]}} for o in objs]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta or {},
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "description": "",
                 "priority": 0},
                {"name": "Created At", "type": "date", "format": "", "description": "",
                 "priority": 0}],
            "rows": rows}
