"""Simulated controllers: rollouts, jobs, pods, volumes, load balancers, namespaces, GC.

Everything runs on the server's event loop. Store listeners only index and enqueue; work runs
later, with every delay multiplied by ``time_scale`` (0: as soon as the loop gets to it).
"""

from __future__ import annotations

import asyncio

from gitsync.sandbox.cluster import Cluster
from gitsync.sandbox.controllers import bootstrap
from gitsync.sandbox.controllers.autoscaling import HPAController
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.controller import Controller
from gitsync.sandbox.controllers.customresources import CRDController
from gitsync.sandbox.controllers.daemonsets import DaemonSetController
from gitsync.sandbox.controllers.deployments import DeploymentController
from gitsync.sandbox.controllers.gc import GarbageCollector
from gitsync.sandbox.controllers.jobs import JobController
from gitsync.sandbox.controllers.namespaces import NamespaceController
from gitsync.sandbox.controllers.network import (
    AddressPool,
    IngressController,
    ServiceController,
)
from gitsync.sandbox.controllers.pods import PodController
from gitsync.sandbox.controllers.replicasets import ReplicaSetController
from gitsync.sandbox.controllers.statefulsets import StatefulSetController
from gitsync.sandbox.controllers.storage import ClaimController, VolumeController

__all__ = ["ControllerManager"]


class ControllerManager(Runtime):
    """Reacts to store events and drives objects' status, scaled by the time scale."""

    def __init__(self, cluster: Cluster, loop: asyncio.AbstractEventLoop,
                 time_scale: float) -> None:
        super().__init__(cluster, loop, time_scale)
        self.controllers: list[Controller] = []

    def start(self) -> None:
        """Bootstrap the cluster's standard objects and reconcile everything stored once."""
        if self.running:
            return
        if not self.controllers:
            pool = AddressPool()
            self.controllers = [
                NamespaceController(self), GarbageCollector(self), PodController(self),
                ReplicaSetController(self), DeploymentController(self),
                StatefulSetController(self), DaemonSetController(self), JobController(self),
                ClaimController(self), VolumeController(self),
                ServiceController(self, pool, "v1"),
                IngressController(self, pool, "v1"), CRDController(self),
                HPAController(self)]
            for ctrl in self.controllers:
                self.register(ctrl)
        # objects loaded from a state file produced no events: index them up front
        self.index.rebuild(self.cluster.store)
        self.cluster.store.listeners.append(self.on_event)
        self.running = True
        self.cluster.bootstrap()
        bootstrap.ensure(self)
        self.resync()

    def resync(self) -> None:
        """Re-index and reconcile every stored object once (start-up, or after a restore)."""
        self.index.rebuild(self.cluster.store)
        for ctrl in self.controllers:
            ctrl.resync()

    def stop(self) -> None:
        """Stop reacting and cancel every pending timer."""
        self.running = False
        if self.on_event in self.cluster.store.listeners:
            self.cluster.store.listeners.remove(self.on_event)
        self.cancel_all()
