"""Service defaults: ``SetDefaults_Service`` and what the Service registry allocates.

On create the registry gives every non-ExternalName Service a cluster IP (from 10.96.0.0/12 in
the sandbox, through the caller's allocator), NodePort and LoadBalancer ports a node port, and
fills ``ipFamilies``/``ipFamilyPolicy``.  On update it keeps what the client left out
(``patchAllocatedValues``), so re-applying a manifest without ``clusterIP`` is not a change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from gitsync.sandbox.defaults_pods import dicts, obj, set_if_missing

Obj = dict[str, Any]


def _needs_cluster_ip(spec: Obj) -> bool:
    return spec.get("type") != "ExternalName"


def _needs_node_port(spec: Obj) -> bool:
    t = spec.get("type")
    return t == "NodePort" or (t == "LoadBalancer" and
                               spec.get("allocateLoadBalancerNodePorts", True) is not False)


def _needs_hc_node_port(spec: Obj) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _set_defaults(spec: Obj) -> None:
    """``SetDefaults_Service``."""
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        if not isinstance(config, dict) or not isinstance(config.get("clientIP"), dict) or \
                config["clientIP"].get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for port in dicts(spec.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port", 0)
    stype = spec["type"]
    external = stype in ("NodePort", "LoadBalancer") or (
        stype == "ClusterIP" and bool(spec.get("externalIPs")))
    if external and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and stype in ("NodePort", "LoadBalancer",
                                                               "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if stype == "LoadBalancer":
        set_if_missing(spec, "allocateLoadBalancerNodePorts", True)


def _normalize_cluster_ips(spec: Obj, old_spec: Obj | None) -> None:
    ip = spec.get("clusterIP") or ""
    ips = spec.get("clusterIPs") or []
    if old_spec is None:
        if ip and not ips:
            spec["clusterIPs"] = [ip]
        return
    old_ips = old_spec.get("clusterIPs") or []
    if ip and not ips:
        spec["clusterIPs"] = [ip]
    elif old_ips and ips:
        if not ip and ips == old_ips:
            spec.pop("clusterIPs", None)
        elif ip and ip != (old_spec.get("clusterIP") or "") and ips == old_ips:
            spec["clusterIPs"] = [ip]


def _patch_allocated(spec: Obj, old_spec: Obj) -> None:
    if _needs_cluster_ip(old_spec) and _needs_cluster_ip(spec):
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            spec["clusterIPs"] = list(old_spec["clusterIPs"])
    if _needs_node_port(old_spec) and _needs_node_port(spec):
        def used(s: Obj) -> set[int]:
            return {int(p["nodePort"]) for p in dicts(s.get("ports")) if p.get("nodePort")}
        taken = used(old_spec) & used(spec)
        by_name = {p.get("name", ""): p.get("nodePort", 0) for p in dicts(old_spec.get("ports"))}
        for port in dicts(spec.get("ports")):
            if not port.get("nodePort"):
                old_val = by_name.get(port.get("name", ""), 0)
                if old_val and old_val not in taken:
                    port["nodePort"] = old_val
    if _needs_hc_node_port(old_spec) and _needs_hc_node_port(spec) and \
            not spec.get("healthCheckNodePort") and old_spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]


def _family(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


def _ip_families(spec: Obj) -> None:
    if not _needs_cluster_ip(spec):
        return
    ips = spec.get("clusterIPs") or []
    headless = ips == ["None"] or spec.get("clusterIP") == "None"
    if headless:
        spec["clusterIP"] = "None"
        spec["clusterIPs"] = ["None"]
        if not spec.get("selector"):
            set_if_missing(spec, "ipFamilyPolicy", "RequireDualStack")
        set_if_missing(spec, "ipFamilyPolicy", "SingleStack")
        if not spec.get("ipFamilies"):
            dual = spec["ipFamilyPolicy"] != "SingleStack"
            spec["ipFamilies"] = ["IPv4", "IPv6"] if dual else ["IPv4"]
        return
    if not spec.get("ipFamilies"):
        spec["ipFamilies"] = [_family(ip) for ip in ips if ip] or ["IPv4"]
    set_if_missing(spec, "ipFamilyPolicy",
                   "RequireDualStack" if len(spec["ipFamilies"]) > 1 else "SingleStack")


def service(o: Obj, old: Obj | None, allocate_ip: Callable[[str], str] | None,
            allocate_node_port: Callable[[], int] | None) -> None:
    spec = obj(o, "spec")
    old_spec = obj(copy.deepcopy(old), "spec") if old is not None else None
    _set_defaults(spec)
    _normalize_cluster_ips(spec, old_spec)
    if old_spec is not None:
        _patch_allocated(spec, old_spec)
    if not _needs_cluster_ip(spec):
        if old_spec is not None and _needs_cluster_ip(old_spec):
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if spec.get(key) == old_spec.get(key):
                    spec.pop(key, None)
        return
    if not spec.get("clusterIP") and not spec.get("clusterIPs") and allocate_ip is not None:
        families = spec.get("ipFamilies") or ["IPv4"]
        ip = allocate_ip(families[0])
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
    elif spec.get("clusterIPs") and not spec.get("clusterIP"):
        spec["clusterIP"] = spec["clusterIPs"][0]
    _ip_families(spec)
    if _needs_node_port(spec) and allocate_node_port is not None:
        for port in dicts(spec.get("ports")):
            if not port.get("nodePort"):
                port["nodePort"] = allocate_node_port()
    if _needs_hc_node_port(spec) and allocate_node_port is not None and \
            not spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = allocate_node_port()
