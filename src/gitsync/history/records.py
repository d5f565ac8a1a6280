"""History and operation records: plain values, their JSON shapes, and the edits on them.

Field names in JSON follow Argo CD's ``RevisionHistory`` and ``OperationState`` (camelCase), so
``-o json`` reads familiar. Timestamps are RFC 3339 strings in UTC.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from gitsync.errors import InvalidInputError
from gitsync.model import HookType, OperationPhase, ResourceKey, ResultCode, SyncPhase

Obj = dict[str, Any]
OperationKind = Literal["sync", "rollback", "self-heal"]
OPERATION_KINDS: tuple[OperationKind, ...] = ("sync", "rollback", "self-heal")
#: Argo CD's default ``revisionHistoryLimit``
DEFAULT_LIMIT = 10
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def rfc3339(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as RFC 3339 UTC with seconds: ``2024-05-01T12:00:00Z``."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime; ValueError when it is not one."""
    if not _RFC3339.fullmatch(text):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Initiator:
    """Who started an operation: user and host, or the automated loop."""

    username: str = ""
    host: str = ""
    automated: bool = False

    def to_json(self) -> Obj:
        return {"username": self.username, "host": self.host, "automated": self.automated}


@dataclass(frozen=True, slots=True)
class ResourceResult:
    """The outcome of one resource in an operation (Argo CD's ``ResourceResult``)."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    status: ResultCode
    message: str = ""
    hook_type: HookType | None = None
    hook_phase: OperationPhase | None = None
    sync_phase: SyncPhase = SyncPhase.SYNC
    wave: int = 0

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.group, self.kind, self.namespace, self.name)

    def to_json(self) -> Obj:
        return {"group": self.group, "version": self.version, "kind": self.kind,
                "namespace": self.namespace, "name": self.name, "status": str(self.status),
                "message": self.message,
                "hookType": str(self.hook_type) if self.hook_type else None,
                "hookPhase": str(self.hook_phase) if self.hook_phase else None,
                "syncPhase": str(self.sync_phase), "wave": self.wave}


@dataclass(frozen=True, slots=True)
class ResourceCounts:
    """How many resources of an operation ended in each result."""

    synced: int = 0
    sync_failed: int = 0
    pruned: int = 0
    prune_skipped: int = 0

    @classmethod
    def of(cls, results: Iterable[ResourceResult]) -> ResourceCounts:
        """Count ``results`` by status."""
        n = {code: 0 for code in ResultCode}
        for r in results:
            n[r.status] += 1
        return cls(n[ResultCode.SYNCED], n[ResultCode.SYNC_FAILED], n[ResultCode.PRUNED],
                   n[ResultCode.PRUNE_SKIPPED])

    def to_json(self) -> Obj:
        return {"synced": self.synced, "syncFailed": self.sync_failed, "pruned": self.pruned,
                "pruneSkipped": self.prune_skipped}


@dataclass(frozen=True, slots=True)
class Source:
    """Where the manifests came from."""

    repo_url: str
    path: str = ""

    def to_json(self) -> Obj:
        return {"repoURL": self.repo_url, "path": self.path}


@dataclass(frozen=True, slots=True)
class OperationState:
    """The last operation on an app: what was asked, how it went, per-resource results."""

    operation: OperationKind
    phase: OperationPhase
    started_at: str
    message: str = ""
    revision: str = ""
    target_revision: str = ""
    finished_at: str | None = None
    dry_run: bool = False
    prune: bool = False
    initiated_by: Initiator = field(default_factory=Initiator)
    reason: str = ""
    retry_count: int = 0
    resources: tuple[ResourceResult, ...] = ()
    rollback_of: int | None = None
    #: the history entry this operation recorded, if it recorded one
    id: int | None = None

    def to_json(self) -> Obj:
        return {"id": self.id, "operation": self.operation, "phase": str(self.phase),
                "message": self.message, "revision": self.revision,
                "targetRevision": self.target_revision, "startedAt": self.started_at,
                "finishedAt": self.finished_at, "dryRun": self.dry_run, "prune": self.prune,
                "initiatedBy": self.initiated_by.to_json(), "reason": self.reason,
                "retryCount": self.retry_count,
                "resources": [r.to_json() for r in self.resources],
                "rollbackOf": self.rollback_of}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One deployment: revision, source, times, initiator, result, counts and manifests."""

    id: int
    revision: str
    target_revision: str
    source: Source
    deploy_started_at: str
    deployed_at: str
    initiated_by: Initiator = field(default_factory=Initiator)
    reason: str = ""
    result: OperationPhase = OperationPhase.SUCCEEDED
    rollback_of: int | None = None
    counts: ResourceCounts = field(default_factory=ResourceCounts)
    #: applied manifests, Secrets without their data; empty when ``manifests_dropped``
    manifests: tuple[Obj, ...] = ()
    #: the manifests were dropped to keep the ConfigMap under its size budget
    manifests_dropped: bool = False

    def to_json(self) -> Obj:
        """The index shape: everything but the manifests (which are stored apart)."""
        return {"id": self.id, "revision": self.revision, "targetRevision": self.target_revision,
                "source": self.source.to_json(), "deployStartedAt": self.deploy_started_at,
                "deployedAt": self.deployed_at, "initiatedBy": self.initiated_by.to_json(),
                "reason": self.reason, "result": str(self.result),
                "rollbackOf": self.rollback_of, "resources": self.counts.to_json(),
                "manifestsDropped": self.manifests_dropped}

    def without_manifests(self) -> HistoryEntry:
        """This entry with its manifests dropped (and saying so)."""
        return dataclasses.replace(self, manifests=(), manifests_dropped=True)


@dataclass(frozen=True, slots=True)
class AppRecords:
    """Everything recorded for one app: the last operation and the history, oldest first."""

    operation: OperationState | None = None
    entries: tuple[HistoryEntry, ...] = ()
    #: the highest id ever given out, so trimmed ids are never reused
    last_id: int = 0

    def with_operation(self, op: OperationState) -> AppRecords:
        """These records with ``op`` as the last operation."""
        return dataclasses.replace(self, operation=op)

    def appended(self, entry: HistoryEntry) -> AppRecords:
        """These records plus ``entry``, which gets the next id (``entry.id`` is ignored)."""
        new = dataclasses.replace(entry, id=self.last_id + 1)
        return dataclasses.replace(self, entries=(*self.entries, new), last_id=new.id)

    def finished(self, op: OperationState, entry: HistoryEntry | None) -> AppRecords:
        """Record ``op`` and, when given, ``entry``; the operation points at the entry's id."""
        if entry is None:
            return self.with_operation(op)
        records = self.appended(entry)
        return records.with_operation(dataclasses.replace(op, id=records.last_id))

    def get(self, entry_id: int) -> HistoryEntry | None:
        """The entry with ``entry_id``, or None."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def resolve(self, entry_id: int | None, app: str) -> HistoryEntry:
        """The entry to roll back to: ``entry_id``, or the second newest when None (as Argo CD)."""
        if entry_id is None:
            if len(self.entries) < 2:
                raise InvalidInputError(f"app {app} has no previous history entry to roll back to",
                                        hint=f"pass a history ID (see: gitsync app history {app})")
            return self.entries[-2]
        found = self.get(entry_id)
        if found is None:
            known = ", ".join(str(e.id) for e in self.entries) or "none"
            raise InvalidInputError(f"app {app} has no history entry {entry_id} (known: {known})",
                                    hint=f"list them with: gitsync app history {app}")
        return found
