"""Validation of core/v1, networking, RBAC and autoscaling kinds a GitOps tool applies."""

from __future__ import annotations

import base64
import json
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
    validate_label_selector,
    validate_labels,
)
from gitsync.sandbox.validation_workloads import Check, normalized

MAX_SECRET_SIZE = 1024 * 1024
IMMUTABLE_SET = "field is immutable when `immutable` is set"
RBAC_GROUP = "rbac.authorization.k8s.io"
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_IP_ERROR = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


# -- Service ------------------------------------------------------------------------------------

def _headless(spec: Obj) -> bool:
    ips = lst(spec.get("clusterIPs"))
    return len(ips) == 1 and ips[0] == "None"


def _port_repr(protocol: str, port: Any) -> fe.GoRepr:
    return fe.GoRepr(
        f'core.ServicePort{{Name:"", Protocol:{fe.go_quote(protocol)}, '
        f"AppProtocol:(*string)(nil), Port:{port}, TargetPort:intstr.IntOrString{{Type:0, "
        f'IntVal:0, StrVal:""}}, NodePort:0}}')


def _service_port(sp: Obj, require_name: bool, names: set[str], p: str) -> list[Cause]:
    out: list[Cause] = []
    name = s(sp.get("name"))
    if require_name and not name:
        out.append(fe.required(fe.child(p, "name")))
    elif name:
        out += fe.each(fm.is_dns1123_label(name), fe.child(p, "name"), name)
        if name in names:
            out.append(fe.duplicate(fe.child(p, "name"), name))
        names.add(name)
    port = sp.get("port", 0)
    out += fe.each(fm.is_valid_port_num(port if isinstance(port, int) else 0),
                   fe.child(p, "port"), port)
    proto = sp.get("protocol", "")
    if not proto:
        out.append(fe.required(fe.child(p, "protocol")))
    elif proto not in _PROTOCOLS:
        out.append(fe.not_supported(fe.child(p, "protocol"), proto, _PROTOCOLS))
    target = sp.get("targetPort", 0)
    if isinstance(target, str):
        out += fe.each(fm.is_valid_port_name(target), fe.child(p, "targetPort"), target)
    else:
        out += fe.each(fm.is_valid_port_num(target if isinstance(target, int) else 0),
                       fe.child(p, "targetPort"), target)
    app = sp.get("appProtocol")
    if app is not None:
        out += fe.each(fm.is_qualified_name(s(app)), fe.child(p, "appProtocol"), app)
    return out


