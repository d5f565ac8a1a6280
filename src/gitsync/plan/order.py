"""Task order: one sort key, then dependency bubbling of Namespaces and CRDs.

The key is (phase, wave, prunes before applies, kind rank, namespace, name, kind, group). Argo CD
stops at the name and leaves equal keys in map order; gitsync breaks those ties by namespace (and
finally kind and group) so the same input always gives the same plan (DESIGN.md §4.8). Prunes come
first in a wave because that is how a wave runs (all prunes, then the applies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from gitsync.plan.types import Task

#: Helm's install order, as gitops-engine ranks kinds; anything else comes after all of these
KIND_ORDER: tuple[str, ...] = (
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
    "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role",
    "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
)
_RANK = {kind: i - len(KIND_ORDER) for i, kind in enumerate(KIND_ORDER)}

CRD_GROUP = "apiextensions.k8s.io"
CRD_KIND = "CustomResourceDefinition"

SortKey = tuple[int, int, int, int, str, str, str, str]


def kind_rank(kind: str) -> int:
    """-35 for Namespace … -1 for APIService; 0 (last) for kinds not in the table."""
    # keyed by kind only, as in gitops-engine: a CR named "Service" ranks as a Service
    return _RANK.get(kind, 0)


def sort_key(task: Task) -> SortKey:
    """The one ordering of tasks: phase, wave, prunes first, kind rank, namespace, name."""
    k = task.key
    return (task.phase.order, task.wave, 0 if task.action.is_prune else 1, kind_rank(k.kind),
            k.namespace, k.name, k.kind, k.group)


def order_tasks(tasks: Iterable[Task]) -> list[Task]:
    """Sort by :func:`sort_key`, then bubble Namespaces and CRDs before their first user."""
    out = sorted(tasks, key=sort_key)
    out = _bubble(out, _namespace_defined, _namespace_used)
    return _bubble(out, _crd_defined, _crd_used)


def _namespace_defined(task: Task) -> str | None:
    k = task.key
    return k.name if k.group == "" and k.kind == "Namespace" else None


def _namespace_used(task: Task) -> str | None:
    return task.key.namespace or None


def _crd_defined(task: Task) -> str | None:
    k = task.key
    if k.group != CRD_GROUP or k.kind != CRD_KIND or task.resource is None:
        return None
    spec = task.resource.obj.get("spec") or {}
    names = spec.get("names") or {}
    return f"{spec.get('group') or ''}/{names.get('kind') or ''}"


def _crd_used(task: Task) -> str | None:
    return f"{task.key.group}/{task.key.kind}"


def _bubble(tasks: list[Task], defined: Callable[[Task], str | None],
            used: Callable[[Task], str | None]) -> list[Task]:
    """Move each dependency just before its first user, into that user's phase and wave.

    gitops-engine's ``adjustDeps``: only a user that sorts *earlier* moves the dependency;
    prunes (no desired object) neither move nor pull.
    """
    out = list(tasks)
    first_user: dict[str, int] = {}
    for i in range(len(out)):
        task = out[i]
        if task.resource is None:
            continue
        dep = defined(task)
        if dep is None:
            ref = used(task)
            if ref is not None and ref not in first_user:
                first_user[ref] = i
            continue
        at = first_user.get(dep)
        if at is None:
            continue
        anchor = out[at]
        del out[i]
        out.insert(at, replace(task, phase=anchor.phase, wave=anchor.wave))
        # everything from ``at`` to ``i - 1`` shifted one place right
        first_user = {k: v + 1 if v >= at else v for k, v in first_user.items()}
    return out
