"""What a watch is given: the apps (each with its cluster) and how to watch them."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitsync.history import DEFAULT_NAMESPACE
from gitsync.kube import Cluster
from gitsync.model.application import Application
from gitsync.model.project import AppProject
from gitsync.watch.backoff import SelfHealBackoff


@dataclass(frozen=True)
class AppTarget:
    """One app to watch, its project, and a connection to its destination cluster."""

    app: Application
    project: AppProject
    cluster: Cluster


@dataclass(frozen=True)
class WatchOptions:
    interval: float = 120.0
    """Seconds between refreshes against the Git remote (Argo CD's reconciliation timeout)."""
    jitter: bool = True
    """Add up to half the interval at random, so apps do not refresh in lockstep."""
    once: bool = False
    """One reconciliation per app, then return (CI, cron)."""
    retry_failed: bool = False
    """Sync a revision whose sync failed again at each periodic refresh."""
    backoff: SelfHealBackoff = field(default_factory=SelfHealBackoff)
    """Delays between self-heals of one revision."""
    lease_duration: int = 30
    """Seconds a dead watcher's Lease blocks the app before a standby takes over."""
    history_namespace: str = DEFAULT_NAMESPACE
    """Where the apps' Leases and history ConfigMaps live."""
    holder: str = ""
    """This watcher's identity in Leases (default ``user@host/pid/watch-<random>``)."""
    settle: float = 0.1
    """Seconds to let a burst of watch events end before refreshing once for all of them."""