def _service_spec(spec: Obj) -> list[Cause]:
    out: list[Cause] = []
    ports = lst(spec.get("ports"))
    stype = spec.get("type", "")
    headless = _headless(spec)
    if not ports and not headless and stype != "ExternalName":
        out.append(fe.required("spec.ports"))
    if stype in ("LoadBalancer", "NodePort") and headless:
        out.append(fe.invalid("spec.clusterIPs[0]", "None",
                              f"may not be set to 'None' for {stype} services"))
    elif stype == "ExternalName":
        for name in ("clusterIPs", "ipFamilies"):
            if spec.get(name):
                out.append(fe.forbidden(f"spec.{name}", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            out.append(fe.forbidden("spec.ipFamilyPolicy",
                                    "may not be set for ExternalName services"))
        cname = s(spec.get("externalName")).removesuffix(".")
        if cname:
            out += fe.each(fm.is_dns1123_subdomain(cname), "spec.externalName", cname)
        else:
            out.append(fe.required("spec.externalName"))
    names: set[str] = set()
    for i, sp in enumerate(ports):
        out += _service_port(d(sp), len(ports) > 1, names, f"spec.ports[{i}]")
    if spec.get("selector") is not None:
        out += validate_labels(spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity", "")
    if not affinity:
        out.append(fe.required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        out.append(fe.not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        out.append(fe.forbidden("spec.sessionAffinityConfig",
                                "must not be set when session affinity is None"))
    for i, ip in enumerate(lst(spec.get("externalIPs"))):
        if not fm.is_valid_ip(s(ip)):
            out.append(fe.invalid(f"spec.externalIPs[{i}]", ip, _IP_ERROR))
    if not stype:
        out.append(fe.required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        out.append(fe.not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, sp in enumerate(ports):
            if d(sp).get("nodePort"):
                out.append(fe.forbidden(f"spec.ports[{i}].nodePort",
                                        "may not be used when `type` is 'ClusterIP'"))
    node_ports: set[tuple[str, int]] = set()
    for i, sp in enumerate(ports):
        np, proto = d(sp).get("nodePort") or 0, d(sp).get("protocol", "")
        if np:
            if (proto, np) in node_ports:
                out.append(fe.duplicate(f"spec.ports[{i}].nodePort", np))
            node_ports.add((proto, np))
    seen: set[tuple[str, int]] = set()
    for i, sp in enumerate(ports):
        sig = (d(sp).get("protocol", ""), d(sp).get("port", 0))
        if sig in seen:
            out.append(fe.duplicate(f"spec.ports[{i}]", _port_repr(*sig)))
        seen.add(sig)
    if spec.get("loadBalancerSourceRanges") and stype != "LoadBalancer":
        out.append(fe.forbidden("spec.LoadBalancerSourceRanges",
                                "may only be used when `type` is 'LoadBalancer'"))
    if spec.get("allocateLoadBalancerNodePorts") is not None and stype != "LoadBalancer":
        out.append(fe.forbidden("spec.allocateLoadBalancerNodePorts",
                                "may only be used when `type` is 'LoadBalancer'"))
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        out.append(fe.required("allocateLoadBalancerNodePorts"))
    external = stype in ("LoadBalancer", "NodePort") or (
        stype == "ClusterIP" and bool(spec.get("externalIPs")))
    etp = spec.get("externalTrafficPolicy", "")
    if not external and etp:
        out.append(fe.invalid("spec.externalTrafficPolicy", etp,
                              "may only be set for externally-accessible services"))
    elif external and not etp:
        out.append(fe.required("spec.externalTrafficPolicy"))
    elif external and etp not in ("Cluster", "Local"):
        out.append(fe.not_supported("spec.externalTrafficPolicy", etp, ("Cluster", "Local")))
    itp = spec.get("internalTrafficPolicy")
    if itp is None and stype in ("ClusterIP", "NodePort", "LoadBalancer"):
        out.append(fe.required("spec.internalTrafficPolicy"))
    elif itp is not None and itp not in ("Cluster", "Local"):
        out.append(fe.not_supported("spec.internalTrafficPolicy", itp, ("Cluster", "Local")))
    return out


def service(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out: list[Cause] = []
    if old is not None:
        ospec = d(old.get("spec"))
        if "ExternalName" not in (spec.get("type"), ospec.get("type")) and not (
                _headless(spec) and _headless(ospec)):
            new_ips, old_ips = lst(spec.get("clusterIPs")), lst(ospec.get("clusterIPs"))
            value = fe.GoRepr(fe.go_string_slice(new_ips or None))
            if len(new_ips) == len(old_ips):
                out += [fe.invalid(f"spec.clusterIPs[{i}]", value, "may not change once set")
                        for i, ip in enumerate(old_ips) if ip != new_ips[i]]
            elif len(old_ips) > len(new_ips):
                if not new_ips:
                    out.append(fe.invalid("spec.clusterIPs[0]", value,
                                          "primary clusterIP can not be unset"))
                elif old_ips[0] != new_ips[0]:
                    out.append(fe.invalid("spec.clusterIPs[0]", value, "may not change once set"))
            elif old_ips and old_ips[0] != new_ips[0]:
                out.append(fe.invalid("spec.clusterIPs[0]", value, "may not change once set"))
    return out + _service_spec(spec)


# -- ConfigMap, Secret --------------------------------------------------------------------------

def _data_keys(obj: Obj, bag: str, other: str) -> tuple[list[Cause], int]:
    out: list[Cause] = []
    size = 0
    other_keys = d(obj.get(other))
    for k, v in d(obj.get(bag)).items():
        p = fe.key(bag, k)
        out += fe.each(fm.is_config_map_key(k), p, k)
        if k in other_keys:
            out.append(fe.invalid(p, k, f"duplicate of key present in {other}"))
        size += len(s(v).encode())
    return out, size


def config_map(obj: Obj, old: Obj | None) -> list[Cause]:
    out = _immutable_data(obj, old, ("data", "binaryData"))
    errs, size = _data_keys(obj, "data", "binaryData")
    out += errs
    errs, bsize = _data_keys(obj, "binaryData", "data")
    out += errs
    if size + bsize * 3 // 4 > MAX_SECRET_SIZE:
        out.append(fe.too_long("", MAX_SECRET_SIZE))
    return out


def _immutable_data(obj: Obj, old: Obj | None, bags: tuple[str, ...]) -> list[Cause]:
    if old is None or not old.get("immutable"):
        return []
    out = []
    if not obj.get("immutable"):
        out.append(fe.forbidden("immutable", IMMUTABLE_SET))
    for bag in bags:
        if normalized(obj.get(bag)) != normalized(old.get(bag)):
            out.append(fe.forbidden(bag, IMMUTABLE_SET))
    return out


def secret(obj: Obj, old: Obj | None) -> list[Cause]:
    out: list[Cause] = []
    if old is not None:
        if obj.get("type", "") != old.get("type", ""):
            out.append(fe.immutable("type", obj.get("type", "")))
        out += _immutable_data(obj, old, ("data",))
    data = d(obj.get("data"))
    total = 0
    for k, v in data.items():
        out += fe.each(fm.is_config_map_key(k), fe.key("data", k), k)
        total += len(s(v)) * 3 // 4
    if total > MAX_SECRET_SIZE:
        out.append(fe.too_long("data", MAX_SECRET_SIZE))
    stype = obj.get("type", "")
    if stype == "kubernetes.io/service-account-token":
        key = "kubernetes.io/service-account.name"
        if not s(d(d(obj.get("metadata")).get("annotations")).get(key)):
            out.append(fe.required(f"metadata.annotations[{key}]"))
    elif stype in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        k = ".dockercfg" if stype.endswith("dockercfg") else ".dockerconfigjson"
        if k not in data:
            out.append(fe.required(fe.key("data", k)))
        else:
            err = _json_object_error(s(data[k]))
            if err:
                out.append(fe.invalid(fe.key("data", k), "<secret contents redacted>", err))
    elif stype == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            out += [fe.required("data[username]"), fe.required("data[password]")]
    elif stype == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            out.append(fe.required("data[ssh-privatekey]"))
    elif stype == "kubernetes.io/tls":
        out += [fe.required(fe.key("data", k)) for k in ("tls.crt", "tls.key") if k not in data]
    return out


def _json_object_error(b64: str) -> str | None:
    try:
        parsed = json.loads(base64.b64decode(b64))
    except ValueError as exc:
        return f"invalid character in JSON: {exc}"
    if not isinstance(parsed, dict):
        return "json: cannot unmarshal into Go value of type map[string]interface {}"
    return None


# -- PersistentVolumeClaim ----------------------------------------------------------------------

def pvc(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = d(obj.get("spec"))
    out: list[Cause] = []
    modes = lst(spec.get("accessModes"))
    if not modes:
        out.append(fe.required("spec.accessModes", "at least 1 access mode is required"))
    if spec.get("selector") is not None:
        out += validate_label_selector(spec["selector"], "spec.selector")
    out += [fe.not_supported("spec.accessModes", m, _ACCESS_MODES) for m in modes
            if m not in _ACCESS_MODES]
    requests = d(d(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        out.append(fe.required("spec.resources[storage]"))
    else:
        try:
            if quantity.value_of(requests["storage"]) <= 0:
                out.append(fe.invalid("spec.resources[storage]",
                                      quantity.canonical(requests["storage"]),
                                      "must be greater than zero"))
        except quantity.QuantityError:
            pass
    scn = spec.get("storageClassName")
    if scn:
        out += fe.each(fm.name_is_dns_subdomain(s(scn), False), "spec.storageClassName", scn)
    vm = spec.get("volumeMode")
    if vm is not None and vm not in ("Block", "Filesystem"):
        out.append(fe.not_supported("spec.volumeMode", vm, ("Block", "Filesystem")))
    if old is not None:
        out += _pvc_update(obj, old)
    return out


def _pvc_update(obj: Obj, old: Obj) -> list[Cause]:
    out: list[Cause] = []
    new_spec = dict(d(obj.get("spec")))
    old_spec = dict(d(old.get("spec")))
    if not old_spec.get("volumeName"):
        old_spec["volumeName"] = new_spec.get("volumeName")
    bound = d(obj.get("status")).get("phase") == "Bound"
    if bound:
        for spec in (new_spec, old_spec):
            res = dict(d(spec.get("resources")))
            res["requests"] = {k: v for k, v in d(res.get("requests")).items() if k != "storage"}
            spec["resources"] = res
            spec.pop("volumeAttributesClassName", None)
    if normalized(new_spec) != normalized(old_spec):
        diff = "".join(f"\n-\t{k}: {json.dumps(old_spec.get(k))}\n+\t{k}: "
                       f"{json.dumps(new_spec.get(k))}"
                       for k in sorted(set(new_spec) | set(old_spec))
                       if normalized(new_spec.get(k)) != normalized(old_spec.get(k)))
        out.append(fe.forbidden("spec", "spec is immutable after creation except "
                                        "resources.requests and volumeAttributesClassName for "
                                        "bound claims\n  core.PersistentVolumeClaimSpec{" + diff +
                                "\n  }\n"))
    try:
        new_size = quantity.value_of(d(d(d(obj.get("spec")).get("resources")).get("requests"))
                                     .get("storage", "0"))
        old_size = quantity.value_of(d(d(d(old.get("spec")).get("resources")).get("requests"))
                                     .get("storage", "0"))
        capacity = quantity.value_of(d(d(old.get("status")).get("capacity")).get("storage", "0"))
    except quantity.QuantityError:
        return out
    if new_size < old_size and new_size <= capacity:
        out.append(fe.forbidden("spec.resources.requests.storage",
                                "field can not be less than status.capacity"))
    if d(obj.get("spec")).get("volumeMode") != d(old.get("spec")).get("volumeMode"):
        out.append(fe.immutable("volumeMode", d(obj.get("spec")).get("volumeMode")))
    return out


def namespace(obj: Obj, old: Obj | None) -> list[Cause]:
    out: list[Cause] = []
    for f in lst(d(obj.get("spec")).get("finalizers")):
        f = s(f)
        out += fe.each(fm.is_qualified_name(f), "spec.finalizers", f)
        if "/" not in f and f not in ("kubernetes", "orphan", "foregroundDeletion"):
            out.append(fe.invalid("spec.finalizers", f, "name is neither a standard finalizer "
                                                        "name nor is it fully qualified"))
    return out


# -- RBAC ---------------------------------------------------------------------------------------

def _role_ref_repr(ref: Obj) -> fe.GoRepr:
    return fe.GoRepr(f"rbac.RoleRef{{APIGroup:{fe.go_quote(s(ref.get('apiGroup')))}, "
                     f"Kind:{fe.go_quote(s(ref.get('kind')))}, "
                     f"Name:{fe.go_quote(s(ref.get('name')))}}}")


def _binding(obj: Obj, old: Obj | None, namespaced: bool) -> list[Cause]:
    out: list[Cause] = []
    ref = d(obj.get("roleRef"))
    if ref.get("apiGroup", "") != RBAC_GROUP:
        out.append(fe.not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [RBAC_GROUP]))
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if ref.get("kind", "") not in kinds:
        out.append(fe.not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    name = s(ref.get("name"))
    if not name:
        out.append(fe.required("roleRef.name"))
    else:
        out += fe.each(fm.path_segment_name(name, False), "roleRef.name", name)
    for i, subject in enumerate(lst(obj.get("subjects"))):
        out += _subject(d(subject), namespaced, f"subjects[{i}]")
    if old is not None and normalized(ref) != normalized(d(old.get("roleRef"))):
        out.append(fe.invalid("roleRef", _role_ref_repr(ref), "cannot change roleRef"))
    return out


def _subject(subject: Obj, namespaced: bool, p: str) -> list[Cause]:
    out: list[Cause] = []
    name = s(subject.get("name"))
    if not name:
        out.append(fe.required(fe.child(p, "name")))
    kind = subject.get("kind", "")
    group = subject.get("apiGroup", "")
    if kind == "ServiceAccount":
        if name:
            out += fe.each(fm.name_is_dns_subdomain(name, False), fe.child(p, "name"), name)
        if group:
            out.append(fe.not_supported(fe.child(p, "apiGroup"), group, [""]))
        if not namespaced and not subject.get("namespace"):
            out.append(fe.required(fe.child(p, "namespace")))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            out.append(fe.not_supported(fe.child(p, "apiGroup"), group, [RBAC_GROUP]))
    else:
        out.append(fe.not_supported(fe.child(p, "kind"), kind,
                                    ("ServiceAccount", "User", "Group")))
    return out


def _rules(obj: Obj, namespaced: bool) -> list[Cause]:
    out: list[Cause] = []
    for i, rule in enumerate(lst(obj.get("rules"))):
        rule = d(rule)
        p = f"rules[{i}]"
        if not rule.get("verbs"):
            out.append(fe.required(f"{p}.verbs", "verbs must contain at least one value"))
        urls = rule.get("nonResourceURLs")
        if urls:
            if namespaced:
                out.append(fe.invalid(f"{p}.nonResourceURLs", urls,
                                      "namespaced rules cannot apply to non-resource URLs"))
            if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
                out.append(fe.invalid(f"{p}.nonResourceURLs", urls, "rules cannot apply to both "
                                      "regular resources and non-resource URLs"))
            continue
        if not rule.get("apiGroups"):
            out.append(fe.required(f"{p}.apiGroups",
                                   "resource rules must supply at least one api group"))
        if not rule.get("resources"):
            out.append(fe.required(f"{p}.resources",
                                   "resource rules must supply at least one resource"))
    return out


# -- networking, autoscaling --------------------------------------------------------------------

def ingress(obj: Obj, old: Obj | None) -> list[Cause]:
    out: list[Cause] = []
    spec = d(obj.get("spec"))
    if not spec.get("rules") and spec.get("defaultBackend") is None:
        out.append(fe.invalid("spec.rules", fe.GoRepr("[]networking.IngressRule(nil)"),
                              "either `defaultBackend` or `rules` must be specified"))
    for i, rule in enumerate(lst(spec.get("rules"))):
        rule = d(rule)
        host = s(rule.get("host"))
        if host:
            if host.startswith("*."):
                out += fe.each(fm.is_wildcard_dns1123_subdomain(host), f"spec.rules[{i}].host",
                               host)
            else:
                out += fe.each(fm.is_dns1123_subdomain(host), f"spec.rules[{i}].host", host)
        for j, path in enumerate(lst(d(rule.get("http")).get("paths"))):
            path = d(path)
            p = f"spec.rules[{i}].http.paths[{j}]"
            pt = path.get("pathType")
            if pt is None:
                out.append(fe.required(f"{p}.pathType", "pathType must be specified"))
            elif pt not in ("Exact", "ImplementationSpecific", "Prefix"):
                out.append(fe.not_supported(f"{p}.pathType", pt,
                                            ("Exact", "ImplementationSpecific", "Prefix")))
            elif pt in ("Exact", "Prefix") and not s(path.get("path")).startswith("/"):
                out.append(fe.invalid(f"{p}.path", s(path.get("path")),
                                      "must be an absolute path"))
            svc = d(d(path.get("backend")).get("service"))
            if svc:
                name = s(svc.get("name"))
                out += fe.each(fm.is_dns1035_label(name), f"{p}.backend.service.name", name)
                port = d(svc.get("port"))
                if port.get("name") and port.get("number"):
                    out.append(fe.invalid(f"{p}.backend.service.port", port.get("name"),
                                          "cannot set both port name & port number"))
    return out


def hpa(obj: Obj, old: Obj | None) -> list[Cause]:
    out: list[Cause] = []
    spec = d(obj.get("spec"))
    mn, mx = spec.get("minReplicas"), spec.get("maxReplicas", 0)
    if isinstance(mn, int) and mn < 1:
        out.append(fe.invalid("spec.minReplicas", mn, "must be greater than or equal to 1"))
    if isinstance(mx, int) and mx < 1:
        out.append(fe.invalid("spec.maxReplicas", mx, "must be greater than 0"))
    if isinstance(mn, int) and isinstance(mx, int) and mx < mn:
        out.append(fe.invalid("spec.maxReplicas", mx,
                              "must be greater than or equal to `minReplicas`"))
    ref = d(spec.get("scaleTargetRef"))
    for name in ("kind", "name"):
        value = s(ref.get(name))
        if not value:
            out.append(fe.required(f"spec.scaleTargetRef.{name}"))
        else:
            out += fe.each(fm.path_segment_name(value, False), f"spec.scaleTargetRef.{name}",
                           value)
    return out


CHECKS: dict[tuple[str, str], Check] = {
    ("", "Service"): service,
    ("", "ConfigMap"): config_map,
    ("", "Secret"): secret,
    ("", "PersistentVolumeClaim"): pvc,
    ("", "Namespace"): namespace,
    (RBAC_GROUP, "RoleBinding"): lambda o, old: _binding(o, old, True),
    (RBAC_GROUP, "ClusterRoleBinding"): lambda o, old: _binding(o, old, False),
    (RBAC_GROUP, "Role"): lambda o, old: _rules(o, True),
    (RBAC_GROUP, "ClusterRole"): lambda o, old: _rules(o, False),
    ("networking.k8s.io", "Ingress"): ingress,
    ("autoscaling", "HorizontalPodAutoscaler"): hpa,
}
