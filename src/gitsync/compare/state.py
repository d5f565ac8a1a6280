"""What a comparison finds: per-resource sync status and health, and the app's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitsync.diff import DiffStatus, ResourceDiff
from gitsync.model import annotations as ann
from gitsync.model.application import Application
from gitsync.model.enums import HealthStatus, SyncStatus
from gitsync.model.resource import HealthReport, Resource, ResourceKey
from gitsync.source import Revision


@dataclass(frozen=True)
class ResourceState:
    """One managed resource: desired, live, how they compare, and its health."""

    key: ResourceKey
    version: str
    desired: Resource | None
    live: dict[str, Any] | None
    diff: ResourceDiff | None
    health: HealthReport | None
    hook: bool = False
    #: another app's tracking id was on the live object (a shared resource)
    shared_with: str = ""

    @property
    def status(self) -> SyncStatus:
        if self.hook or self.diff is None:
            return SyncStatus.SYNCED
        return SyncStatus.OUT_OF_SYNC if self.diff.modified else SyncStatus.SYNCED

    @property
    def requires_pruning(self) -> bool:
        return self.diff is not None and self.diff.status == DiffStatus.EXTRANEOUS

    @property
    def missing(self) -> bool:
        return self.live is None

    @property
    def ignore_extraneous(self) -> bool:
        live = self.live or {}
        opts = ((live.get("metadata") or {}).get("annotations") or {}).get(
            ann.COMPARE_OPTIONS, "")
        return "IgnoreExtraneous" in opts

    @property
    def message(self) -> str:
        if self.requires_pruning:
            return "requires pruning"
        if self.shared_with:
            return f"shared with application {self.shared_with}"
        if self.health is not None and self.health.message:
            return self.health.message
        return ""


@dataclass(frozen=True)
class AppState:
    """The comparison of one app with the cluster at one revision."""

    app: Application
    revision: Revision
    resources: tuple[ResourceState, ...]
    health: HealthReport
    warnings: tuple[str, ...] = field(default=())

    @property
    def managed(self) -> tuple[ResourceState, ...]:
        """The resources that count toward sync status and health (hooks left out)."""
        return tuple(r for r in self.resources if not r.hook)

    @property
    def sync_status(self) -> SyncStatus:
        for r in self.managed:
            if r.status == SyncStatus.OUT_OF_SYNC and not (r.requires_pruning
                                                         and r.ignore_extraneous):
                return SyncStatus.OUT_OF_SYNC
        return SyncStatus.SYNCED

    @property
    def differing(self) -> tuple[ResourceState, ...]:
        return tuple(r for r in self.managed if r.diff is not None and r.diff.modified)

    @property
    def health_status(self) -> HealthStatus:
        return self.health.status
