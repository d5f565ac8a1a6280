"""The values a plan is made of: actions, input items, options, tasks, steps and the plan itself."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from gitsync.model.application import Application
from gitsync.model.enums import HookDeletePolicy, HookType, SyncPhase
from gitsync.model.resource import Resource, ResourceKey
from gitsync.plan.filters import ResourceFilter


class Action(StrEnum):
    """What a task does to its object."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    PRUNE = "prune"
    PRUNE_SKIPPED = "prune-skipped"
    HOOK = "hook"

    @property
    def is_prune(self) -> bool:
        return self in (Action.PRUNE, Action.PRUNE_SKIPPED)

    @property
    def is_skipped(self) -> bool:
        """Listed in the plan but never executed."""
        return self in (Action.UNCHANGED, Action.PRUNE_SKIPPED)


class PropagationPolicy(StrEnum):
    """Delete propagation for prunes and hook deletion (``PrunePropagationPolicy``)."""

    FOREGROUND = "foreground"
    BACKGROUND = "background"
    ORPHAN = "orphan"


@dataclass(frozen=True)
class PlanItem:
    """One object of the comparison: desired (None: prune candidate), live (None: missing)."""

    key: ResourceKey
    resource: Resource | None
    live: dict[str, Any] | None = None
    #: from the diff; only ``apply_out_of_sync_only`` looks at it
    modified: bool = True


@dataclass(frozen=True)
class ManagedNamespace:
    """The destination namespace to create (``CreateNamespace=true``) and what it must carry."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    #: the namespace as it is in the cluster, if it exists: decides create, update or nothing
    live: dict[str, Any] | None = None


@dataclass(frozen=True)
class PlanOptions:
    """How to plan one sync; every default is the one of ``argocd app sync`` without flags."""

    #: delete live objects that are no longer in Git (``--prune``)
    prune: bool = False
    #: prune tasks say "pruned (dry run)"; nothing else changes in the plan
    dry_run: bool = False
    #: ``ApplyOutOfSyncOnly=true``: resources the diff found unmodified are not applied
    apply_out_of_sync_only: bool = False
    #: app-level ``PruneLast=true``: every prune in one extra wave after the last Sync wave
    prune_last: bool = False
    #: app-level ``Prune=false``: keep every object unless its own sync-options say Prune=true
    prune_disabled: bool = False
    #: no hooks at all: ``--strategy apply``, rollback, self-heal; implied by resource_filters
    skip_hooks: bool = False
    #: selective sync (``--resource``); empty means the whole app
    resource_filters: tuple[ResourceFilter, ...] = ()
    propagation_policy: PropagationPolicy = PropagationPolicy.FOREGROUND
    #: add a PreSync task creating this namespace unless a manifest defines it
    create_namespace: ManagedNamespace | None = None
    #: the revision being synced; its first 7 characters name generateName hooks
    revision: str = ""
    #: operation start, unix seconds (UTC); names generateName hooks
    started_at: int = 0

    @property
    def hooks_enabled(self) -> bool:
        return not (self.skip_hooks or self.resource_filters)

    def with_app(self, app: Application) -> PlanOptions:
        """These options plus what the app's syncPolicy says (syncOptions, managed namespace)."""
        policy = app.sync_policy
        namespace = self.create_namespace
        if namespace is None and policy.option("CreateNamespace") == "true" \
                and app.destination.namespace:
            meta = policy.managed_namespace_metadata
            namespace = ManagedNamespace(
                app.destination.namespace,
                labels=dict(meta.labels) if meta else {},
                annotations=dict(meta.annotations) if meta else {})
        propagation = policy.option("PrunePropagationPolicy")
        return replace(
            self,
            apply_out_of_sync_only=self.apply_out_of_sync_only
            or policy.option("ApplyOutOfSyncOnly") == "true",
            prune_last=self.prune_last or policy.option("PruneLast") == "true",
            prune_disabled=self.prune_disabled or policy.option("Prune") == "false",
            propagation_policy=PropagationPolicy(propagation) if propagation
            else self.propagation_policy,
            create_namespace=namespace)


@dataclass(frozen=True)
class Task:
    """One thing the sync does to one object, in a phase and a wave."""

    #: identity of the object in the cluster (with the generated name for generateName hooks)
    key: ResourceKey
    phase: SyncPhase
    #: effective wave, after dependency bubbling, prune reversal and PruneLast
    wave: int
    action: Action
    #: what to apply (hooks: a copy carrying the final name); None for prunes
    resource: Resource | None = None
    live: dict[str, Any] | None = None
    hook_types: tuple[HookType, ...] = ()
    delete_policies: tuple[HookDeletePolicy, ...] = ()
    message: str = ""
    #: pruned in the trailing PruneLast wave
    prune_last: bool = False

    @property
    def name(self) -> str:
        """The final object name (generated for generateName hooks)."""
        return self.key.name

    @property
    def identity(self) -> str:
        return self.key.identity

    @property
    def is_hook(self) -> bool:
        return self.action is Action.HOOK


@dataclass(frozen=True)
class Step:
    """The tasks of one (phase, wave): prunes first, then applies grouped by kind order."""

    phase: SyncPhase
    wave: int
    tasks: tuple[Task, ...]

    @property
    def prunes(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.action is Action.PRUNE)

    @property
    def applies(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if not t.action.is_prune)


@dataclass(frozen=True)
class SyncPlan:
    """What a sync will do, in execution order; ``sync --dry-run`` prints exactly this."""

    steps: tuple[Step, ...] = ()
    #: SyncFail hooks: run together, and only when the sync fails
    sync_fail: tuple[Task, ...] = ()
    #: listed but never executed: unchanged resources and skipped prunes
    skipped: tuple[Task, ...] = ()
    propagation_policy: PropagationPolicy = PropagationPolicy.FOREGROUND

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task a successful sync executes, in order."""
        return tuple(t for step in self.steps for t in step.tasks)

    @property
    def all_tasks(self) -> tuple[Task, ...]:
        """Executed tasks, then SyncFail hooks, then skipped tasks."""
        return self.tasks + self.sync_fail + self.skipped

    @property
    def hooks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.is_hook) + self.sync_fail

    @property
    def prunes(self) -> tuple[Task, ...]:
        """Objects that will be deleted (skipped prunes excluded)."""
        return tuple(t for t in self.tasks if t.action is Action.PRUNE)

    @property
    def is_empty(self) -> bool:
        """Nothing to execute (skipped tasks and SyncFail hooks do not count)."""
        return not self.steps

    def counts(self) -> dict[Action, int]:
        """Number of tasks per action over the whole plan, in Action order, zeros left out."""
        found = [t.action for t in self.all_tasks]
        return {a: found.count(a) for a in Action if a in found}
