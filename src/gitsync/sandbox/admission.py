"""Admission of a write: schema check per fieldValidation, defaults, names, semantic validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitsync.sandbox.cluster import Cluster
    from gitsync.sandbox.registry import ResourceType


def admit(cluster: Cluster, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None,
          field_validation: str) -> list[str]:
    """Check and default ``obj`` in place; return warnings; raise ApiError when refused."""
    return []
