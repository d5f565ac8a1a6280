"""The controller manager's lifecycle: time scale changes, restored state, stopping."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gitsync.sandbox.cluster import Cluster, WriteOptions
from gitsync.sandbox.controllers import ControllerManager
from gitsync.sandbox.runtime import Sandbox, SandboxConfig
from gitsync.sandbox.testing import SandboxHandle, running_sandbox
from tests.sandbox.kubeclient import Kube, condition, deployment, wait_for

NS = "default"


def _pods_started(kube: Kube, count: int) -> Any:
    pods = kube.core.list_namespaced_pod(NS).items
    started = [p for p in pods if p.status and p.status.start_time]
    return pods if len(started) == count else None


def test_lowering_the_time_scale_speeds_up_running_rollouts(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, time_scale=1000.0) as sandbox:
        kube = Kube.connect(sandbox)
        kube.apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
        pods = wait_for(lambda: _pods_started(kube, 2), what="pods started")
        # at this scale the containers would take over half an hour to start
        assert {p.status.phase for p in pods} == {"Pending"}
        assert not kube.apps.read_namespaced_deployment("web", NS).status.available_replicas
        sandbox.set_time_scale(0)
        d = wait_for(lambda: (lambda d: d if d.status.available_replicas == 2 else None)(
            kube.apps.read_namespaced_deployment("web", NS)), what="available")
        assert condition(d, "Available").status == "True"
        kube.api.close()


def test_controllers_resume_after_restoring_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Sandbox(SandboxConfig(time_scale=1000.0, state_file=state))
    with first:
        kube = Kube.connect(SandboxHandle(first, first.write_kubeconfig(tmp_path / "kc1")))
        kube.apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
        wait_for(lambda: _pods_started(kube, 2), what="pods started")
        kube.api.close()
    second = Sandbox(SandboxConfig(time_scale=0.0, state_file=state))
    with second:
        kube = Kube.connect(SandboxHandle(second, second.write_kubeconfig(tmp_path / "kc2")))
        d = wait_for(lambda: (lambda d: d if d.status.available_replicas == 2 else None)(
            kube.apps.read_namespaced_deployment("web", NS)), what="available after restore")
        assert condition(d, "Progressing").reason == "NewReplicaSetAvailable"
        pods = kube.core.list_namespaced_pod(NS).items
        assert len(pods) == 2
        assert len({p.status.pod_ip for p in pods}) == 2
        assert len(kube.core.list_node().items) == 1
        kube.api.close()


def test_stop_cancels_pending_timers() -> None:
    loop = asyncio.new_event_loop()
    try:
        cluster = Cluster()
        mgr = ControllerManager(cluster, loop, time_scale=1000.0)
        mgr.start()
        pods = cluster.registry.get("", "v1", "pods")
        assert pods is not None
        cluster.create(pods, NS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}},
                       WriteOptions("test"))
        # let the scheduler and kubelet steps run; the container start is then a far timer
        loop.run_until_complete(asyncio.sleep(0.05))
        pod = cluster.store.get(pods.key, NS, "p")
        assert pod is not None and pod.obj["status"]["phase"] == "Pending"
        assert any(not h.cancelled() for _, h in mgr._pending.values())
        handles = [h for _, h in mgr._pending.values()]
        mgr.stop()
        assert mgr._pending == {} and all(h.cancelled() for h in handles)
        assert mgr.on_event not in cluster.store.listeners
    finally:
        loop.close()
