"""Service (``v1``), as Argo CD's health_service.go: only load balancers have something to await."""

from __future__ import annotations

from gitsync.health._obj import Obj, objects, text
from gitsync.health._report import healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Progressing while a LoadBalancer Service has no ingress address; else Healthy."""
    if text(obj, "spec", "type") != "LoadBalancer":
        return healthy()
    if objects(obj, "status", "loadBalancer", "ingress"):
        return healthy()
    return progressing("Waiting for the load balancer to assign an external address")
