"""The sync plan: phases, waves, kind order, hooks and prunes as a value you can print.

Pure: no I/O. ``sync --dry-run`` prints (:func:`render_tree`) the very :class:`SyncPlan` that
``sync`` executes (:func:`build_plan`).
"""

from gitsync.plan.build import build_plan
from gitsync.plan.filters import (
    ResourceFilter,
    is_selected,
    parse_resource_filter,
    parse_resource_filters,
)
from gitsync.plan.hooks import hook_name
from gitsync.plan.order import kind_rank, sort_key
from gitsync.plan.prune import mass_prune
from gitsync.plan.render import render_tree
from gitsync.plan.types import (
    Action,
    ManagedNamespace,
    PlanItem,
    PlanOptions,
    PropagationPolicy,
    Step,
    SyncPlan,
    Task,
)

__all__ = [
    "Action",
    "ManagedNamespace",
    "PlanItem",
    "PlanOptions",
    "PropagationPolicy",
    "ResourceFilter",
    "Step",
    "SyncPlan",
    "Task",
    "build_plan",
    "hook_name",
    "is_selected",
    "kind_rank",
    "mass_prune",
    "parse_resource_filter",
    "parse_resource_filters",
    "render_tree",
    "sort_key",
]
