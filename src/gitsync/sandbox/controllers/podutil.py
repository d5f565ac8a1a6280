"""Pods as the workload controllers see them: made from templates, owned, counted."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.util import controller_ref, is_true, json_copy, owner_ref
from gitsync.sandbox.store import Key

PODS: Key = ("", "pods")
NODE_NAME = "sandbox-control-plane"
NODE_IP = "172.18.0.2"


def is_ready(pod: dict[str, Any]) -> bool:
    """The pod's Ready condition is True."""
    return is_true(pod, "Ready")


def phase(pod: dict[str, Any]) -> str:
    """status.phase, Pending when not reported yet."""
    return str((pod.get("status") or {}).get("phase") or "Pending")


def is_terminal(pod: dict[str, Any]) -> bool:
    """Succeeded or Failed."""
    return phase(pod) in ("Succeeded", "Failed")


def is_deleting(obj: dict[str, Any]) -> bool:
    """A deletionTimestamp is set."""
    return bool(obj["metadata"].get("deletionTimestamp"))


def is_active(pod: dict[str, Any]) -> bool:
    """Counted as a replica: neither finished nor on its way out."""
    return not is_terminal(pod) and not is_deleting(pod)


def owned(mgr: Runtime, owner: dict[str, Any], key: Key = PODS) -> list[dict[str, Any]]:
    """Objects of ``key`` whose controller reference is ``owner`` (via the owner index)."""
    uid = owner["metadata"]["uid"]
    out = []
    for k, ns, name in mgr.index.dependents_of(uid):
        if k != key:
            continue
        obj = mgr.get(k, ns, name)
        ref = controller_ref(obj) if obj else None
        if obj is not None and ref is not None and ref.get("uid") == uid:
            out.append(obj)
    return out


def new_pod(owner: dict[str, Any], template: dict[str, Any] | None, *,
            name: str = "", generate_name: str = "",
            labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A pod from a pod template, controlled by ``owner``."""
    tmpl = json_copy(template or {})
    tmd = tmpl.get("metadata") or {}
    md: dict[str, Any] = {}
    if name:
        md["name"] = name
    else:
        md["generateName"] = generate_name or owner["metadata"]["name"] + "-"
    md["namespace"] = owner["metadata"].get("namespace", "")
    all_labels = dict(tmd.get("labels") or {})
    all_labels.update(labels or {})
    if all_labels:
        md["labels"] = all_labels
    if tmd.get("annotations"):
        md["annotations"] = dict(tmd["annotations"])
    md["ownerReferences"] = [owner_ref(owner)]
    if tmd.get("finalizers"):
        md["finalizers"] = list(tmd["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": tmpl.get("spec") or {"containers": []}}


def counts(pods: list[dict[str, Any]]) -> tuple[int, int]:
    """(active replicas, ready replicas) of a set of pods."""
    active = [p for p in pods if is_active(p)]
    return len(active), sum(1 for p in active if is_ready(p))
