"""Object metadata as the apiserver maintains it: uid, timestamps, generation, key order."""

from __future__ import annotations

import os
import random
import time
from typing import Any

#: metadata keys in the order kube-apiserver serialises ObjectMeta
_META_ORDER = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
               "generation", "creationTimestamp", "deletionTimestamp",
               "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
               "finalizers", "managedFields")

#: the alphabet of generateName suffixes (no vowels, no ambiguous characters), as upstream
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

#: metadata fields only the server sets; client-supplied values are replaced or ignored
SERVER_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp",
                 "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")

#: resources whose objects carry metadata.generation (their strategies maintain it)
_GENERATION_KEYS = {
    ("apps", "deployments"), ("apps", "statefulsets"), ("apps", "daemonsets"),
    ("apps", "replicasets"), ("batch", "jobs"), ("batch", "cronjobs"),
    ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"),
    ("networking.k8s.io", "ingressclasses"), ("policy", "poddisruptionbudgets"),
    ("autoscaling", "horizontalpodautoscalers"), ("", "replicationcontrollers"),
    ("apiextensions.k8s.io", "customresourcedefinitions"), ("", "pods"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"),
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
}


def now() -> str:
    """The current time as Kubernetes serialises ``metav1.Time`` (RFC 3339, seconds, UTC)."""
    global _NOW
    t = time.gmtime()
    got = _NOW
    if got[0] != t:  # formatted once a second: every write asks
        got = _NOW = (t, time.strftime("%Y-%m-%dT%H:%M:%SZ", t))
    return got[1]


_NOW: tuple[Any, str] = (None, "")


def now_micro() -> str:
    """``metav1.MicroTime`` (Leases, Events)."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


def new_uid() -> str:
    """``str(uuid.uuid4())``, without building a UUID object."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def generated_name(prefix: str) -> str:
    return prefix + "".join(random.choices(_SUFFIX_ALPHABET, k=5))


def has_generation(key: tuple[str, str], custom: bool) -> bool:
    return custom or key in _GENERATION_KEYS


def spec_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when anything outside metadata and status differs (what bumps generation)."""
    skip = ("metadata", "status", "apiVersion", "kind")
    keys = (set(old) | set(new)).difference(skip)
    return any(old.get(k) != new.get(k) for k in keys)


def ordered(obj: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """Put apiVersion and kind first and metadata in upstream order (list items rely on it)."""
    meta = obj.get("metadata") or {}
    m = {k: meta[k] for k in _META_ORDER if k in meta}
    for k, v in meta.items():
        if k not in m:
            m[k] = v
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": m}
    for k, v in obj.items():
        if k not in out:
            out[k] = v
    return out
