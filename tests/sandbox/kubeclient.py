"""Helpers for driving a sandbox with the official kubernetes client in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kubernetes import client, config

from gitsync.sandbox.testing import SandboxHandle

T = TypeVar("T")


@dataclass
class Kube:
    """The typed API groups of one sandbox, sharing one ApiClient."""

    api: Any
    core: Any
    apps: Any
    batch: Any
    networking: Any
    extensions: Any
    custom: Any

    @classmethod
    def connect(cls, sandbox: SandboxHandle) -> Kube:
        api = config.new_client_from_config(  # type: ignore[no-untyped-call]
            str(sandbox.kubeconfig))
        return cls(api, client.CoreV1Api(api), client.AppsV1Api(api), client.BatchV1Api(api),
                   client.NetworkingV1Api(api), client.ApiextensionsV1Api(api),
                   client.CustomObjectsApi(api))


def wait_for(probe: Callable[[], T | None], timeout: float = 5.0, what: str = "") -> T:
    """Poll ``probe`` (every 10 ms) until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}: last={last!r}")
        time.sleep(0.01)


def gone(read: Callable[[], Any]) -> bool:
    """True when ``read`` answers 404."""
    try:
        read()
    except client.ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return False


def container(name: str = "app", image: str = "nginx:1.27") -> dict[str, Any]:
    return {"name": name, "image": image}


def pod_template(labels: dict[str, str], annotations: dict[str, str] | None = None,
                 restart_policy: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"labels": labels}
    if annotations:
        md["annotations"] = annotations
    spec: dict[str, Any] = {"containers": [container()]}
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    return {"metadata": md, "spec": spec}


def deployment(name: str, replicas: int = 2, annotations: dict[str, str] | None = None,
               **spec: Any) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md,
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": pod_template({"app": name}), **spec}}


def condition(obj: Any, ctype: str) -> Any:
    """The condition of ``ctype`` on a client model object's status, or None."""
    for c in (obj.status.conditions or []) if obj.status else []:
        if c.type == ctype:
            return c
    return None
