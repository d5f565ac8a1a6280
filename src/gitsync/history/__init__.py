"""History and operation records of apps, their ConfigMap codec and store, and the app lock.

``records``, ``codec`` and ``diff`` are pure; ``store`` and ``lock`` talk to the cluster
through the few ``gitsync.kube.Cluster`` calls named in ``_common.ObjectClient``.
"""

from gitsync.history._common import DEFAULT_NAMESPACE, object_name
from gitsync.history.codec import MAX_BYTES, Packed, decode, encode, pack, scrub_secrets
from gitsync.history.diff import ManifestChange, diff_entries, render_changes
from gitsync.history.errors import HistoryCorruptError, LockHeldError, LockLostError
from gitsync.history.lock import LeaseLock, acquire, default_holder
from gitsync.history.records import (
    DEFAULT_LIMIT,
    AppRecords,
    HistoryEntry,
    Initiator,
    OperationState,
    ResourceCounts,
    ResourceResult,
    Source,
    rfc3339,
)
from gitsync.history.store import HistoryStore

__all__ = [
    "DEFAULT_LIMIT", "DEFAULT_NAMESPACE", "MAX_BYTES", "AppRecords", "HistoryCorruptError",
    "HistoryEntry", "HistoryStore", "Initiator", "LeaseLock", "LockHeldError", "LockLostError",
    "ManifestChange", "OperationState", "Packed", "ResourceCounts", "ResourceResult", "Source",
    "acquire", "decode", "default_holder", "diff_entries", "encode", "object_name", "pack",
    "render_changes", "rfc3339", "scrub_secrets",
]
