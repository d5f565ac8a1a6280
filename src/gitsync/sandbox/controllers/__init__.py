"""Simulated controllers: rollouts, jobs, pods, volumes, load balancers, namespaces, GC."""

from __future__ import annotations

import asyncio

from gitsync.sandbox.cluster import Cluster


class ControllerManager:
    """Reacts to store events and drives objects' status, scaled by the time scale."""

    def __init__(self, cluster: Cluster, loop: asyncio.AbstractEventLoop,
                 time_scale: float) -> None:
        self.cluster = cluster
        self.loop = loop
        self.time_scale = time_scale

    def start(self) -> None:
        self.cluster.bootstrap()

    def stop(self) -> None:
        pass
