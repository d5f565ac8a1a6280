"""Ingress (``networking.k8s.io``, ``extensions``), as Argo CD's health_ingress.go."""

from __future__ import annotations

from gitsync.health._obj import Obj, objects
from gitsync.health._report import healthy, progressing
from gitsync.model import HealthReport


def assess(obj: Obj) -> HealthReport:
    """Healthy once the ingress controller has published an address in the status."""
    if objects(obj, "status", "loadBalancer", "ingress"):
        return healthy()
    return progressing("Waiting for the ingress controller to assign an address")
