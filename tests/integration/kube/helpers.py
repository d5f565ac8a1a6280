"""Helpers of the kube adapter's tests: options with quick retries, manifests, polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from gitsync.kube import ClusterOptions, RetryPolicy
from gitsync.model.annotations import TRACKING_LABEL

T = TypeVar("T")

#: the default policy's shape, scaled down so exhausting it takes well under a second
FAST_RETRY = RetryPolicy(attempts=4, initial=0.01, factor=2.0, max_delay=0.05, budget=3.0)


def options(tmp_path: Path, **overrides: Any) -> ClusterOptions:
    values: dict[str, Any] = {"retry": FAST_RETRY, "cache_dir": tmp_path / "cache",
                              "request_timeout": 5.0}
    values.update(overrides)
    return ClusterOptions(**values)


def configmap(name: str, namespace: str = "default", app: str | None = "shop",
              **data: str) -> dict[str, Any]:
    labels = {TRACKING_LABEL: app} if app else {}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "data": data or {"key": "value"}}


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def eventually(probe: Callable[[], T | None], timeout: float = 5.0, what: str = "") -> T:
    """Poll ``probe`` until it returns something truthy (controllers run asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}")
        time.sleep(0.01)
