"""``render_tree``: a plan as plain text, phase ▸ wave ▸ task; the CLI only adds colour.

The format is stable (tests pin it)::

    PreSync
      wave 0
        hook          Job/shop-dev/shop-backup
    Sync
      wave -5
        create        Service/shop-dev/postgres
        create        StatefulSet/shop-dev/postgres
      wave 0
        prune         Deployment/shop-dev/old  pruned (dry run)
        update        Deployment/shop-dev/web
    SyncFail (only if the sync fails)
        hook          Job/shop-dev/shop-alert
    Not applied
        prune-skipped Deployment/shop-dev/legacy  ignored (no prune)
        unchanged     ConfigMap/shop-dev/settings

- A phase line at column 0, a ``wave N`` line at 2 spaces, tasks at 4 spaces.
- A task is ``<action> <Kind/namespace/name>``, then two spaces and the message if there is one.
  The action is left-aligned in a column as wide as the longest action in the plan, at least 7.
- SyncFail hooks all start together, so they have no wave lines; nor do tasks that are listed
  but not applied (unchanged resources, skipped prunes), shown last under ``Not applied``
  in the same order as everything else.
- An empty plan renders as the single line ``Nothing to do``.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitsync.plan.types import SyncPlan, Task

SYNC_FAIL_TITLE = "SyncFail (only if the sync fails)"
SKIPPED_TITLE = "Not applied"
EMPTY = "Nothing to do"
_MIN_ACTION_WIDTH = 7


def _line(task: Task, width: int) -> str:
    text = f"    {task.action.value:<{width}} {task.identity}"
    return f"{text}  {task.message}" if task.message else text


def _section(title: str, tasks: Iterable[Task], width: int) -> list[str]:
    lines = [_line(t, width) for t in tasks]
    return [title, *lines] if lines else []


def render_tree(plan: SyncPlan) -> list[str]:
    """The plan as lines of text (no trailing newlines), in execution order."""
    tasks = plan.all_tasks
    if not tasks:
        return [EMPTY]
    width = max(_MIN_ACTION_WIDTH, *(len(t.action.value) for t in tasks))
    lines: list[str] = []
    phase = None
    for step in plan.steps:
        if step.phase != phase:
            phase = step.phase
            lines.append(phase.value)
        lines.append(f"  wave {step.wave}")
        lines.extend(_line(t, width) for t in step.tasks)
    lines += _section(SYNC_FAIL_TITLE, plan.sync_fail, width)
    lines += _section(SKIPPED_TITLE, plan.skipped, width)
    return lines
