"""How a sync is shown: the plan tree of ``--dry-run``, and the final summary table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gitsync.cli.app.common import Output, dump

if TYPE_CHECKING:
    from gitsync.cli.console import Console
    from gitsync.history import OperationState
    from gitsync.sync import Outcome


def _duration(state: OperationState) -> str:
    try:
        start = datetime.strptime(state.started_at, "%Y-%m-%dT%H:%M:%SZ")
        end = datetime.strptime(state.finished_at or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""
    return f"{int((end - start).total_seconds())}s"


def state_data(state: OperationState) -> dict[str, Any]:
    return {
        "operation": state.operation, "phase": state.phase.value, "message": state.message,
        "revision": state.revision, "targetRevision": state.target_revision,
        "startedAt": state.started_at, "finishedAt": state.finished_at,
        "dryRun": state.dry_run, "retryCount": state.retry_count,
        "initiatedBy": {"username": state.initiated_by.username,
                        "host": state.initiated_by.host,
                        "automated": state.initiated_by.automated},
        "resources": [{"group": r.group, "version": r.version, "kind": r.kind,
                       "namespace": r.namespace, "name": r.name, "status": r.status.value,
                       "message": r.message,
                       "hookType": r.hook_type.value if r.hook_type else None,
                       "hookPhase": r.hook_phase.value if r.hook_phase else None,
                       "syncPhase": r.sync_phase.value, "wave": r.wave}
                      for r in state.resources],
    }


def print_summary(console: Console, outcome: Outcome, output: Output) -> None:
    state = outcome.state
    if output in (Output.JSON, Output.YAML):
        data = state_data(state)
        console.result(json.dumps(data, indent=2) if output == Output.JSON
                       else dump(data, output))
        return
    health: dict[tuple[str, str, str], str] = {}
    for t in outcome.results:
        if t.health is not None:
            health[(t.task.key.kind, t.task.key.namespace, t.task.name)] = t.health.value
    lines = [("Operation", state.operation.capitalize()), ("Sync Revision", state.revision),
             ("Phase", state.phase.value), ("Start", state.started_at),
             ("Finished", state.finished_at or ""), ("Duration", _duration(state)),
             ("Message", state.message)]
    for label, value in lines:
        console.result(f"{label + ':':<19} {value}")
    console.result("")
    rows = []
    for r in state.resources:
        status = r.hook_phase.value if r.hook_type and r.hook_phase else r.status.value
        rows.append([r.group, r.kind, r.namespace, r.name, status,
                     health.get((r.kind, r.namespace, r.name), ""),
                     r.hook_type.value if r.hook_type else "", r.message])
    console.table(["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK",
                   "MESSAGE"], rows)
