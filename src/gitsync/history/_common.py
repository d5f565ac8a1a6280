"""What the store and the lock share: object names, labels, and the cluster calls they make."""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import Any, Protocol

from gitsync.kube.errors import AlreadyExistsError
from gitsync.model import ResourceKey

#: where history ConfigMaps and Leases live unless configured otherwise (DESIGN.md §4.5)
DEFAULT_NAMESPACE = "gitsync-system"
# TODO(lead): these keys belong in gitsync.model.annotations (STYLE habit 3), outside this brief
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "gitsync"
HISTORY_OF_LABEL = "gitsync.io/history-of"
#: the exact app name, since the label value may have been shortened or sanitised
APP_ANNOTATION = "gitsync.io/app-name"

_PREFIX = "gitsync-"
_NAME_MAX = 253
_LABEL_MAX = 63
_INVALID = re.compile(r"[^a-z0-9-]+")


class ObjectClient(Protocol):
    """The few ``gitsync.kube.Cluster`` calls history needs (a port, so tests could fake it)."""

    def get(self, key: ResourceKey) -> dict[str, Any] | None: ...

    def create(self, obj: dict[str, Any], *, dry_run: bool = False) -> dict[str, Any]: ...

    def replace(self, obj: dict[str, Any], *, dry_run: bool = False) -> dict[str, Any]: ...


def _sanitise(text: str, limit: int) -> str:
    """``text`` as a DNS-1123 label of at most ``limit`` chars; a hash keeps changed ones unique."""
    clean = _INVALID.sub("-", text.lower()).strip("-")
    if clean == text and len(clean) <= limit:
        return clean
    # two apps that sanitise alike ("My_App", "my-app") must not share one history
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{clean[:limit - 9].rstrip('-')}-{digest}".lstrip("-")


def object_name(app: str) -> str:
    """The ConfigMap and Lease name of ``app``: ``gitsync-<app>`` as a DNS-1123 name."""
    return _PREFIX + _sanitise(app, _NAME_MAX - len(_PREFIX))


def label_value(app: str) -> str:
    """``app`` as a valid label value (at most 63 characters)."""
    return _sanitise(app, _LABEL_MAX)


def metadata(app: str, namespace: str) -> dict[str, Any]:
    """Name, namespace, labels and annotation of the app's ConfigMap or Lease."""
    return {"name": object_name(app), "namespace": namespace,
            "labels": {MANAGED_BY_LABEL: MANAGED_BY, HISTORY_OF_LABEL: label_value(app)},
            "annotations": {APP_ANNOTATION: app}}


def ensure_namespace(cluster: ObjectClient, namespace: str) -> None:
    """Create ``namespace`` unless it exists (history's namespace is created on demand)."""
    # AlreadyExists: another writer created it first, which is just as good
    with contextlib.suppress(AlreadyExistsError):
        cluster.create({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": namespace}})
