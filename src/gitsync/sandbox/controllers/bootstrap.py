"""What a fresh kind-like cluster has beyond its namespaces: the node, the ``kubernetes``
Service and the default StorageClass. Created once at start (idempotent, after a restore too).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from gitsync.sandbox import meta
from gitsync.sandbox.controllers.base import Runtime
from gitsync.sandbox.controllers.podutil import NODE_IP, NODE_NAME

KUBELET = "kubelet"
APISERVER = "kube-apiserver"
NODE_LABELS = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": NODE_NAME,
    "kubernetes.io/os": "linux",
    "node-role.kubernetes.io/control-plane": "",
    "node.kubernetes.io/exclude-from-external-load-balancers": "",
}
_RESOURCES = {"cpu": "8", "ephemeral-storage": "102626232Ki", "hugepages-1Gi": "0",
              "hugepages-2Mi": "0", "memory": "16314500Ki", "pods": "110"}


def _fake_pem() -> str:
    """A stable PEM block shaped like the cluster CA (nothing in the sandbox verifies it)."""
    blob = b"".join(hashlib.sha512(f"gitsync-sandbox-ca-{i}".encode()).digest()
                    for i in range(12))
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


ROOT_CA = _fake_pem()


def _node_status(now: str) -> dict[str, Any]:
    def cond(ctype: str, status: str, reason: str, message: str) -> dict[str, Any]:
        return {"type": ctype, "status": status, "lastHeartbeatTime": now,
                "lastTransitionTime": now, "reason": reason, "message": message}
    return {
        "capacity": dict(_RESOURCES), "allocatable": dict(_RESOURCES),
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory",
                 "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure",
                 "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID",
                 "kubelet has sufficient PID available"),
            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [{"type": "InternalIP", "address": NODE_IP},
                      {"type": "Hostname", "address": NODE_NAME}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": hashlib.md5(NODE_NAME.encode()).hexdigest(),
            "systemUUID": meta.new_uid(), "bootID": meta.new_uid(),
            "kernelVersion": "6.8.0-45-generic",
            "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": "containerd://2.1.3",
            "kubeletVersion": "v1.34.0", "kubeProxyVersion": "",
            "operatingSystem": "linux", "architecture": "amd64"},
    }


def ensure(mgr: Runtime) -> None:
    """Create the node, the ``kubernetes`` Service and the ``standard`` StorageClass."""
    node_rt = mgr.rtype("", "v1", "nodes")
    if mgr.get(node_rt.key, "", NODE_NAME) is None:
        node = mgr.create(node_rt, "", {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": NODE_NAME, "labels": dict(NODE_LABELS), "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"],
                     "providerID": f"kind://docker/sandbox/{NODE_NAME}"}}, KUBELET)
        if node is not None:
            mgr.set_status(node_rt, node, _node_status(meta.now()), KUBELET)
    svc_rt = mgr.rtype("", "v1", "services")
    if mgr.get(svc_rt.key, "default", "kubernetes") is None:
        mgr.create(svc_rt, "default", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                     "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"],
                     "ipFamilyPolicy": "SingleStack",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                "targetPort": 6443}],
                     "sessionAffinity": "None", "type": "ClusterIP"}}, APISERVER)
    sc_rt = mgr.rtype("storage.k8s.io", "v1", "storageclasses")
    if mgr.get(sc_rt.key, "", "standard") is None:
        mgr.create(sc_rt, "", {
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {
                "storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate"}, "kubectl-create")
