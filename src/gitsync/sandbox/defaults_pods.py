"""Defaults of pod specs and what they contain, as ``pkg/apis/core/v1/defaults.go`` sets them.

These run inside every object that embeds a pod template (Deployments, Jobs, ...), so they set
only what ``SetDefaults_PodSpec`` sets, not what is reserved for Pods themselves.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gitsync.sandbox import quantity

Obj = dict[str, Any]

DEFAULT_MODE = 420  # 0644


def obj(parent: Obj, key: str) -> Obj:
    """``parent[key]`` as a dict, created when missing or null."""
    v = parent.get(key)
    if not isinstance(v, dict):
        v = {}
        parent[key] = v
    return v


def dicts(v: Any) -> list[Obj]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def set_if_missing(o: Obj, key: str, value: Any) -> None:
    """Set ``key`` when missing or null (a pointer left nil)."""
    if o.get(key) is None:
        o[key] = value


def image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or no tag, ``IfNotPresent`` otherwise (digests count as tags)."""
    name = image
    if "@" in name:
        name = name.split("@", 1)[0]
        tag = ""
        last = name.rsplit("/", 1)[-1]
        if ":" in last:
            tag = last.rsplit(":", 1)[1]
        return "Always" if tag == "latest" else "IfNotPresent"
    last = name.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def resource_list(rl: Any) -> None:
    """``SetDefaults_ResourceList``: quantities rounded up to milli units."""
    if not isinstance(rl, dict):
        return
    for k, v in list(rl.items()):
        if isinstance(v, str | int | float) and not isinstance(v, bool):
            with contextlib.suppress(quantity.QuantityError):
                rl[k] = quantity.canonical(v, round_milli=True)


def _field_ref(ref: Any) -> None:
    if isinstance(ref, dict) and not ref.get("apiVersion"):
        ref["apiVersion"] = "v1"


def _http_get(h: Any) -> None:
    if isinstance(h, dict):
        if not h.get("path"):
            h["path"] = "/"
        if not h.get("scheme"):
            h["scheme"] = "HTTP"


def _probe(p: Any) -> None:
    if not isinstance(p, dict):
        return
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                       ("failureThreshold", 3)):
        if not p.get(key):
            p[key] = value
    _http_get(p.get("httpGet"))
    grpc = p.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""


def container(c: Obj) -> None:
    """``SetDefaults_Container`` plus the defaults of what a container holds."""
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = image_pull_policy(c.get("image") or "")
    if not c.get("terminationMessagePath"):
        c["terminationMessagePath"] = "/dev/termination-log"
    if not c.get("terminationMessagePolicy"):
        c["terminationMessagePolicy"] = "File"
    for port in dicts(c.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    for env in dicts(c.get("env")):
        vf = env.get("valueFrom")
        if isinstance(vf, dict):
            _field_ref(vf.get("fieldRef"))
    resources = obj(c, "resources")
    resource_list(resources.get("limits"))
    resource_list(resources.get("requests"))
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(name))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            h = lifecycle.get(hook)
            if isinstance(h, dict):
                _http_get(h.get("httpGet"))


_VOLUME_SOURCES = ("hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo",
                   "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
                   "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
                   "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
                   "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
                   "image")


def pvc_spec(spec: Obj) -> None:
    """``SetDefaults_PersistentVolumeClaimSpec`` and its resource lists."""
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    resources = obj(spec, "resources")
    resource_list(resources.get("limits"))
    resource_list(resources.get("requests"))


def volume(v: Obj) -> None:
    if all(v.get(s) is None for s in _VOLUME_SOURCES):
        v["emptyDir"] = {}
    host_path = v.get("hostPath")
    if isinstance(host_path, dict) and host_path.get("type") is None:
        host_path["type"] = ""
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        src = v.get(source)
        if isinstance(src, dict) and src.get("defaultMode") is None:
            src["defaultMode"] = DEFAULT_MODE
    downward = v.get("downwardAPI")
    if isinstance(downward, dict):
        for item in dicts(downward.get("items")):
            _field_ref(item.get("fieldRef"))
    projected = v.get("projected")
    if isinstance(projected, dict):
        for src in dicts(projected.get("sources")):
            da = src.get("downwardAPI")
            if isinstance(da, dict):
                for item in dicts(da.get("items")):
                    _field_ref(item.get("fieldRef"))
            token = src.get("serviceAccountToken")
            if isinstance(token, dict) and token.get("expirationSeconds") is None:
                token["expirationSeconds"] = 3600
    iscsi = v.get("iscsi")
    if isinstance(iscsi, dict) and not iscsi.get("iscsiInterface"):
        iscsi["iscsiInterface"] = "default"
    rbd = v.get("rbd")
    if isinstance(rbd, dict):
        for key, value in (("pool", "rbd"), ("user", "admin"), ("keyring", "/etc/ceph/keyring")):
            if not rbd.get(key):
                rbd[key] = value
    azure = v.get("azureDisk")
    if isinstance(azure, dict):
        azure_defaults: tuple[tuple[str, Any], ...] = (
            ("cachingMode", "ReadWrite"), ("kind", "Shared"), ("fsType", "ext4"),
            ("readOnly", False))
        for key, value in azure_defaults:
            set_if_missing(azure, key, value)
    scale_io = v.get("scaleIO")
    if isinstance(scale_io, dict):
        for key, value in (("storageMode", "ThinProvisioned"), ("fsType", "xfs")):
            if not scale_io.get(key):
                scale_io[key] = value
    ephemeral = v.get("ephemeral")
    if isinstance(ephemeral, dict) and isinstance(ephemeral.get("volumeClaimTemplate"), dict):
        pvc_spec(obj(ephemeral["volumeClaimTemplate"], "spec"))


def pod_spec(spec: Obj) -> None:
    """``SetDefaults_PodSpec`` and everything nested in a pod spec."""
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"
    for v in dicts(spec.get("volumes")):
        volume(v)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in dicts(spec.get(key)):
            container(c)
    resource_list(spec.get("overhead"))


def pod_template(template: Obj) -> None:
    """A pod template as embedded in workloads: ``metadata`` is always there, then the spec."""
    obj(template, "metadata")
    pod_spec(obj(template, "spec"))
