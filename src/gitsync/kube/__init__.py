"""The only door to the cluster: kubeconfig, discovery, LIST/GET/apply/delete/watch, retries.

Only this package imports ``kubernetes`` (DESIGN.md §3). The error types import nothing heavy;
``connect`` and ``Cluster`` load the client on first use, so ``gitsync --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitsync.kube.errors import (
    AlreadyExistsError,
    ApiUnavailableError,
    ConflictError,
    ExpiredError,
    FieldConflict,
    ForbiddenError,
    InvalidObjectError,
    KubeError,
    NotFoundError,
    UnknownKindError,
)
from gitsync.kube.types import GroupKind, Listing, Obj, Propagation, WatchEvent

if TYPE_CHECKING:
    from gitsync.kube.client import Cluster
    from gitsync.kube.config import connect
    from gitsync.kube.discovery import ResourceType, ResourceTypes
    from gitsync.kube.policy import ClusterOptions, RetryPolicy

_LAZY = {
    "Cluster": "gitsync.kube.client", "connect": "gitsync.kube.config",
    "ResourceType": "gitsync.kube.discovery", "ResourceTypes": "gitsync.kube.discovery",
    "ClusterOptions": "gitsync.kube.policy", "RetryPolicy": "gitsync.kube.policy",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(module), name)


__all__ = [
    "AlreadyExistsError", "ApiUnavailableError", "Cluster", "ClusterOptions", "ConflictError",
    "ExpiredError", "FieldConflict", "ForbiddenError", "GroupKind", "InvalidObjectError",
    "KubeError", "Listing", "NotFoundError", "Obj", "Propagation", "ResourceType",
    "ResourceTypes", "RetryPolicy", "UnknownKindError", "WatchEvent", "connect",
]
