"""Pod (``v1``), as Argo CD's health_pod.go, with its hook and restartPolicy nuances.

A pod that restarts forever (``restartPolicy: Always``) is judged like a server: a container stuck
in an error back-off is Degraded at once. A pod meant to finish (``Never``/``OnFailure``, which is
what hook pods are) stays Progressing while it runs: calling an image-pull back-off Degraded would
fail a hook that may still succeed once the image appears. The annotation
``argocd.argoproj.io/ignore-restart-policy: "true"`` asks for the server rules on a finite pod
(one an operator runs), but never on a hook, whose completion must stay Succeeded/Failed.
"""

from __future__ import annotations

from collections.abc import Mapping

from gitsync.health._obj import (
    Obj,
    annotation,
    condition,
    count,
    get,
    is_true,
    mapping,
    objects,
    text,
)
from gitsync.health._report import degraded, healthy, progressing, unknown
from gitsync.model import HealthReport, Resource
from gitsync.model import annotations as ann

#: belongs with the other keys in ``gitsync.model.annotations`` once that module can take it
IGNORE_RESTART_POLICY = ann.IGNORE_RESTART_POLICY


def assess(obj: Obj) -> HealthReport:
    """Degraded on crash/pull back-offs (long-running pods), else by ``status.phase``."""
    long_running = _long_running(obj)
    message = text(obj, "status", "message")
    if long_running and (stuck := _waiting_errors(obj)):
        return degraded(", ".join(stuck))
    phase = text(obj, "status", "phase")
    if phase == "Pending":
        return progressing(message or _pending_message(obj))
    if phase == "Succeeded":
        return healthy(message)
    if phase == "Failed":
        return degraded(message or _failure_message(obj) or "Pod failed")
    if phase == "Running":
        if not long_running:
            # finite pods (hooks, typically) are done only when they succeed
            return progressing(message or "Pod is running")
        if is_true(condition(obj, "Ready")):
            return healthy(message)
        restarted = _restarted_container(obj)
        if restarted:
            return degraded(message or restarted)
        return progressing(message or "Waiting for containers to be ready")
    return unknown(message or f'Pod phase is "{phase}"')


def _long_running(obj: Obj) -> bool:
    policy = text(obj, "spec", "restartPolicy") or "Always"
    if policy == "Always":
        return True
    ignore = annotation(obj, IGNORE_RESTART_POLICY) == "true"
    return ignore and not Resource(dict(obj)).is_hook


def _waiting_errors(obj: Obj) -> list[str]:
    out = []
    for status in objects(obj, "status", "containerStatuses"):
        waiting = mapping(status, "state", "waiting")
        reason = text(waiting, "reason")
        # ErrImagePull, CreateContainerConfigError, CrashLoopBackOff, ImagePullBackOff, ...
        if reason.startswith("Err") or reason.endswith(("Error", "BackOff")):
            out.append(text(waiting, "message") or
                       f'container "{text(status, "name")}": {reason}')
    return out


def _pending_message(obj: Obj) -> str:
    scheduled = condition(obj, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        # e.g. "0/3 nodes are available: 3 Insufficient cpu."
        return text(scheduled, "message") or "Waiting for the pod to be scheduled"
    return "Waiting for the pod's containers to start"


def _failure_message(obj: Obj) -> str:
    statuses = (objects(obj, "status", "initContainerStatuses")
                + objects(obj, "status", "containerStatuses"))
    for status in statuses:
        ended = get(status, "state", "terminated")
        if not isinstance(ended, Mapping):
            continue
        if text(ended, "message"):
            return text(ended, "message")
        if text(ended, "reason") == "OOMKilled":
            return "OOMKilled"
        if code := count(ended, "exitCode"):
            return f'container "{text(status, "name")}" failed with exit code {code}'
    return ""


def _restarted_container(obj: Obj) -> str:
    for status in objects(obj, "status", "containerStatuses"):
        last = get(status, "lastState", "terminated")
        if isinstance(last, Mapping):
            reason = text(last, "reason") or "terminated"
            return (f'container "{text(status, "name")}" restarted ({reason}, exit code '
                    f'{count(last, "exitCode")}) and is not ready')
    return ""
