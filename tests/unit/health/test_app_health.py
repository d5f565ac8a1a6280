"""Application health from resource health, and hook completion from hook health."""

from __future__ import annotations

import pytest

from gitsync.health import aggregate, hook_phase
from gitsync.model import HealthReport, HealthStatus, ResourceKey

H = HealthStatus

WEB = ResourceKey("apps", "Deployment", "prod", "web")
API = ResourceKey("apps", "Deployment", "prod", "api")
DB = ResourceKey("apps", "StatefulSet", "prod", "db")
CONFIG = ResourceKey("", "ConfigMap", "prod", "web-config")
ROLE = ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "web-reader")
CHILD = ResourceKey("argoproj.io", "Application", "argocd", "payments")


def r(status: HealthStatus, message: str = "") -> HealthReport:
    return HealthReport(status, message)


@pytest.mark.parametrize(("items", "status", "message"), [
    ([], H.HEALTHY, ""),
    ([(WEB, r(H.HEALTHY), False), (CONFIG, None, False)], H.HEALTHY, ""),
    ([(CONFIG, None, False)], H.HEALTHY, ""),
    ([(WEB, r(H.HEALTHY), False),
      (DB, r(H.PROGRESSING, "Waiting for 2 pods to be ready..."), False)],
     H.PROGRESSING, "Caused by StatefulSet/prod/db: Waiting for 2 pods to be ready..."),
    ([(WEB, r(H.PROGRESSING, "Waiting for rollout"), False),
      (DB, r(H.DEGRADED, "crash"), False)],
     H.DEGRADED, "Caused by StatefulSet/prod/db: crash"),
    ([(WEB, r(H.SUSPENDED, "Deployment is paused"), False), (API, r(H.HEALTHY), False)],
     H.SUSPENDED, "Caused by Deployment/prod/web: Deployment is paused"),
    ([(WEB, r(H.UNKNOWN), False), (DB, r(H.DEGRADED, "crash"), False)],
     H.UNKNOWN, "Caused by Deployment/prod/web"),
    # missing resources show per resource, not on the app, while anything else exists
    ([(WEB, None, True), (DB, r(H.HEALTHY), False)], H.HEALTHY, ""),
    ([(WEB, None, True), (CONFIG, None, False)], H.HEALTHY, ""),
    ([(WEB, r(H.MISSING), True), (ROLE, None, True)],
     H.MISSING, "Caused by Deployment/prod/web: missing; ClusterRole/web-reader: missing"),
    # a child app that has not reported yet does not degrade its parent
    ([(CHILD, r(H.UNKNOWN, "no status"), False), (WEB, r(H.HEALTHY), False)], H.HEALTHY, ""),
    ([(CHILD, r(H.MISSING), False)], H.HEALTHY, ""),
    ([(CHILD, r(H.DEGRADED, "Caused by Job/payments/migrate"), False)],
     H.DEGRADED, "Caused by Application/argocd/payments: Caused by Job/payments/migrate"),
], ids=["no-resources", "no-health-check-skipped", "only-no-health", "worst-wins",
        "degraded-beats-progressing", "suspended", "unknown-is-worst", "missing-not-counted",
        "missing-with-unchecked", "all-missing", "child-app-unknown-skipped",
        "child-app-missing-skipped", "child-app-degraded-counts"])
def test_aggregate(items: list[tuple[ResourceKey, HealthReport | None, bool]],
                   status: HealthStatus, message: str) -> None:
    assert aggregate(items) == HealthReport(status, message)


def test_aggregate_names_three_causes_in_key_order() -> None:
    pods = [ResourceKey("", "Pod", "prod", f"web-{i}") for i in (4, 2, 1, 3, 5)]
    report = aggregate((key, r(H.DEGRADED, "CrashLoopBackOff"), False) for key in pods)
    assert report == HealthReport(H.DEGRADED, (
        "Caused by Pod/prod/web-1: CrashLoopBackOff; Pod/prod/web-2: CrashLoopBackOff; "
        "Pod/prod/web-3: CrashLoopBackOff (and 2 more)"))


def test_aggregate_accepts_a_generator_once() -> None:
    report = aggregate(item for item in [(WEB, r(H.PROGRESSING, "x"), False)])
    assert report.status is H.PROGRESSING


@pytest.mark.parametrize(("report", "phase"), [
    (None, "Succeeded"),
    (r(H.HEALTHY), "Succeeded"),
    (r(H.PROGRESSING), "Running"),
    (r(H.SUSPENDED), "Running"),
    (r(H.MISSING), "Running"),
    (r(H.DEGRADED), "Failed"),
    (r(H.UNKNOWN), "Failed"),
], ids=["no-health-check", "healthy", "progressing", "suspended", "missing", "degraded",
        "unknown"])
def test_hook_phase(report: HealthReport | None, phase: str) -> None:
    assert hook_phase(report) == phase
