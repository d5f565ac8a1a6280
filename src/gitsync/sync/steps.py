"""Running one step of a plan (a phase and wave): prune, recreate hooks, apply, wait.

A failure on one resource is data (a result with status and message); only the operation
decides what a failed step means.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from gitsync.health import assess, hook_phase
from gitsync.kube import Cluster, KubeError, NotFoundError
from gitsync.model import annotations as ann
from gitsync.model.enums import HealthStatus, HookDeletePolicy, OperationPhase, ResultCode
from gitsync.model.resource import ResourceKey
from gitsync.plan import Action, Step, Task
from gitsync.ports import Reporter
from gitsync.sync.wait import Obj, Waiter

#: concurrent requests per wave, as Argo CD's kubectl parallelism (bounded for the API server)
PARALLELISM = 8


@dataclass
class TaskResult:
    task: Task
    status: ResultCode
    message: str = ""
    hook_phase: str = ""
    health: HealthStatus | None = None

    @property
    def failed(self) -> bool:
        return self.status == ResultCode.SYNC_FAILED or self.hook_phase == "Failed"


@dataclass
class StepOutcome:
    results: list[TaskResult] = field(default_factory=list)
    failed: bool = False
    timed_out: bool = False
    message: str = ""


class StepRunner:
    """Executes steps against one cluster, reporting each resource as it goes."""

    def __init__(self, cluster: Cluster, app: str, reporter: Reporter, stop: threading.Event,
                 propagation: str = "Foreground", replace_all: bool = False) -> None:
        self.cluster = cluster
        #: app-level ``Replace=true``: PUT every object instead of applying it
        self.replace_all = replace_all
        self.app = app
        self.reporter = reporter
        self.stop = stop
        self.propagation = propagation.capitalize()
        self.waiter = Waiter(cluster, app, stop)

    def _event(self, task: Task, status: str, message: str = "") -> None:
        self.reporter.event(_identity(task), status, message)

    # --- the step ---------------------------------------------------------------------------

    def run(self, step: Step, deadline: float | None, wait: bool = True) -> StepOutcome:
        out = StepOutcome()
        prunes = [t for t in step.tasks if t.action == Action.PRUNE]
        skipped = [t for t in step.tasks if t.action == Action.PRUNE_SKIPPED]
        applies = [t for t in step.tasks if t.action in (Action.CREATE, Action.UPDATE,
                                                          Action.HOOK)]
        unchanged = [t for t in step.tasks if t.action == Action.UNCHANGED]
        for t in skipped:
            out.results.append(TaskResult(t, ResultCode.PRUNE_SKIPPED, t.message))
            self._event(t, "PruneSkipped", t.message)
        for t in unchanged:
            out.results.append(TaskResult(t, ResultCode.SYNCED, "unchanged"))
        out.results += self._parallel(self._prune, prunes)
        pruned = [r.task.key for r in out.results if r.status == ResultCode.PRUNED]
        if pruned:
            left = self.waiter.wait(pruned, lambda k, o: o is None, deadline)
            if left:
                return self._timeout(out, f"waiting for deletion of {_names(left)}")
        recreate = [t for t in applies if t.is_hook and t.live is not None and
                    HookDeletePolicy.BEFORE_HOOK_CREATION in t.delete_policies]
        if recreate:
            for t in recreate:
                self._delete(t.key, "Background")
            left = self.waiter.wait([t.key for t in recreate], lambda k, o: o is None, deadline)
            if left:
                return self._timeout(out, f"waiting for deletion of hook {_names(left)}")
        # kind by kind (the step is in kind order), each kind in parallel, as gitops-engine:
        # a Namespace or CRD exists before the objects of the same wave that need it
        applied: list[TaskResult] = []
        for _, group in groupby(applies, key=lambda t: t.key.kind):
            applied += self._parallel(self._apply, list(group))
        out.results += applied
        if any(r.failed for r in applied):
            out.failed = True
            out.message = "one or more objects failed to apply"
            return out
        if not wait:
            return out
        return self._wait(out, [r for r in applied if r.status == ResultCode.SYNCED], deadline)

    def _tracked(self, task: Task) -> bool:
        md = (task.resource.obj.get("metadata") or {}) if task.resource is not None else {}
        return (md.get("labels") or {}).get(ann.TRACKING_LABEL) == self.app

    def _timeout(self, out: StepOutcome, message: str) -> StepOutcome:
        out.failed = out.timed_out = True
        out.message = "interrupted" if self.stop.is_set() else f"timed out {message}"
        return out

    def _parallel(self, fn: Callable[[Task], TaskResult], tasks: list[Task]) -> list[TaskResult]:
        if len(tasks) <= 1:
            return [fn(t) for t in tasks]
        with ThreadPoolExecutor(max_workers=min(PARALLELISM, len(tasks))) as pool:
            return list(pool.map(fn, tasks))

    # --- verbs ------------------------------------------------------------------------------

    def _apply(self, task: Task) -> TaskResult:
        assert task.resource is not None
        obj = task.resource.obj
        try:
            replace_it = task.resource.option("Replace") == "true" or (
                self.replace_all and task.resource.option("Replace") != "false")
            if replace_it and task.live is not None:
                self.cluster.replace(_without_rv(obj))
            else:
                self.cluster.apply(obj)
        except KubeError as exc:
            self._event(task, "SyncFailed", exc.message)
            return TaskResult(task, ResultCode.SYNC_FAILED, exc.message)
        verb = "created" if task.action == Action.CREATE or task.is_hook else "configured"
        self._event(task, "Synced", verb)
        return TaskResult(task, ResultCode.SYNCED, verb,
                          hook_phase="Running" if task.is_hook else "")

    def _prune(self, task: Task) -> TaskResult:
        if self._delete(task.key, self.propagation):
            self._event(task, "Pruned", "pruned")
        return TaskResult(task, ResultCode.PRUNED, "pruned")

    def _delete(self, key: ResourceKey, propagation: str) -> bool:
        try:
            return self.cluster.delete(key, propagation=propagation)  # type: ignore[arg-type]
        except NotFoundError:
            return False

    def release_hooks(self, tasks: list[Task]) -> None:
        """Drop the hook finalizer once a hook's result is known (re-apply without it)."""
        for t in tasks:
            if t.resource is None:
                continue
            md = t.resource.obj.get("metadata") or {}
            fins = [f for f in md.get("finalizers") or [] if f != ann.HOOK_FINALIZER]
            if fins == list(md.get("finalizers") or []):
                continue
            obj = {**t.resource.obj, "metadata": {**md, "finalizers": fins}}
            try:
                self.cluster.apply(obj)
            except NotFoundError:
                continue
            except KubeError as exc:
                self.reporter.warn(f"{_identity(t)}: could not release hook: {exc.message}")

    def delete_hooks(self, tasks: list[Task]) -> None:
        """Delete hooks (delete policies, termination); missing ones are fine."""
        self.release_hooks(tasks)
        for t in tasks:
            try:
                if self._delete(t.key, self.propagation):
                    self._event(t, "Deleted", "hook deleted")
            except KubeError as exc:
                self.reporter.warn(f"{_identity(t)}: could not delete hook: {exc.message}")

    # --- waiting ----------------------------------------------------------------------------

    def _wait(self, out: StepOutcome, applied: list[TaskResult],
              deadline: float | None) -> StepOutcome:
        by_key = {r.task.key: r for r in applied}
        seen: dict[ResourceKey, str] = {}

        def judge(key: ResourceKey, obj: Obj | None) -> bool:
            r = by_key[key]
            report = assess(obj) if obj is not None else None
            if r.task.is_hook:
                if obj is None:
                    # a hook without health check that vanished right away still succeeded
                    r.hook_phase = "Succeeded" if r.hook_phase == "Running" else r.hook_phase
                    return False
                phase = hook_phase(report)
                r.hook_phase = str(phase)
                label = f"{phase}" + (f": {report.message}" if report and report.message
                                      else "")
                if seen.get(key) != label:
                    seen[key] = label
                    self._event(r.task, str(phase), report.message if report else "")
                return phase in (OperationPhase.SUCCEEDED, OperationPhase.FAILED)
            if obj is None:
                return False
            r.health = report.status if report else None
            label = report.status.value if report else "no health check"
            if seen.get(key) != label:
                seen[key] = label
                if report is not None:
                    self._event(r.task, report.status.value, report.message)
            if report is None or report.status == HealthStatus.HEALTHY:
                return True
            if report.status == HealthStatus.DEGRADED:
                r.status = ResultCode.SYNCED
                r.message = report.message
                return True
            return False

        # objects without the tracking label (the namespace of CreateNamespace=true) are
        # invisible to a watch by that label: watch everything of their kind instead
        track = all(self._tracked(r.task) for r in applied)
        left = self.waiter.wait(list(by_key), judge, deadline, track=track)
        self.release_hooks([r.task for r in applied if r.task.is_hook
                            and r.hook_phase in ("Succeeded", "Failed")])
        degraded = [r for r in applied if r.health == HealthStatus.DEGRADED]
        failed_hooks = [r for r in applied if r.task.is_hook and r.hook_phase == "Failed"]
        if degraded or failed_hooks:
            out.failed = True
            names = [_identity(r.task) for r in degraded + failed_hooks]
            out.message = ("one or more synchronization tasks completed unsuccessfully: "
                           + ", ".join(names))
            for r in failed_hooks:
                r.message = r.message if r.message != "created" else "hook failed"
        elif left:
            return self._timeout(out, f"waiting for {_names(left)}")
        return out


def _identity(task: Task) -> str:
    return ResourceKey(task.key.group, task.key.kind, task.key.namespace, task.name).identity


def _names(keys: set[ResourceKey]) -> str:
    shown = sorted(keys)[:3]
    more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
    return ", ".join(k.identity for k in shown) + more


def _without_rv(obj: dict[str, Any]) -> dict[str, Any]:
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": md}


def now() -> float:
    return time.monotonic()
