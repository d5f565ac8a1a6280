"""Builders of history records and manifests for the history tests."""

from __future__ import annotations

import base64
import dataclasses
import json
import random
from typing import Any

from gitsync.history import (
    AppRecords,
    HistoryEntry,
    Initiator,
    OperationState,
    ResourceCounts,
    ResourceResult,
    Source,
)
from gitsync.model import HookType, OperationPhase, ResultCode, SyncPhase

SHA = "4f1c2b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
ALICE = Initiator("alice", "laptop", automated=False)
#: values that must never reach a ConfigMap
SECRET_VALUES = ("hunter2-very-secret", "s3cr3t-token-value")


def configmap(image: str = "nginx:1.27", name: str = "web") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"{name}-config", "namespace": "shop"},
            "data": {"image": image}}


def deployment(image: str = "nginx:1.27", replicas: int = 2) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "image": image}]}}}}


def secret() -> dict[str, Any]:
    encoded = base64.b64encode(SECRET_VALUES[0].encode()).decode()
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                            "metadata": {"name": "db", "namespace": "shop",
                                         "labels": {"app": "db"}},
                            "type": "Opaque", "data": {"password": encoded},
                            "stringData": {"token": SECRET_VALUES[1]}}
    last_applied = json.dumps(body)
    body["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": last_applied, "team": "db"}
    return body


def bulky(seed: int, kib: int) -> dict[str, Any]:
    """A ConfigMap manifest of ``kib`` KiB that gzip cannot shrink much."""
    noise = base64.b64encode(random.Random(seed).randbytes(kib * 768)).decode()
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"bulk-{seed}", "namespace": "shop"}, "data": {"x": noise}}


def result(name: str = "web", status: ResultCode = ResultCode.SYNCED, **kw: Any
           ) -> ResourceResult:
    values: dict[str, Any] = {"group": "apps", "version": "v1", "kind": "Deployment",
                              "namespace": "shop", "name": name, "status": status}
    values.update(kw)
    return ResourceResult(**values)


def operation(**kw: Any) -> OperationState:
    values: dict[str, Any] = {
        "operation": "sync", "phase": OperationPhase.SUCCEEDED,
        "started_at": "2024-05-01T12:00:00Z", "finished_at": "2024-05-01T12:00:42Z",
        "message": "successfully synced (all tasks run)", "revision": SHA,
        "target_revision": "main", "prune": True, "initiated_by": ALICE,
        "reason": "release 1.4", "retry_count": 1,
        "resources": (result(), result("db-migrate", hook_type=HookType.PRE_SYNC,
                                       hook_phase=OperationPhase.SUCCEEDED,
                                       sync_phase=SyncPhase.PRE_SYNC, wave=-1, kind="Job",
                                       group="batch"),
                      result("old", ResultCode.PRUNED, message="pruned"))}
    values.update(kw)
    return OperationState(**values)


def entry(entry_id: int = 0, *manifests: dict[str, Any], **kw: Any) -> HistoryEntry:
    values: dict[str, Any] = {
        "id": entry_id, "revision": SHA, "target_revision": "main",
        "source": Source("https://git.example.com/shop/deploy.git", "shop"),
        "deploy_started_at": "2024-05-01T12:00:00Z", "deployed_at": "2024-05-01T12:00:42Z",
        "initiated_by": ALICE, "reason": "release", "counts": ResourceCounts(synced=2),
        "manifests": manifests or (deployment(), configmap())}
    values.update(kw)
    return HistoryEntry(**values)


def records(count: int, **kw: Any) -> AppRecords:
    """Records with ``count`` entries appended to an empty history, and an operation."""
    out = AppRecords()
    for i in range(count):
        out = out.appended(entry(0, deployment(f"nginx:1.{i}"), configmap(), **kw))
    return out.with_operation(dataclasses.replace(operation(), id=out.last_id or None))
