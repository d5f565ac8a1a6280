"""The history store: one ConfigMap per app, every write a compare-and-swap on resourceVersion."""

from __future__ import annotations

import copy
import dataclasses
import random
import time
from collections.abc import Callable

from gitsync.errors import InvalidInputError, OperationFailedError
from gitsync.history._common import (
    APP_ANNOTATION,
    DEFAULT_NAMESPACE,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    ObjectClient,
    ensure_namespace,
    metadata,
    object_name,
)
from gitsync.history.codec import MAX_BYTES, Packed, decode, pack
from gitsync.history.records import AppRecords, HistoryEntry, Obj, OperationState
from gitsync.kube.errors import ConflictError, NotFoundError
from gitsync.model import ResourceKey

#: how often a write is retried when other writers keep changing the ConfigMap first
MAX_ATTEMPTS = 20


class HistoryStore:
    """Apps' records in ConfigMaps ``gitsync-<app>`` of one namespace (created on demand)."""

    def __init__(self, cluster: ObjectClient, namespace: str = DEFAULT_NAMESPACE, *,
                 max_attempts: int = MAX_ATTEMPTS, max_bytes: int = MAX_BYTES,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.max_attempts = max_attempts
        self.max_bytes = max_bytes
        self._sleep = sleep

    def key(self, app: str) -> ResourceKey:
        """The key of ``app``'s ConfigMap."""
        return ResourceKey("", "ConfigMap", self.namespace, object_name(app))

    def load(self, app: str) -> AppRecords:
        """``app``'s records; empty when nothing was recorded yet."""
        return self._decode(app, self.cluster.get(self.key(app)))

    def update(self, app: str, fn: Callable[[AppRecords], AppRecords],
               limit: int | None = None) -> AppRecords:
        """Load, apply ``fn``, write back if nobody wrote meanwhile, else start over.

        ``fn`` may run several times, so it must only compute. ``limit`` keeps the newest
        entries (None: as many as fit). Returns the records as stored (trimmed).
        """
        for attempt in range(self.max_attempts):
            live = self.cluster.get(self.key(app))
            changed = fn(self._decode(app, live))
            packed = pack(changed, len(changed.entries) if limit is None else limit,
                          self.max_bytes)
            try:
                self._write(app, live, packed)
                return packed.records
            except ConflictError:
                # jittered back-off, so writers that collided do not collide again in lockstep
                self._sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))
        raise OperationFailedError(
            f"could not record the history of app {app}: ConfigMap "
            f"{self.namespace}/{object_name(app)} kept changing ({self.max_attempts} attempts)",
            hint="another gitsync is writing it at the same time; try again")

    def record_operation(self, app: str, op: OperationState) -> AppRecords:
        """Store ``op`` as ``app``'s last operation."""
        return self.update(app, lambda r: r.with_operation(op))

    def append_history(self, app: str, entry: HistoryEntry, limit: int) -> HistoryEntry:
        """Append ``entry`` with the next id (``entry.id`` is ignored); returns it with its id."""
        stored = self.update(app, lambda r: r.appended(entry), limit)
        return _with_id(stored, entry, stored.last_id)

    def finish(self, app: str, op: OperationState, entry: HistoryEntry | None,
               limit: int) -> AppRecords:
        """Record ``op`` and its history entry in one write (see ``AppRecords.finished``)."""
        return self.update(app, lambda r: r.finished(op, entry), limit)

    def _decode(self, app: str, live: Obj | None) -> AppRecords:
        if live is None:
            return AppRecords()
        md = live.get("metadata") or {}
        owner = (md.get("annotations") or {}).get(APP_ANNOTATION)
        ours = (md.get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY
        where = f"ConfigMap {self.namespace}/{object_name(app)}"
        # never overwrite what is not ours: a name clash must not cost another app its history
        if not ours or (owner is not None and owner != app):
            whose = f"the history of app {owner}" if owner else "data gitsync did not write"
            raise InvalidInputError(f"{where} holds {whose}, not the history of app {app}",
                                    hint="use another history namespace, or remove that "
                                         "ConfigMap if it is stale")
        return decode(live)

    def _write(self, app: str, live: Obj | None, packed: Packed) -> None:
        if live is not None:
            # resourceVersion stays in the body: the server refuses the PUT if it moved on
            body = copy.copy(live)
            body["data"], body["binaryData"] = packed.data, packed.binary_data
            self.cluster.replace(body)
            return
        body = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": metadata(app, self.namespace),
                "data": packed.data, "binaryData": packed.binary_data}
        try:
            self.cluster.create(body)
        except NotFoundError:
            ensure_namespace(self.cluster, self.namespace)
            self.cluster.create(body)


def _with_id(stored: AppRecords, entry: HistoryEntry, entry_id: int) -> HistoryEntry:
    # the stored copy may have lost its manifests to the size budget: say so, keep the rest
    found = stored.get(entry_id)
    if found is not None:
        return found
    # trimmed away at once (a limit of 0): the caller still learns the id it was given
    return dataclasses.replace(entry, id=entry_id, manifests=(), manifests_dropped=True)
