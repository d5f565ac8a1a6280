"""What a diff of one resource says: its status, the objects to render, the field changes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gitsync.diff.fieldpath import Path
from gitsync.model.resource import ResourceKey

__all__ = ["ADDED_IN_GIT", "CHANGED_IN_GIT", "REMOVED_FROM_GIT", "DiffStatus", "FieldChange",
           "ResourceDiff", "changed_in_cluster"]

ADDED_IN_GIT = "added in Git"
CHANGED_IN_GIT = "changed in Git"
REMOVED_FROM_GIT = "removed from Git"


def changed_in_cluster(manager: str) -> str:
    """The reason for a live value another field manager wrote."""
    return f"changed in the cluster by {manager}"


class DiffStatus(StrEnum):
    """How a resource compares: modified, missing (not live), extraneous (not in Git), unchanged."""

    MODIFIED = "modified"
    MISSING = "missing"
    EXTRANEOUS = "extraneous"
    UNCHANGED = "unchanged"

    @property
    def differs(self) -> bool:
        """Whether ``app diff`` prints it and exits 1, as ``argocd app diff`` does."""
        return self is not DiffStatus.UNCHANGED


@dataclass(frozen=True)
class FieldChange:
    """One field that applying Git would change; None stands for "absent"."""

    path: str
    live: Any
    desired: Any
    reason: str
    manager: str | None = None
    #: the same path as server-side apply elements (``f:spec``, ``k:{"name":"web"}``)
    elements: Path = ()


@dataclass(frozen=True)
class ResourceDiff:
    """The comparison of one resource; ``predicted_live`` is the live object after a sync."""

    key: ResourceKey
    status: DiffStatus
    predicted_live: dict[str, Any] | None
    normalized_live: dict[str, Any] | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def modified(self) -> bool:
        """Whether this resource differs from Git (any status but unchanged)."""
        return self.status.differs
