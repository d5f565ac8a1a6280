"""The Job controller: run pods to ``completions`` successes or until the backoff limit.

Terminal states take two status writes, as upstream since v1.31: first SuccessCriteriaMet or
FailureTarget, then Complete (with completionTime) or Failed. CronJobs schedule nothing.
"""

from __future__ import annotations

from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.controller import PodOwnerController
from gitsync.sandbox.controllers.podutil import (
    is_active,
    is_deleting,
    is_ready,
    new_pod,
    owned,
    phase,
)
from gitsync.sandbox.controllers.util import as_int, is_true
from gitsync.sandbox.store import Key

_DONE = "Reached expected number of succeeded pods"
_BACKOFF = "Job has reached the specified backoff limit"


def _cond(ctype: str, reason: str, message: str) -> dict[str, Any]:
    now = meta.now()
    return {"type": ctype, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


class JobController(PodOwnerController):
    """Pods for Jobs and the Job status, conditions included."""
    name = "jobs"
    key = ("batch", "jobs")
    owner_kind = "Job"

    def reconcile(self, key: Key, ns: str, name: str) -> None:
        """Create pods, count them, and finish the Job in two steps."""
        job = self.get(ns, name)
        if job is None or is_true(job, "Complete") or is_true(job, "Failed"):
            return
        spec = job.get("spec") or {}
        old = job.get("status") or {}
        conds = list(old.get("conditions") or [])
        pods = owned(self.mgr, job)
        active = [p for p in pods if is_active(p)]
        succeeded = max(as_int(old.get("succeeded"), 0),
                        sum(1 for p in pods if phase(p) == "Succeeded"))
        failed = max(as_int(old.get("failed"), 0), sum(1 for p in pods if phase(p) == "Failed"))
        completions = max(as_int(spec.get("completions"), 1), 0)
        parallelism = max(as_int(spec.get("parallelism"), 1), 0)
        completion_time = old.get("completionTime")
        if is_true(job, "FailureTarget"):
            conds.append(_cond("Failed", "BackoffLimitExceeded", _BACKOFF))
        elif is_true(job, "SuccessCriteriaMet"):
            conds.append(_cond("Complete", "CompletionsReached", _DONE))
            completion_time = meta.now()
        elif failed > max(as_int(spec.get("backoffLimit"), 6), 0):
            conds.append(_cond("FailureTarget", "BackoffLimitExceeded", _BACKOFF))
        elif succeeded >= completions:
            conds.append(_cond("SuccessCriteriaMet", "CompletionsReached", _DONE))
        elif spec.get("suspend"):
            if not is_true(job, "Suspended"):
                conds.append(_cond("Suspended", "JobSuspended", "Job suspended"))
        elif not is_deleting(job):
            missing = min(parallelism, completions - succeeded) - len(active)
            for _ in range(max(missing, 0)):
                self._create_pod(job)
        finishing = any(c["type"] in ("FailureTarget", "SuccessCriteriaMet") for c in conds) \
            or bool(spec.get("suspend"))
        if finishing:
            for pod in active:
                self.mgr.delete(self.pod_rt, ns, pod["metadata"]["name"],
                                uid=pod["metadata"]["uid"])
            active = []
        status: dict[str, Any] = {
            "conditions": conds or None,
            "startTime": None if spec.get("suspend") else old.get("startTime") or meta.now(),
            "completionTime": completion_time,
            "active": len(active) or None, "succeeded": succeeded or None,
            "failed": failed or None, "terminating": 0,
            "uncountedTerminatedPods": {},
            "ready": sum(1 for p in active if is_ready(p))}
        self.mgr.set_status(self.rt, job, {k: v for k, v in status.items() if v is not None})

    def _create_pod(self, job: dict[str, Any]) -> None:
        md = job["metadata"]
        labels = {"batch.kubernetes.io/controller-uid": md["uid"],
                  "batch.kubernetes.io/job-name": md["name"],
                  "controller-uid": md["uid"], "job-name": md["name"]}
        pod = new_pod(job, (job.get("spec") or {}).get("template"), labels=labels)
        self.mgr.create(self.pod_rt, md.get("namespace", ""), pod)
