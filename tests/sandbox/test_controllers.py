"""The simulated controllers, driven over HTTP with the official kubernetes client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, watch

from gitsync.sandbox.testing import SandboxHandle
from tests.sandbox.kubeclient import (
    Kube,
    condition,
    container,
    deployment,
    gone,
    pod_template,
    wait_for,
)

NS = "default"


@pytest.fixture
def kube(sandbox: SandboxHandle) -> Iterator[Kube]:
    k = Kube.connect(sandbox)
    yield k
    k.api.close()


def available(kube: Kube, name: str, replicas: int) -> Any:
    def probe() -> Any:
        d = kube.apps.read_namespaced_deployment(name, NS)
        c = condition(d, "Progressing")
        done = (d.status.available_replicas or 0) == replicas and c is not None \
            and c.reason == "NewReplicaSetAvailable"
        return d if done else None
    return wait_for(probe, what=f"deployment {name} available")


def owned_by(items: list[Any], owner: Any) -> list[Any]:
    return [i for i in items if any(r.uid == owner.metadata.uid and r.controller
                                    for r in i.metadata.owner_references or [])]


# --- cluster basics ---------------------------------------------------------------------------


def test_cluster_starts_with_node_service_and_namespace_defaults(kube: Kube) -> None:
    nodes = kube.core.list_node().items
    assert [n.metadata.name for n in nodes] == ["sandbox-control-plane"]
    ready = condition(nodes[0], "Ready")
    assert (ready.status, ready.reason) == ("True", "KubeletReady")
    svc = kube.core.read_namespaced_service("kubernetes", NS)
    assert svc.spec.cluster_ip == "10.96.0.1"
    assert svc.spec.ports[0].port == 443
    kube.core.create_namespace({"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": "team-a"}})
    for ns in ("default", "kube-system", "team-a"):
        wait_for(lambda: kube.core.list_namespaced_service_account(ns).items)  # noqa: B023
        assert kube.core.read_namespaced_service_account("default", ns).metadata.name == "default"
        cm = kube.core.read_namespaced_config_map("kube-root-ca.crt", ns)
        assert cm.data["ca.crt"].startswith("-----BEGIN CERTIFICATE-----")
    assert wait_for(lambda: kube.core.read_namespace("team-a").status.phase == "Active")


# --- deployments ------------------------------------------------------------------------------


def test_deployment_rolls_out_to_available(kube: Kube) -> None:
    kube.apps.create_namespaced_deployment(NS, deployment("web", replicas=3))
    d = available(kube, "web", 3)
    assert d.status.observed_generation == d.metadata.generation == 1
    assert (d.status.replicas, d.status.updated_replicas, d.status.ready_replicas) == (3, 3, 3)
    assert d.status.unavailable_replicas is None
    assert d.metadata.annotations["deployment.kubernetes.io/revision"] == "1"
    avail = condition(d, "Available")
    assert (avail.status, avail.reason, avail.message) == (
        "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    assert [c.type for c in d.status.conditions] == ["Available", "Progressing"]

    (rs,) = kube.apps.list_namespaced_replica_set(NS).items
    rs_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{rs_hash}"
    assert condition(d, "Progressing").message == \
        f'ReplicaSet "web-{rs_hash}" has successfully progressed.'
    (ref,) = rs.metadata.owner_references
    assert (ref.kind, ref.name, ref.uid, ref.controller) == ("Deployment", "web",
                                                            d.metadata.uid, True)
    assert rs.spec.selector.match_labels == {"app": "web", "pod-template-hash": rs_hash}
    assert rs.metadata.annotations["deployment.kubernetes.io/desired-replicas"] == "3"
    assert (rs.status.replicas, rs.status.ready_replicas, rs.status.available_replicas,
            rs.status.fully_labeled_replicas, rs.status.observed_generation) == (3, 3, 3, 3, 1)

    pods = kube.core.list_namespaced_pod(NS).items
    assert len(owned_by(pods, rs)) == 3
    for pod in pods:
        assert pod.metadata.name.startswith(f"web-{rs_hash}-")
        assert pod.status.phase == "Running"
        assert pod.spec.node_name == "sandbox-control-plane"
        assert pod.status.pod_ip.startswith("10.244.")
        assert pod.status.container_statuses[0].ready


def test_deployment_fail_outcome_exceeds_progress_deadline(kube: Kube) -> None:
    body = deployment("bad", replicas=2,
                      annotations={"sandbox.gitsync.io/outcome": "fail"})
    kube.apps.create_namespaced_deployment(NS, body)

    def timed_out() -> Any:
        d = kube.apps.read_namespaced_deployment("bad", NS)
        c = condition(d, "Progressing")
        return d if c is not None and c.reason == "ProgressDeadlineExceeded" else None
    d = wait_for(timed_out, what="ProgressDeadlineExceeded")
    (rs,) = kube.apps.list_namespaced_replica_set(NS).items
    prog = condition(d, "Progressing")
    assert prog.status == "False"
    assert prog.message == f'ReplicaSet "{rs.metadata.name}" has timed out progressing.'
    avail = condition(d, "Available")
    assert (avail.status, avail.reason) == ("False", "MinimumReplicasUnavailable")
    assert not d.status.available_replicas
    assert d.status.unavailable_replicas == 2
    pods = kube.core.list_namespaced_pod(NS).items
    assert len(pods) == 2
    for pod in pods:
        waiting = pod.status.container_statuses[0].state.waiting
        assert waiting is not None and waiting.reason == "CrashLoopBackOff"


@pytest.mark.parametrize("replicas", [5, 1, 0])
def test_scale_subresource_converges(kube: Kube, replicas: int) -> None:
    kube.apps.create_namespaced_deployment(NS, deployment("api", replicas=2))
    available(kube, "api", 2)
    kube.apps.patch_namespaced_deployment_scale("api", NS, {"spec": {"replicas": replicas}})

    def converged() -> Any:
        d = kube.apps.read_namespaced_deployment("api", NS)
        pods = kube.core.list_namespaced_pod(NS).items
        ok = (d.status.observed_generation == d.metadata.generation
              and (d.status.ready_replicas or 0) == replicas
              and (d.status.replicas or 0) == replicas and len(pods) == replicas)
        return d if ok else None
    d = wait_for(converged, what=f"{replicas} replicas")
    assert condition(d, "Available").status == "True"
    scale = kube.apps.read_namespaced_deployment_scale("api", NS)
    assert (scale.spec.replicas, scale.status.replicas) == (replicas, replicas)


def test_template_change_rolls_out_a_new_replicaset(kube: Kube) -> None:
    kube.apps.create_namespaced_deployment(NS, deployment("web", replicas=2))
    available(kube, "web", 2)
    patch = {"spec": {"template": {"spec": {"containers": [container(image="nginx:1.28")]}}}}
    kube.apps.patch_namespaced_deployment("web", NS, patch)

    def rolled() -> Any:
        d = kube.apps.read_namespaced_deployment("web", NS)
        done = d.metadata.annotations.get("deployment.kubernetes.io/revision") == "2" \
            and d.status.replicas == d.status.updated_replicas == 2 \
            and condition(d, "Progressing").reason == "NewReplicaSetAvailable"
        return d if done else None
    wait_for(rolled, what="second revision")
    sets = {rs.metadata.annotations["deployment.kubernetes.io/revision"]: rs
            for rs in kube.apps.list_namespaced_replica_set(NS).items}
    assert sets["1"].spec.replicas == 0 and sets["2"].spec.replicas == 2
    images = {p.spec.containers[0].image for p in kube.core.list_namespaced_pod(NS).items}
    assert images == {"nginx:1.28"}


def test_paused_deployment_does_not_roll_out(kube: Kube) -> None:
    kube.apps.create_namespaced_deployment(NS, deployment("idle", replicas=1, paused=True))
    d = wait_for(lambda: (lambda d: d if condition(d, "Progressing") else None)(
        kube.apps.read_namespaced_deployment("idle", NS)))
    prog = condition(d, "Progressing")
    assert (prog.status, prog.reason, prog.message) == ("Unknown", "DeploymentPaused",
                                                        "Deployment is paused")
    assert kube.apps.list_namespaced_replica_set(NS).items == []
    kube.apps.patch_namespaced_deployment("idle", NS, {"spec": {"paused": False}})
    available(kube, "idle", 1)


@pytest.mark.parametrize("annotations", [
    {"sandbox.gitsync.io/outcome": "maybe", "sandbox.gitsync.io/duration": "soon"},
    {"sandbox.gitsync.io/outcome": "", "sandbox.gitsync.io/duration": "-3"},
    {"sandbox.gitsync.io/duration": "nan"},
])
def test_invalid_annotations_fall_back_to_defaults(kube: Kube,
                                                   annotations: dict[str, str]) -> None:
    body = deployment("odd", replicas=1, annotations=annotations)
    body["spec"]["template"]["metadata"]["annotations"] = dict(annotations)
    kube.apps.create_namespaced_deployment(NS, body)
    available(kube, "odd", 1)


def test_nonzero_time_scale_takes_measurable_time(sandbox: SandboxHandle, kube: Kube) -> None:
    sandbox.set_time_scale(0.2)
    body = deployment("slow", replicas=2, annotations={"sandbox.gitsync.io/duration": "2"})
    start = time.monotonic()
    kube.apps.create_namespaced_deployment(NS, body)
    d = kube.apps.read_namespaced_deployment("slow", NS)
    assert not d.status or not d.status.available_replicas
    available(kube, "slow", 2)
    elapsed = time.monotonic() - start
    # pods become ready between 50% and 80% of the scaled duration (0.4 s here)
    assert 0.15 < elapsed < 3.0


# --- workloads --------------------------------------------------------------------------------


def job(name: str, outcome: str, backoff: int) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": backoff,
                     "template": pod_template({"job": name},
                                              {"sandbox.gitsync.io/outcome": outcome}, "Never")}}


@pytest.mark.parametrize(("outcome", "types", "reason", "message", "phase"), [
    ("succeed", ["SuccessCriteriaMet", "Complete"], "CompletionsReached",
     "Reached expected number of succeeded pods", "Succeeded"),
    ("fail", ["FailureTarget", "Failed"], "BackoffLimitExceeded",
     "Job has reached the specified backoff limit", "Failed"),
])
def test_job_finishes(kube: Kube, outcome: str, types: list[str], reason: str, message: str,
                      phase: str) -> None:
    kube.batch.create_namespaced_job(NS, job("task", outcome, backoff=2))
    final = types[-1]
    j = wait_for(lambda: (lambda j: j if condition(j, final) else None)(
        kube.batch.read_namespaced_job("task", NS)), what=final)
    assert [c.type for c in j.status.conditions] == types
    for c in j.status.conditions:
        assert (c.status, c.reason, c.message) == ("True", reason, message)
    assert j.status.start_time is not None
    assert (j.status.ready, j.status.terminating, j.status.active) == (0, 0, None)
    assert j.status.uncounted_terminated_pods is not None
    pods = kube.core.list_namespaced_pod(NS).items
    assert {p.status.phase for p in pods} == {phase}
    if outcome == "succeed":
        assert (j.status.succeeded, j.status.failed) == (1, None)
        assert j.status.completion_time is not None
    else:
        assert (j.status.succeeded, j.status.failed) == (None, 3)
        assert j.status.completion_time is None
        assert len(pods) == 3


@pytest.mark.parametrize(("restart", "outcome", "phase", "ready", "waiting"), [
    ("Always", "succeed", "Running", True, None),
    ("Never", "succeed", "Succeeded", False, None),
    ("OnFailure", "succeed", "Succeeded", False, None),
    ("Never", "fail", "Failed", False, None),
    ("Always", "fail", "Running", False, "CrashLoopBackOff"),
])
def test_pod_phases(kube: Kube, restart: str, outcome: str, phase: str, ready: bool,
                    waiting: str | None) -> None:
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {"sandbox.gitsync.io/outcome": outcome}},
            "spec": {"restartPolicy": restart, "containers": [container()]}}
    kube.core.create_namespaced_pod(NS, body)

    def settled() -> Any:
        pod = kube.core.read_namespaced_pod("p", NS)
        cs = (pod.status.container_statuses or [None])[0]
        if pod.status.phase != phase or cs is None:
            return None
        if waiting and not (cs.state.waiting and cs.state.waiting.reason == waiting):
            return None
        return pod
    pod = wait_for(settled, what=phase)
    assert pod.spec.node_name == "sandbox-control-plane"
    assert pod.status.host_ip == "172.18.0.2"
    assert pod.status.start_time is not None
    assert pod.status.pod_ip.startswith("10.244.")
    assert [c.type for c in pod.status.conditions] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert (condition(pod, "Ready").status == "True") is ready
    assert pod.status.container_statuses[0].image == "docker.io/library/nginx:1.27"
    if phase == "Succeeded":
        assert condition(pod, "Ready").reason == "PodCompleted"
        assert pod.status.container_statuses[0].state.terminated.reason == "Completed"
    if phase == "Failed":
        assert condition(pod, "Ready").reason == "PodFailed"
        assert pod.status.container_statuses[0].state.terminated.exit_code == 1
    if waiting:
        assert pod.status.container_statuses[0].restart_count == 1


def test_statefulset_and_daemonset_status(kube: Kube) -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 2, "serviceName": "db",
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": pod_template({"app": "db"}),
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "2Gi"}}}}]}}
    kube.apps.create_namespaced_stateful_set(NS, sts)
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": pod_template({"app": "agent"})}}
    kube.apps.create_namespaced_daemon_set(NS, ds)
    s = wait_for(lambda: (lambda s: s if s.status and s.status.ready_replicas == 2 else None)(
        kube.apps.read_namespaced_stateful_set("db", NS)))
    assert (s.status.replicas, s.status.current_replicas, s.status.updated_replicas,
            s.status.available_replicas, s.status.observed_generation) == (2, 2, 2, 2, 1)
    assert s.status.current_revision == s.status.update_revision
    assert s.status.update_revision.startswith("db-")
    names = sorted(p.metadata.name for p in kube.core.list_namespaced_pod(
        NS, label_selector="app=db").items)
    assert names == ["db-0", "db-1"]
    claims = wait_for(lambda: [c for c in kube.core.list_namespaced_persistent_volume_claim(
        NS).items if c.status.phase == "Bound"] if len(
        kube.core.list_namespaced_persistent_volume_claim(NS).items) == 2 else None)
    assert sorted(c.metadata.name for c in claims) == ["data-db-0", "data-db-1"]
    d = wait_for(lambda: (lambda d: d if d.status and d.status.number_ready == 1 else None)(
        kube.apps.read_namespaced_daemon_set("agent", NS)))
    assert (d.status.desired_number_scheduled, d.status.current_number_scheduled,
            d.status.updated_number_scheduled, d.status.number_available,
            d.status.number_misscheduled) == (1, 1, 1, 1, 0)


# --- storage and networking -------------------------------------------------------------------


def test_pvc_binds_to_a_provisioned_volume(kube: Kube) -> None:
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "3Gi"}}}}
    kube.core.create_namespaced_persistent_volume_claim(NS, pvc)
    claim = wait_for(lambda: (lambda c: c if c.status and c.status.phase == "Bound" else None)(
        kube.core.read_namespaced_persistent_volume_claim("data", NS)))
    assert claim.status.capacity == {"storage": "3Gi"}
    assert claim.status.access_modes == ["ReadWriteOnce"]
    assert claim.spec.volume_name == f"pvc-{claim.metadata.uid}"
    pv = kube.core.read_persistent_volume(claim.spec.volume_name)
    assert pv.status.phase == "Bound"
    assert (pv.spec.claim_ref.name, pv.spec.claim_ref.uid) == ("data", claim.metadata.uid)
    assert pv.spec.storage_class_name == "standard"
    assert client.StorageV1Api(kube.api).read_storage_class("standard").provisioner == \
        "rancher.io/local-path"
    kube.core.delete_namespaced_persistent_volume_claim("data", NS)
    wait_for(lambda: gone(lambda: kube.core.read_persistent_volume(pv.metadata.name)),
             what="volume reclaimed")


def test_load_balancer_service_and_ingress_get_addresses(kube: Kube) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "front"},
           "spec": {"type": "LoadBalancer", "selector": {"app": "front"},
                    "ports": [{"port": 80}]}}
    kube.core.create_namespaced_service(NS, svc)
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "www"},
           "spec": {"rules": [{"host": "www.example.com", "http": {"paths": [{
               "path": "/", "pathType": "Prefix",
               "backend": {"service": {"name": "front", "port": {"number": 80}}}}]}}]}}
    kube.networking.create_namespaced_ingress(NS, ing)

    def address(read: Any) -> str | None:
        lb = read().status.load_balancer
        return lb.ingress[0].ip if lb and lb.ingress else None
    svc_ip = wait_for(lambda: address(lambda: kube.core.read_namespaced_service("front", NS)))
    ing_ip = wait_for(lambda: address(
        lambda: kube.networking.read_namespaced_ingress("www", NS)))
    assert svc_ip.startswith("172.18.255.") and ing_ip.startswith("172.18.255.")
    assert svc_ip != ing_ip
    # back to ClusterIP, dropping what only external services may have (as kubectl edit would)
    live = kube.core.read_namespaced_service("front", NS)
    live.spec.type = "ClusterIP"
    live.spec.allocate_load_balancer_node_ports = None
    live.spec.external_traffic_policy = None
    for port in live.spec.ports:
        port.node_port = None
    kube.core.replace_namespaced_service("front", NS, live)
    wait_for(lambda: address(lambda: kube.core.read_namespaced_service("front", NS)) is None,
             what="address released")


# --- deletion ---------------------------------------------------------------------------------


def test_namespace_deletion_removes_its_contents(kube: Kube) -> None:
    kube.core.create_namespace({"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": "doomed"}})
    kube.apps.create_namespaced_deployment("doomed", deployment("web", replicas=2))
    kube.core.create_namespaced_config_map("doomed", {"apiVersion": "v1", "kind": "ConfigMap",
                                                      "metadata": {"name": "settings"}})
    wait_for(lambda: len(kube.core.list_namespaced_pod("doomed").items) == 2)
    kube.core.delete_namespace("doomed")
    wait_for(lambda: gone(lambda: kube.core.read_namespace("doomed")), what="namespace gone")
    for lister in (kube.core.list_namespaced_pod, kube.core.list_namespaced_config_map,
                   kube.apps.list_namespaced_deployment, kube.apps.list_namespaced_replica_set,
                   kube.core.list_namespaced_service_account):
        assert lister("doomed").items == []


def test_namespace_waits_for_finalizers_of_its_contents(kube: Kube) -> None:
    kube.core.create_namespace({"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": "held"}})
    kube.core.create_namespaced_config_map("held", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "keep", "finalizers": ["example.com/hold"]}})
    kube.core.delete_namespace("held")

    def stuck() -> Any:
        ns = kube.core.read_namespace("held")
        c = condition(ns, "NamespaceFinalizersRemaining")
        return ns if c is not None and c.status == "True" else None
    ns = wait_for(stuck)
    assert ns.status.phase == "Terminating"
    assert condition(ns, "NamespaceFinalizersRemaining").message == (
        "Some content in the namespace has finalizers remaining: "
        "example.com/hold in 1 resource instances")
    assert condition(ns, "NamespaceContentRemaining").message == (
        "Some resources are remaining: configmaps. has 1 resource instances")
    kube.core.patch_namespaced_config_map("keep", "held", {"metadata": {"finalizers": None}})
    wait_for(lambda: gone(lambda: kube.core.read_namespace("held")), what="namespace gone")


def _watch_deployment(kube: Kube, name: str, rv: str) -> list[tuple[str, Any]]:
    events = []
    w = watch.Watch()  # type: ignore[no-untyped-call]
    stream = w.stream(kube.apps.list_namespaced_deployment, NS,  # type: ignore[no-untyped-call]
                      resource_version=rv, field_selector=f"metadata.name={name}",
                      timeout_seconds=5)
    for ev in stream:
        events.append((ev["type"], ev["object"]))
        if ev["type"] == "DELETED":
            w.stop()  # type: ignore[no-untyped-call]
    return events


@pytest.mark.parametrize(("policy", "finalizer", "left"), [
    ("Background", None, 0),
    ("Foreground", "foregroundDeletion", 0),
    ("Orphan", "orphan", 3),
])
def test_propagation_policy(kube: Kube, policy: str, finalizer: str | None,
                            left: int) -> None:
    kube.apps.create_namespaced_deployment(NS, deployment("web", replicas=3))
    d = available(kube, "web", 3)
    (rs,) = kube.apps.list_namespaced_replica_set(NS).items
    kube.apps.delete_namespaced_deployment(
        "web", NS, body=client.V1DeleteOptions(propagation_policy=policy))
    events = _watch_deployment(kube, "web", d.metadata.resource_version)
    assert events[-1][0] == "DELETED"
    marked = [o for t, o in events if t == "MODIFIED" and o.metadata.deletion_timestamp]
    if finalizer:
        assert any(finalizer in (o.metadata.finalizers or []) for o in marked)
    else:
        assert marked == []

    def settled() -> Any:
        pods = kube.core.list_namespaced_pod(NS).items
        sets = kube.apps.list_namespaced_replica_set(NS).items
        return (sets, pods) if len(pods) == left and len(sets) == (1 if left else 0) else None
    sets, pods = wait_for(settled, what=f"{left} pods left")
    if policy == "Orphan":
        assert sets[0].metadata.uid == rs.metadata.uid
        assert sets[0].metadata.owner_references is None
        assert all(p.metadata.owner_references[0].uid == rs.metadata.uid for p in pods)


def test_foreground_deletion_without_dependents_finishes(kube: Kube) -> None:
    kube.core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "lonely"}})
    kube.core.delete_namespaced_config_map(
        "lonely", NS, body=client.V1DeleteOptions(propagation_policy="Foreground"))
    wait_for(lambda: gone(lambda: kube.core.read_namespaced_config_map("lonely", NS)))


def test_dependent_of_a_missing_owner_is_collected(kube: Kube) -> None:
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost",
           "uid": "00000000-0000-0000-0000-000000000000"}
    kube.core.create_namespaced_config_map(NS, {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "orphaned",
                                                             "ownerReferences": [ref]}})
    wait_for(lambda: gone(lambda: kube.core.read_namespaced_config_map("orphaned", NS)))


def test_custom_finalizer_keeps_object_terminating(kube: Kube) -> None:
    body = deployment("held", replicas=1)
    body["metadata"]["finalizers"] = ["example.com/hold"]
    kube.apps.create_namespaced_deployment(NS, body)
    available(kube, "held", 1)
    kube.apps.delete_namespaced_deployment("held", NS)
    d = kube.apps.read_namespaced_deployment("held", NS)
    assert d.metadata.deletion_timestamp is not None
    assert d.metadata.finalizers == ["example.com/hold"]
    # the controllers leave it alone: it is still there once they have had their turn
    wait_for(lambda: kube.core.list_namespaced_pod(NS).items)
    assert kube.apps.read_namespaced_deployment("held", NS).metadata.deletion_timestamp
    kube.apps.patch_namespaced_deployment("held", NS, {"metadata": {"finalizers": None}})
    wait_for(lambda: gone(lambda: kube.apps.read_namespaced_deployment("held", NS)))
    wait_for(lambda: kube.apps.list_namespaced_replica_set(NS).items == [],
             what="replica set collected")


# --- custom resources -------------------------------------------------------------------------


def test_crd_becomes_established(kube: Kube) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                              "shortNames": ["wd"]},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                        "openAPIV3Schema": {"type": "object",
                                            "x-kubernetes-preserve-unknown-fields": True}}}]}}
    kube.extensions.create_custom_resource_definition(crd)

    def established() -> Any:
        c = kube.extensions.read_custom_resource_definition("widgets.example.com")
        e = condition(c, "Established")
        return c if e is not None and e.status == "True" else None
    c = wait_for(established, what="Established")
    names = condition(c, "NamesAccepted")
    assert (names.status, names.reason, names.message) == ("True", "NoConflicts",
                                                           "no conflicts found")
    assert condition(c, "Established").reason == "InitialNamesAccepted"
    assert c.status.accepted_names.kind == "Widget"
    assert c.status.accepted_names.list_kind == "WidgetList"
    assert c.status.accepted_names.short_names == ["wd"]
    assert c.status.stored_versions == ["v1"]
    kube.custom.create_namespaced_custom_object("example.com", "v1", NS, "widgets", {
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}})
    assert kube.custom.get_namespaced_custom_object("example.com", "v1", NS, "widgets",
                                                    "w1")["metadata"]["name"] == "w1"
