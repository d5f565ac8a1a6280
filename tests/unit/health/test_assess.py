"""Health of live objects: one YAML fixture per rule branch, ``<kind>-<state>.yaml``.

Each fixture is a live object as the API returns it, plus a top-level ``expected:`` key with the
status (null when the kind has no health check) and the exact message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitsync.health import assess
from gitsync.model.yamldoc import parse_documents

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(FIXTURES.glob("*.yaml"))


def load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    # parse as Kubernetes does (timestamps stay strings), not as plain YAML would
    (doc,) = parse_documents(path.read_text(encoding="utf-8"))
    obj: dict[str, Any] = doc.value
    return obj, obj.pop("expected")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fixture(path: Path) -> None:
    obj, expected = load(path)
    report = assess(obj)
    if expected["status"] is None:
        assert report is None
    else:
        assert report is not None
        assert (report.status, report.message) == (expected["status"], expected["message"])


def test_there_is_a_fixture_for_every_rule_family() -> None:
    kinds = {p.name.split("-")[0] for p in FILES}
    assert len(FILES) >= 60
    assert {"deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob", "pod",
            "pvc", "service", "ingress", "hpa", "apiservice", "workflow",
            "application"} <= kinds


@pytest.mark.parametrize("obj", [
    {},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": "nope", "spec": [],
     "status": {"replicas": "3", "conditions": "x"}},
    {"apiVersion": "v1", "kind": "Pod", "status": {"phase": 7, "containerStatuses": [1, None]}},
    {"apiVersion": "batch/v1", "kind": "CronJob", "status": {
        "lastScheduleTime": "2024-05-01T02:00:00Z", "lastSuccessfulTime": "yesterday"}},
    {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"generation": True},
     "status": {"conditions": [None, {"type": "Ready", "status": "True"}]}},
], ids=["empty", "deployment-garbage", "pod-garbage", "cronjob-odd-time", "custom-garbage"])
def test_malformed_objects_never_raise(obj: dict[str, Any]) -> None:
    report = assess(obj)
    assert report is None or report.status


def test_a_check_that_trips_reports_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    from gitsync.health import checks

    def broken(obj: object) -> None:
        raise TypeError("unexpected list")

    monkeypatch.setitem(checks.CHECKS, ("apps", "Deployment"), (broken, None))
    report = assess({"apiVersion": "apps/v1", "kind": "Deployment"})
    assert report is not None
    assert (report.status, report.message) == ("Unknown", "cannot assess health: unexpected list")
