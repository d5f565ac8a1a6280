"""Event lines (text and JSON) and the reading of the last operation."""

from __future__ import annotations

import json

import pytest

from gitsync.history import OperationState
from gitsync.model.enums import OperationPhase
from gitsync.watch.decide import LastOp
from gitsync.watch.drift import last_op
from gitsync.watch.events import Change, Event, Kind

WEB = "Deployment/shop/web"

CHANGES: list[tuple[str, Change, str]] = [
    ("other-manager", Change(WEB, "spec.replicas", 3, 5, "kubectl-scale"),
     "Deployment/shop/web: kubectl-scale set spec.replicas 3 → 5"),
    ("unattributed", Change(WEB, "metadata.labels.tier", "web", None),
     "Deployment/shop/web: metadata.labels.tier is (absent), Git has web"),
    ("whole-object", Change(WEB, note="missing (deleted in the cluster?)"),
     "Deployment/shop/web: missing (deleted in the cluster?)"),
    ("structured-values", Change(WEB, "spec.template.spec.containers[name=web].env", [],
                                 [{"name": "A", "value": "1"}], "kubectl-edit"),
     'kubectl-edit set spec.template.spec.containers[name=web].env [] → '
     '[{"name":"A","value":"1"}]'),
    ("long-values-are-cut", Change(WEB, "data.x", "a" * 100, "b", "ops"), "aaa..."),
]


@pytest.mark.parametrize(("change", "text"), [c[1:] for c in CHANGES],
                         ids=[c[0] for c in CHANGES])
def test_change_text(change: Change, text: str) -> None:
    assert text in str(change)


def test_text_line_is_one_line_with_changes() -> None:
    ev = Event("shop-dev", Kind.HEAL_STARTED, "attempt 1",
               changes=(Change(WEB, "spec.replicas", 3, 5, "kubectl-scale"),),
               time="2024-05-01T12:00:00Z")
    assert ev.line() == ("2024-05-01T12:00:00Z shop-dev self-heal-started attempt 1: "
                         "Deployment/shop/web: kubectl-scale set spec.replicas 3 → 5")


def test_json_line_has_the_stable_keys_and_only_meaningful_others() -> None:
    ev = Event("shop-dev", Kind.SYNC_FINISHED, "ok", revision="abc", phase="Succeeded",
               time="2024-05-01T12:00:00Z")
    assert json.loads(ev.line("json")) == {
        "time": "2024-05-01T12:00:00Z", "app": "shop-dev", "event": "sync-finished",
        "message": "ok", "revision": "abc", "phase": "Succeeded"}
    heal = Event("a", Kind.HEAL_STARTED, changes=(
        Change(WEB, "spec.replicas", 3, 5, "kubectl-scale"), Change(WEB, note="gone")))
    assert json.loads(heal.line("json"))["changes"] == [
        {"resource": WEB, "path": "spec.replicas", "git": 3, "live": 5,
         "manager": "kubectl-scale"},
        {"resource": WEB, "note": "gone"}]


def op(phase: OperationPhase, message: str = "", dry_run: bool = False) -> OperationState:
    return OperationState(operation="sync", phase=phase, started_at="2024-05-01T12:00:00Z",
                          message=message, revision="r1", dry_run=dry_run)


LAST: list[tuple[str, OperationState | None, LastOp | None]] = [
    ("nothing-recorded", None, None),
    ("dry-runs-do-not-count", op(OperationPhase.SUCCEEDED, dry_run=True), None),
    ("succeeded", op(OperationPhase.SUCCEEDED, "ok"), LastOp("r1", True, False, "ok")),
    ("failed", op(OperationPhase.FAILED, "boom"), LastOp("r1", False, False, "boom")),
    ("error-is-a-failure", op(OperationPhase.ERROR, "x"), LastOp("r1", False, False, "x")),
    ("running-means-its-process-died", op(OperationPhase.RUNNING, "running"),
     LastOp("r1", False, True, "running")),
    ("stopped-by-a-signal", op(OperationPhase.FAILED, "interrupted (retried 1 times)"),
     LastOp("r1", False, True, "interrupted (retried 1 times)")),
]


@pytest.mark.parametrize(("state", "expected"), [c[1:] for c in LAST],
                         ids=[c[0] for c in LAST])
def test_last_op(state: OperationState | None, expected: LastOp | None) -> None:
    assert last_op(state) == expected
