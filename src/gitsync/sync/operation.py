"""One sync operation: lock, compare, plan, run the steps, hooks' fate, record the outcome.

Order of a run (DESIGN.md §2): lock ▸ PreSync ▸ waves (apply in parallel ▸ wait healthy) ▸
PostSync (SyncFail on failure) ▸ prune (interleaved by wave) ▸ record history and operation ▸
unlock. Retries re-resolve the target revision, so a newer commit replaces a failing one.
"""

from __future__ import annotations

import getpass
import socket
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from gitsync.compare import AppState, CompareOptions, compare_app, compare_desired
from gitsync.compare.app import Desired
from gitsync.diff import IgnoreRules
from gitsync.diff.respect import respect_ignored
from gitsync.errors import InvalidInputError, OperationFailedError
from gitsync.history import (
    HistoryEntry,
    HistoryStore,
    Initiator,
    LeaseLock,
    OperationState,
    ResourceCounts,
    ResourceResult,
    Source,
    acquire,
)
from gitsync.kube import Cluster, KubeError
from gitsync.model import annotations as ann
from gitsync.model.application import Application
from gitsync.model.enums import HookDeletePolicy, OperationPhase, ResultCode
from gitsync.model.project import AppProject
from gitsync.model.resource import Resource, ResourceKey
from gitsync.plan import (
    Action,
    PlanItem,
    PlanOptions,
    SyncPlan,
    build_plan,
    mass_prune,
    parse_resource_filter,
)
from gitsync.ports import Reporter
from gitsync.sync.request import SyncRequest
from gitsync.sync.steps import StepOutcome, StepRunner, TaskResult


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def initiator(automated: bool = False) -> Initiator:
    """Who started this operation: ``user@host``, or ``automated``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Initiator(username="automated" if automated else user, host=socket.gethostname(),
                     automated=automated)


@dataclass
class Outcome:
    """What an operation did: its recorded state, the plan it ran, and the comparison."""

    state: OperationState
    plan: SyncPlan | None = None
    compared: AppState | None = None
    results: list[TaskResult] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.state.phase == OperationPhase.SUCCEEDED


class Operation:
    """Runs one operation on one app; ``stop`` is set by Ctrl-C / SIGTERM handlers."""

    def __init__(self, app: Application, project: AppProject, cluster: Cluster,
                 request: SyncRequest, reporter: Reporter,
                 stop: threading.Event | None = None, history_namespace: str = "gitsync-system",
                 lock: LeaseLock | None = None) -> None:
        self.app = app
        self.project = project
        self.cluster = cluster
        self.request = request
        self.reporter = reporter
        self.stop = stop or threading.Event()
        self.store = HistoryStore(cluster, namespace=history_namespace)
        self.who = initiator(request.automated)
        #: the app's Lease when the caller already holds it (the watch loop); not released here
        self.lock = lock

    # --- the whole operation, with retries --------------------------------------------------

    def run(self) -> Outcome:
        started = time.monotonic()
        deadline = started + self.request.timeout if self.request.timeout else None
        if self.request.dry_run:
            return self._attempt(_now(), deadline, 0)
        held: AbstractContextManager[LeaseLock] = (
            nullcontext(self.lock) if self.lock is not None else
            acquire(self.cluster, self.app.name, wait=self.request.wait_lock,
                    namespace=self.store.namespace))
        with held as lock:
            lock.keep_alive()
            retries = 0
            while True:
                outcome = self._attempt(_now(), deadline, retries)
                retry = self.request.retry
                if outcome.succeeded or self.stop.is_set() or retry is None \
                        or not retry.allows(retries) or _past(deadline):
                    break
                wait = retry.delay(retries)
                retries += 1
                self.reporter.info(f"retrying in {wait:g}s (attempt {retries + 1}): "
                                   f"{outcome.state.message}")
                if self.stop.wait(wait):
                    break
            if retries and not outcome.succeeded:
                outcome.state = replace(outcome.state, message=f"{outcome.state.message} "
                                                               f"(retried {retries} times)")
                self.store.record_operation(self.app.name, outcome.state)
            return outcome

    # --- one attempt ------------------------------------------------------------------------

    def _compare(self) -> AppState:
        opts = CompareOptions(revision=self.request.revision, offline=self.request.offline)
        if self.request.manifests is None:
            return compare_app(self.app, self.project, self.cluster, opts)
        from gitsync.sync.rollback import desired_from_manifests
        desired: Desired = desired_from_manifests(self.app, self.project, self.cluster,
                                                  self.request)
        return compare_desired(self.app, self.cluster, desired, opts)

    def _plan(self, compared: AppState, started: str) -> SyncPlan:
        items = []
        # ignored fields keep their live values when asked, and always when healing drift:
        # ignoreDifferences fields are never reverted
        respect = (self.app.sync_policy.option("RespectIgnoreDifferences") == "true"
                   or self.request.operation == "self-heal") and bool(self.app.ignore_differences)
        with IgnoreRules.compile(self.app.ignore_differences if respect else ()) as rules:
            for r in compared.resources:
                if self.request.only and r.key.identity not in self.request.only:
                    continue
                desired = r.desired
                if respect and desired is not None and not r.hook:
                    obj = respect_ignored(desired.obj, r.live, rules.for_resource(r.key))
                    desired = Resource(obj, desired.origin, desired.extra)
                items.append(PlanItem(key=r.key, resource=desired, live=r.live,
                                      modified=bool(r.diff and r.diff.modified) or r.hook))
        filters = tuple(parse_resource_filter(f) for f in self.request.resources)
        opts = PlanOptions(
            prune=self.request.prune, dry_run=self.request.dry_run,
            apply_out_of_sync_only=bool(self.request.only),
            skip_hooks=self.request.skip_hooks or bool(self.request.only),
            resource_filters=filters, revision=compared.revision.sha,
            started_at=int(datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ")
                           .replace(tzinfo=UTC).timestamp())).with_app(self.app)
        if opts.create_namespace is not None:
            live = self.cluster.get(ResourceKey("", "Namespace", "", opts.create_namespace.name))
            opts = replace(opts, create_namespace=replace(opts.create_namespace, live=live))
        return build_plan(items, opts)

    def _attempt(self, started: str, deadline: float | None, retries: int) -> Outcome:
        compared = self._compare()
        plan = self._plan(compared, started)
        state = OperationState(
            operation=self.request.operation, phase=OperationPhase.RUNNING,
            message="running", revision=compared.revision.sha,
            target_revision=(self.request.target_revision or self.request.revision
                             or self.app.source.target_revision),
            started_at=started, finished_at=None, dry_run=self.request.dry_run,
            prune=self.request.prune, initiated_by=self.who, reason=self.request.reason,
            retry_count=retries, resources=(), rollback_of=self.request.rollback_of)
        if self.request.dry_run:
            return self._dry_run(state, plan, compared)
        self._check_prune(plan, compared)
        shared = [r for r in compared.managed if r.shared_with]
        if shared and self.app.sync_policy.option("FailOnSharedResource") == "true":
            names = ", ".join(f"{r.key.identity} is part of applications {self.app.name} and "
                              f"{r.shared_with}" for r in shared[:3])
            state = replace(state, phase=OperationPhase.FAILED, finished_at=_now(),
                            message=f"Shared resource found: {names}")
            self.store.record_operation(self.app.name, state)
            return Outcome(state, plan, compared, [])
        self.store.record_operation(self.app.name, state)
        runner = StepRunner(self.cluster, self.app.name, self.reporter, self.stop,
                            propagation=self.app.sync_policy.option("PrunePropagationPolicy")
                            or "foreground",
                            replace_all=self.app.sync_policy.option("Replace") == "true")
        results: list[TaskResult] = []
        failure: StepOutcome | None = None
        steps = list(plan.steps)
        for i, step in enumerate(steps):
            if self.stop.is_set():
                failure = StepOutcome(failed=True, message="interrupted")
                break
            self.reporter.info(f"{step.phase.value} ▸ wave {step.wave}")
            last = i == len(steps) - 1
            outcome = runner.run(step, deadline, wait=not (last and self.request.asynchronous))
            results += outcome.results
            if outcome.failed:
                failure = outcome
                break
        hooks = [r.task for r in results if r.task.is_hook]
        if failure is None:
            runner.delete_hooks([t for t in hooks
                                 if HookDeletePolicy.HOOK_SUCCEEDED in t.delete_policies])
            phase, message = OperationPhase.SUCCEEDED, "successfully synced (all tasks run)"
        else:
            running = [r.task for r in results if r.task.is_hook and r.hook_phase == "Running"]
            if running:
                runner.delete_hooks(running)  # terminate, as Argo CD does on failure
            runner.delete_hooks([t for t in hooks
                                 if HookDeletePolicy.HOOK_FAILED in t.delete_policies])
            phase, message = OperationPhase.FAILED, failure.message
            if plan.sync_fail and not failure.timed_out and not self.stop.is_set():
                message = self._sync_fail(plan, runner, results, message, deadline)
        results += [TaskResult(t, ResultCode.PRUNE_SKIPPED if t.action == Action.PRUNE_SKIPPED
                               else ResultCode.SYNCED, t.message or "unchanged")
                    for t in plan.skipped]
        state = replace(state, phase=phase, message=message, finished_at=_now(),
                        resources=tuple(_result(r) for r in results))
        entry = None
        if phase == OperationPhase.SUCCEEDED and self._full():
            entry = self._entry(state, plan)
        self.store.finish(self.app.name, state, entry, self.app.revision_history_limit)
        return Outcome(state, plan, compared, results)

    def _sync_fail(self, plan: SyncPlan, runner: StepRunner, results: list[TaskResult],
                   message: str, deadline: float | None) -> str:
        self.reporter.info("SyncFail hooks")
        from gitsync.model.enums import SyncPhase
        from gitsync.plan import Step
        outcome = runner.run(Step(SyncPhase.SYNC_FAIL, 0, plan.sync_fail), deadline)
        results += outcome.results
        if outcome.failed:
            message += "; one or more SyncFail hooks failed"
        runner.delete_hooks([t for t in plan.sync_fail
                             if HookDeletePolicy.HOOK_SUCCEEDED in t.delete_policies
                             and not outcome.failed])
        return message

    def _full(self) -> bool:
        """History records only full syncs (not selective, not self-heal), as Argo CD."""
        return not self.request.resources and not self.request.only

    def _check_prune(self, plan: SyncPlan, compared: AppState) -> None:
        total = len(compared.managed)
        if mass_prune(plan, total) and not self.request.allow_mass_prune:
            n = len(plan.prunes)
            raise InvalidInputError(
                f"refusing to prune {n} of {total} resources of {self.app.name} without "
                f"confirmation", hint="check the diff (gitsync app diff), then pass --yes or "
                                      "--allow-mass-prune")

    def _dry_run(self, state: OperationState, plan: SyncPlan, compared: AppState) -> Outcome:
        """Validate every apply with a server-side dry run; write nothing, record nothing."""
        results = []
        failed = []
        new_namespaces = {t.key.name for t in plan.all_tasks
                          if t.key.kind == "Namespace" and t.key.group == ""
                          and t.action == Action.CREATE}
        types = self.cluster.discover()
        for task in plan.all_tasks:
            if task.action in (Action.CREATE, Action.UPDATE, Action.HOOK) and task.resource:
                obj = task.resource.obj
                if types.get(task.key.group, task.key.kind) is None:
                    # its CRD is part of this sync: the server cannot check it yet
                    results.append(TaskResult(task, ResultCode.SYNCED,
                                              "dry run skipped: kind not yet served"))
                    continue
                if task.key.namespace in new_namespaces:
                    # the namespace comes with this sync: validate the object in "default"
                    obj = {**obj, "metadata": {**obj["metadata"], "namespace": "default"}}
                try:
                    if task.is_hook and task.live is not None and \
                            HookDeletePolicy.BEFORE_HOOK_CREATION in task.delete_policies:
                        # the sync deletes the old hook first: check this one as a new object
                        # (applied onto the old one, a changed Job template is "immutable")
                        self.cluster.create(_as_new(obj), dry_run=True)
                    else:
                        self.cluster.apply(obj, dry_run=True)
                    results.append(TaskResult(task, ResultCode.SYNCED, "dry run"))
                except KubeError as exc:
                    failed.append(exc.message)
                    results.append(TaskResult(task, ResultCode.SYNC_FAILED, exc.message))
            elif task.action == Action.PRUNE:
                results.append(TaskResult(task, ResultCode.PRUNED, "pruned (dry run)"))
            elif task.action == Action.PRUNE_SKIPPED:
                results.append(TaskResult(task, ResultCode.PRUNE_SKIPPED, task.message))
            elif task.action == Action.UNCHANGED:
                results.append(TaskResult(task, ResultCode.SYNCED, "unchanged"))
        phase = OperationPhase.FAILED if failed else OperationPhase.SUCCEEDED
        message = ("one or more objects failed to apply (dry run): " + "; ".join(failed)
                   if failed else "dry run: nothing was written")
        state = replace(state, phase=phase, message=message, finished_at=_now(),
                        resources=tuple(_result(r) for r in results))
        return Outcome(state, plan, compared, results)

    def _entry(self, state: OperationState, plan: SyncPlan) -> HistoryEntry:
        # only the app's own objects: the namespace of CreateNamespace=true carries no tracking
        # label, and a rollback (which tracks what it applies) must not make it prunable
        manifests = tuple(t.resource.obj for t in plan.tasks + plan.skipped
                          if t.resource is not None and not t.is_hook
                          and _labels(t.resource.obj).get(ann.TRACKING_LABEL) == self.app.name)
        return HistoryEntry(
            id=0, revision=state.revision, target_revision=state.target_revision,
            source=Source(self.app.source.repo_url, self.app.source.path),
            deploy_started_at=state.started_at, deployed_at=state.finished_at or "",
            initiated_by=self.who, reason=self.request.reason,
            result=OperationPhase.SUCCEEDED, rollback_of=self.request.rollback_of,
            counts=ResourceCounts.of(state.resources), manifests=manifests)


def _result(r: TaskResult) -> ResourceResult:
    t = r.task
    return ResourceResult(
        group=t.key.group, version=_version(t), kind=t.key.kind, namespace=t.key.namespace,
        name=t.name, status=r.status, message=r.message,
        hook_type=t.hook_types[0] if t.is_hook and t.hook_types else None,
        hook_phase=OperationPhase(r.hook_phase) if r.hook_phase else None,
        sync_phase=t.phase, wave=t.wave)


def _as_new(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` under a name the server generates, so a dry run checks it as a creation."""
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "name"}
    md["generateName"] = f"{(obj.get('metadata') or {}).get('name', '')}-"
    return {**obj, "metadata": md}


def _labels(obj: dict[str, Any]) -> dict[str, Any]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def _version(t: Any) -> str:
    obj = t.resource.obj if t.resource is not None else (t.live or {})
    return str(obj.get("apiVersion") or "").rpartition("/")[2]


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def ensure_not_automated(app: Application, what: str) -> None:
    """Rollback (and syncing another revision) is refused while automated sync is on."""
    if app.sync_policy.is_automated:
        raise OperationFailedError(
            f"{what} cannot be initiated when automated sync is enabled for {app.name}",
            hint="disable spec.syncPolicy.automated (or set automated.enabled: false) first")
