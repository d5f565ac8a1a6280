"""Validation of pod templates and pod specs, as ``pkg/apis/core/validation`` does it (v1.34).

Run on defaulted objects, as the server does: a missing default (``terminationGracePeriodSeconds``,
``imagePullPolicy``...) is reported as ``Required value`` like the real validation would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from gitsync.sandbox import fielderr as fe
from gitsync.sandbox import formats as fm
from gitsync.sandbox import quantity
from gitsync.sandbox.errors import Cause
from gitsync.sandbox.validation_meta import (
    Obj,
    d,
    lst,
    s,
    validate_annotations,
    validate_labels,
)

_VOLUME_SOURCES = (
    ("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"), ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"), ("glusterfs", "glusterfs"),
    ("flocker", "flocker"), ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"),
    ("cinder", "cinder"), ("cephfs", "cephFS"), ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"), ("fc", "fc"), ("flexVolume", "flexVolume"),
    ("configMap", "configMap"), ("azureFile", "azureFile"), ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"), ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"), ("storageos", "storageos"), ("projected", "projected"),
    ("scaleIO", "scaleIO"), ("csi", "csi"), ("ephemeral", "ephemeral"), ("image", "image"),
)
_REQUIRED_SOURCE_FIELD = {"configMap": "name", "secret": "secretName",
                          "persistentVolumeClaim": "claimName", "hostPath": "path"}
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_TERMINATION_POLICIES = ("File", "FallbackToLogsOnError")
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


# -- pod template / spec -----------------------------------------------------------------------

_Check = Callable[[Any, str], list[Cause]]


def _by_value(fn: _Check) -> _Check:
    """Remember a pure check's causes by the value checked: every apply of a workload, and
    every pod of a rollout, validates the same template again. ``repr`` is the key, as it tells
    apart all that decoded JSON holds (``1`` from ``1.0`` and ``True``, lists from tuples), and
    Causes are immutable."""
    cache: dict[tuple[str, str], tuple[Cause, ...]] = {}

    @functools.wraps(fn)
    def check(value: Any, path: str) -> list[Cause]:
        key = (repr(value), path)
        got = cache.get(key)
        if got is None:
            got = tuple(fn(value, path))
            if len(cache) >= 512:
                cache.clear()
            cache[key] = got
        return list(got)
    return check


@_by_value
def validate_pod_template(template: Any, path: str) -> list[Cause]:
    """``ValidatePodTemplateSpec``: labels/annotations of the template, then its spec."""
    template = d(template)
    meta = d(template.get("metadata"))
    out = validate_labels(meta.get("labels"), fe.child(path, "labels"))
    out += validate_annotations(meta.get("annotations"), fe.child(path, "annotations"))
    spec = d(template.get("spec"))
    out += _pod_spec(spec, fe.child(path, "spec"))
    if spec.get("ephemeralContainers"):
        out.append(fe.forbidden(fe.child(path, "spec", "ephemeralContainers"),
                                "ephemeral containers not allowed in pod template"))
    return out


@_by_value
def validate_pod_spec(spec: Obj, path: str) -> list[Cause]:
    """``ValidatePodSpec``."""
    return _pod_spec(spec, path)


def _pod_spec(spec: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        out.append(fe.required(fe.child(path, "terminationGracePeriodSeconds")))
    vols, errs = _volumes(lst(spec.get("volumes")), fe.child(path, "volumes"))
    out += errs
    out += _containers(lst(spec.get("containers")), vols, fe.child(path, "containers"))
    out += _init_containers(lst(spec.get("initContainers")), lst(spec.get("containers")), vols,
                            fe.child(path, "initContainers"))
    if spec.get("hostNetwork"):
        for i, c in enumerate(lst(spec.get("containers"))):
            for j, port in enumerate(lst(d(c).get("ports"))):
                hp, cp = d(port).get("hostPort", 0), d(port).get("containerPort", 0)
                if hp and hp != cp:
                    out.append(fe.invalid(f"{path}.containers[{i}].ports[{j}].hostPort", hp,
                                          "must match `containerPort` when `hostNetwork` is true"))
    out += _enum(spec.get("restartPolicy"), _RESTART_POLICIES, fe.child(path, "restartPolicy"))
    out += _enum(spec.get("dnsPolicy"), _DNS_POLICIES, fe.child(path, "dnsPolicy"))
    out += validate_labels(spec.get("nodeSelector"), fe.child(path, "nodeSelector"))
    if spec.get("dnsPolicy") == "None" and spec.get("dnsConfig") is None:
        out.append(fe.required(fe.child(path, "dnsConfig"),
                               "must provide `dnsConfig` when `dnsPolicy` is None"))
    for name, fn in (("serviceAccountName", fm.name_is_dns_subdomain),
                     ("nodeName", fm.name_is_dns_subdomain)):
        value = s(spec.get(name))
        if value:
            out += fe.each(fn(value, False), fe.child(path, name), value)
    ads = spec.get("activeDeadlineSeconds")
    if isinstance(ads, int) and not 1 <= ads <= 2**31 - 1:
        out.append(fe.invalid(fe.child(path, "activeDeadlineSeconds"), ads,
                              fm.inclusive_range_error(1, 2**31 - 1)))
    for name in ("hostname", "subdomain"):
        value = s(spec.get(name))
        if value:
            out += fe.each(fm.is_dns1123_label(value), fe.child(path, name), value)
    pcn = s(spec.get("priorityClassName"))
    if pcn:
        out += fe.each(fm.name_is_dns_subdomain(pcn, False), fe.child(path, "priorityClassName"),
                       pcn)
    return out


def _enum(value: Any, valid: tuple[str, ...], path: str) -> list[Cause]:
    if value in valid:
        return []
    if not value:
        return [fe.required(path)]
    return [fe.not_supported(path, value, valid)]


def _volumes(volumes: list[Any], path: str) -> tuple[set[str], list[Cause]]:
    out: list[Cause] = []
    names: set[str] = set()
    for i, vol in enumerate(volumes):
        vol = d(vol)
        p = fe.index(path, i)
        name = s(vol.get("name"))
        errs: list[Cause] = []
        count = 0
        for source, err_name in _VOLUME_SOURCES:
            if vol.get(source) is None:
                continue
            if count:
                errs.append(fe.forbidden(fe.child(p, err_name),
                                         "may not specify more than 1 volume type"))
                continue
            count += 1
            need = _REQUIRED_SOURCE_FIELD.get(source)
            if need and not s(d(vol[source]).get(need)):
                errs.append(fe.required(fe.child(p, source, need)))
        if not count:
            errs.append(fe.required(p, "must specify a volume type"))
        if not name:
            errs.append(fe.required(fe.child(p, "name")))
        else:
            errs += fe.each(fm.is_dns1123_label(name), fe.child(p, "name"), name)
        if name in names:
            errs.append(fe.duplicate(fe.child(p, "name"), name))
        if errs:
            out += errs
        else:
            names.add(name)
    return names, out


def _containers(containers: list[Any], vols: set[str], path: str) -> list[Cause]:
    if not containers:
        return [fe.required(path)]
    out: list[Cause] = []
    names: set[str] = set()
    for i, c in enumerate(containers):
        c = d(c)
        p = fe.index(path, i)
        out += _container_common(c, vols, p)
        name = s(c.get("name"))
        if name in names:
            out.append(fe.duplicate(fe.child(p, "name"), name))
        else:
            names.add(name)
        out += _lifecycle(c.get("lifecycle"), fe.child(p, "lifecycle"))
        out += _probe(c.get("livenessProbe"), fe.child(p, "livenessProbe"), "liveness")
        out += _probe(c.get("readinessProbe"), fe.child(p, "readinessProbe"), "readiness")
        out += _probe(c.get("startupProbe"), fe.child(p, "startupProbe"), "startup")
        if c.get("restartPolicy") is not None:
            out.append(fe.forbidden(fe.child(p, "restartPolicy"),
                                    "may not be set for non-init containers"))
    out += _host_port_conflicts(containers, path)
    return out


def _init_containers(inits: list[Any], regular: list[Any], vols: set[str],
                     path: str) -> list[Cause]:
    out: list[Cause] = []
    names = {s(d(c).get("name")) for c in regular}
    for i, c in enumerate(inits):
        c = d(c)
        p = fe.index(path, i)
        out += _container_common(c, vols, p)
        policy = c.get("restartPolicy")
        if policy is not None and policy != "Always":
            out.append(fe.not_supported(fe.child(p, "restartPolicy"), policy, ["Always"]))
        name = s(c.get("name"))
        if name in names:
            out.append(fe.duplicate(fe.child(p, "name"), name))
        elif name:
            names.add(name)
        out += _host_port_conflicts([c], path)
        if policy == "Always":
            out += _lifecycle(c.get("lifecycle"), fe.child(p, "lifecycle"))
            out += _probe(c.get("livenessProbe"), fe.child(p, "livenessProbe"), "liveness")
            out += _probe(c.get("readinessProbe"), fe.child(p, "readinessProbe"), "readiness")
            out += _probe(c.get("startupProbe"), fe.child(p, "startupProbe"), "startup")
        else:
            for field_name in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if c.get(field_name) is not None:
                    out.append(fe.forbidden(fe.child(p, field_name), "may not be set for init "
                                            "containers without restartPolicy=Always"))
    return out


def _container_common(c: Obj, vols: set[str], p: str) -> list[Cause]:
    out: list[Cause] = []
    name = s(c.get("name"))
    if not name:
        out.append(fe.required(fe.child(p, "name")))
    else:
        out += fe.each(fm.is_dns1123_label(name), fe.child(p, "name"), name)
    if not s(c.get("image")):
        out.append(fe.required(fe.child(p, "image")))
    out += _enum(c.get("terminationMessagePolicy"), _TERMINATION_POLICIES,
                 fe.child(p, "terminationMessagePolicy"))
    out += _ports(lst(c.get("ports")), fe.child(p, "ports"))
    out += _env(lst(c.get("env")), fe.child(p, "env"))
    out += _volume_mounts(lst(c.get("volumeMounts")), vols, fe.child(p, "volumeMounts"))
    policy = c.get("imagePullPolicy")
    if not policy:
        out.append(fe.required(fe.child(p, "imagePullPolicy")))
    elif policy not in _PULL_POLICIES:
        out.append(fe.not_supported(fe.child(p, "imagePullPolicy"), policy, _PULL_POLICIES))
    out += validate_resources(d(c.get("resources")), fe.child(p, "resources"))
    return out


def _ports(ports: list[Any], path: str) -> list[Cause]:
    out: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        port = d(port)
        p = fe.index(path, i)
        name = s(port.get("name"))
        if name:
            msgs = fm.is_valid_port_name(name)
            if msgs:
                out += fe.each(msgs, fe.child(p, "name"), name)
            elif name in names:
                out.append(fe.duplicate(fe.child(p, "name"), name))
            else:
                names.add(name)
        cp = port.get("containerPort") or 0
        if not cp:
            out.append(fe.required(fe.child(p, "containerPort")))
        else:
            out += fe.each(fm.is_valid_port_num(cp), fe.child(p, "containerPort"), cp)
        hp = port.get("hostPort") or 0
        if hp:
            out += fe.each(fm.is_valid_port_num(hp), fe.child(p, "hostPort"), hp)
        proto = port.get("protocol")
        if not proto:
            out.append(fe.required(fe.child(p, "protocol")))
        elif proto not in _PROTOCOLS:
            out.append(fe.not_supported(fe.child(p, "protocol"), proto, _PROTOCOLS))
    return out


def _host_port_conflicts(containers: list[Any], path: str) -> list[Cause]:
    out: list[Cause] = []
    seen: set[str] = set()
    for ci, c in enumerate(containers):
        for pi, port in enumerate(lst(d(c).get("ports"))):
            port = d(port)
            hp = port.get("hostPort") or 0
            if not hp:
                continue
            sig = f"{s(port.get('protocol'))}/{s(port.get('hostIP'))}/{hp}"
            if sig in seen:
                out.append(fe.duplicate(f"{path}[{ci}].ports[{pi}].hostPort", sig))
            seen.add(sig)
    return out


def _env(env: list[Any], path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, ev in enumerate(env):
        ev = d(ev)
        p = fe.index(path, i)
        name = s(ev.get("name"))
        if not name:
            out.append(fe.required(fe.child(p, "name")))
        else:
            out += fe.each(fm.is_relaxed_env_var_name(name), fe.child(p, "name"), name)
        value_from = ev.get("valueFrom")
        if value_from is None:
            continue
        vf = d(value_from)
        vp = fe.child(p, "valueFrom")
        sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef",
                               "fileKeyRef") if vf.get(k) is not None]
        for ref in ("configMapKeyRef", "secretKeyRef"):
            if ref in sources:
                out += _key_selector(d(vf[ref]), fe.child(vp, ref))
        if not sources:
            out.append(fe.invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                          "`configMapKeyRef` or `secretKeyRef`"))
        elif s(ev.get("value")):
            out.append(fe.invalid(vp, "", "may not be specified when `value` is not empty"))
        elif len(sources) > 1:
            out.append(fe.invalid(vp, "", "may not have more than one field specified at a time"))
    return out


def _key_selector(sel: Obj, path: str) -> list[Cause]:
    name = s(sel.get("name"))
    out = fe.each(fm.name_is_dns_subdomain(name, False), fe.child(path, "name"), name)
    k = s(sel.get("key"))
    if not k:
        out.append(fe.required(fe.child(path, "key")))
    else:
        out += fe.each(fm.is_config_map_key(k), fe.child(path, "key"), k)
    return out


def _volume_mounts(mounts: list[Any], vols: set[str], path: str) -> list[Cause]:
    out: list[Cause] = []
    points: set[str] = set()
    for i, m in enumerate(mounts):
        m = d(m)
        p = fe.index(path, i)
        name = s(m.get("name"))
        if not name:
            out.append(fe.required(fe.child(p, "name")))
        if name not in vols:
            out.append(fe.not_found(fe.child(p, "name"), name))
        mp = s(m.get("mountPath"))
        if not mp:
            out.append(fe.required(fe.child(p, "mountPath")))
        if mp in points:
            out.append(fe.invalid(fe.child(p, "mountPath"), mp, "must be unique"))
        points.add(mp)
    return out


def validate_resources(res: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    limits = d(res.get("limits"))
    lim_values: dict[str, tuple[Any, Any]] = {}
    for part, items in (("limits", limits), ("requests", d(res.get("requests")))):
        for name, value in items.items():
            p = fe.key(fe.child(path, part), name)
            out += _resource_name(name, p)
            try:
                q = quantity.value_of(value)
            except quantity.QuantityError:
                continue
            if q < 0:
                out.append(fe.invalid(p, quantity.canonical(value),
                                      "must be greater than or equal to 0"))
            if part == "limits":
                lim_values[name] = (q, value)
            elif name in lim_values and q > lim_values[name][0]:
                out.append(fe.invalid(p, quantity.canonical(value),
                                      f"must be less than or equal to {name} limit of "
                                      f"{quantity.canonical(lim_values[name][1])}"))
    return out


def _resource_name(name: str, path: str) -> list[Cause]:
    out = fe.each(fm.is_qualified_name(name), path, name)
    if "/" not in name and name not in _STANDARD_CONTAINER_RESOURCES and \
            not name.startswith("hugepages-"):
        out.append(fe.invalid(path, name, "must be a standard resource for containers"))
    return out


def _handler(h: Obj, path: str, kinds: tuple[str, ...]) -> list[Cause]:
    out: list[Cause] = []
    count = 0
    for k in kinds:
        if h.get(k) is None:
            continue
        if count:
            out.append(fe.forbidden(fe.child(path, k), "may not specify more than 1 handler type"))
            continue
        count += 1
        v = d(h[k])
        p = fe.child(path, k)
        if k == "exec" and not v.get("command"):
            out.append(fe.required(fe.child(p, "command")))
        elif k == "httpGet":
            if not s(v.get("path")):
                out.append(fe.required(fe.child(p, "path")))
            out += _port_num_or_name(v.get("port"), fe.child(p, "port"))
            if v.get("scheme") not in ("HTTP", "HTTPS"):
                out.append(fe.not_supported(fe.child(p, "scheme"), v.get("scheme", ""),
                                            ("HTTP", "HTTPS")))
        elif k == "tcpSocket":
            out += _port_num_or_name(v.get("port"), fe.child(p, "port"))
        elif k == "grpc":
            out += _port_num_or_name(v.get("port", 0), fe.child(p, "port"))
    if not count:
        out.append(fe.required(path, "must specify a handler type"))
    return out


def _port_num_or_name(port: Any, path: str) -> list[Cause]:
    if isinstance(port, str):
        return fe.each(fm.is_valid_port_name(port), path, port)
    num = port if isinstance(port, int) else 0
    return fe.each(fm.is_valid_port_num(num), path, num)


def _lifecycle(lifecycle: Any, path: str) -> list[Cause]:
    out: list[Cause] = []
    for hook in ("postStart", "preStop"):
        h = d(lifecycle).get(hook)
        if h is not None:
            out += _handler(d(h), fe.child(path, hook), ("exec", "httpGet", "tcpSocket", "sleep"))
    return out


def _probe(probe: Any, path: str, which: str) -> list[Cause]:
    if probe is None:
        return []
    probe = d(probe)
    out = _handler(probe, path, ("exec", "httpGet", "tcpSocket", "grpc"))
    for name in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold"):
        out += fe.nonnegative(probe.get(name, 0), fe.child(path, name))
    tgp = probe.get("terminationGracePeriodSeconds")
    if isinstance(tgp, int) and tgp <= 0:
        out.append(fe.invalid(fe.child(path, "terminationGracePeriodSeconds"), tgp,
                              "must be greater than 0"))
    if which in ("liveness", "startup") and probe.get("successThreshold", 1) != 1:
        out.append(fe.invalid(fe.child(path, "successThreshold"), probe.get("successThreshold"),
                              "must be 1"))
    if which == "readiness" and tgp is not None:
        out.append(fe.invalid(fe.child(path, "terminationGracePeriodSeconds"), tgp,
                              "must not be set for readinessProbes"))
    return out
