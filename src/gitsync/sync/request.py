"""What a sync is asked to do, as one frozen value with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gitsync.model.application import RetryStrategy


@dataclass(frozen=True)
class SyncRequest:
    """The options of one operation (``gitsync app sync`` flags, rollback, self-heal)."""

    prune: bool = False
    """Delete resources removed from Git (``--prune`` or ``automated.prune``)."""
    dry_run: bool = False
    """Plan and validate with server-side dry runs; write nothing, record nothing."""
    revision: str = ""
    """Sync this revision instead of ``targetRevision``."""
    resources: tuple[str, ...] = ()
    """Selective sync filters ``[!]GROUP:KIND:[NAMESPACE/]NAME``; no hooks, no history entry."""
    timeout: float = 0.0
    """Seconds for the whole operation; 0 waits as long as it takes."""
    asynchronous: bool = False
    """Return once everything is applied, without waiting for the last wave's health."""
    retry: RetryStrategy | None = None
    """Retry the operation on failure (``--retry-*`` or ``syncPolicy.retry``)."""
    allow_mass_prune: bool = False
    """Allow pruning more than half of the app's objects (``--yes``/``--allow-mass-prune``)."""
    skip_hooks: bool = False
    """Run no hooks (``--strategy apply``, rollback, self-heal)."""
    reason: str = ""
    """Why (``--info``/``-m``), kept in the history entry."""
    wait_lock: bool = False
    """Wait for another operation on the app to finish instead of failing at once."""
    operation: Literal["sync", "rollback", "self-heal"] = "sync"
    """``sync``, ``rollback`` or ``self-heal`` (recorded in the operation state)."""
    automated: bool = False
    """Started by the watch loop rather than a person."""
    target_revision: str = ""
    """What to record as the target revision (rollback: the entry's), default the app's."""
    rollback_of: int | None = None
    """The history entry a rollback re-applies."""
    manifests: tuple[dict[str, Any], ...] | None = field(default=None, compare=False)
    """Apply these manifests instead of rendering Git (rollback)."""
    only: tuple[str, ...] = ()
    """Identities of the only resources to apply (self-heal of drifted objects)."""
    offline: bool = False
    """Render ``revision`` from the cached clone without asking the Git remote (self-heal)."""
