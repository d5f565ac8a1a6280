"""Discovery documents: verbatim for built-in groups, generated for CRDs, legacy and aggregated."""

from __future__ import annotations

import copy
from typing import Any

from gitsync.sandbox.registry import ResourceRegistry, ResourceType

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

#: what ``/version`` reports: the Kubernetes version whose discovery and schemas are served
VERSION_INFO = {
    "major": "1",
    "minor": "34",
    "emulationMajor": "1",
    "emulationMinor": "34",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "33",
    "gitVersion": "v1.34.0",
    "gitCommit": "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T10:09:56Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def wants_aggregated(accept: str) -> str | None:
    """The aggregated media type the client asked for first, if any."""
    for part in accept.split(","):
        p = part.strip().replace(" ", "")
        if "as=APIGroupDiscoveryList" in p and "g=apidiscovery.k8s.io" in p:
            if "v=v2beta1" in p:
                return AGGREGATED_V2BETA1
            if "v=v2" in p:
                return AGGREGATED_V2
    return None


def legacy_versions(registry: ResourceRegistry, address: str) -> dict[str, Any]:
    doc = copy.deepcopy(registry.legacy_versions)
    doc["serverAddressByClientCIDRs"] = [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]
    return doc


def group_list(registry: ResourceRegistry) -> dict[str, Any]:
    doc = copy.deepcopy(registry.group_list)
    for group, versions in registry.custom_groups().items():
        doc["groups"].append(_group_entry(group, versions))
    return doc


def group(registry: ResourceRegistry, name: str) -> dict[str, Any] | None:
    for g in group_list(registry)["groups"]:
        if g["name"] == name:
            return {"kind": "APIGroup", "apiVersion": "v1", **g}
    return None


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    ordered = sorted(versions, key=version_priority)
    vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in ordered]
    return {"name": group, "versions": vs, "preferredVersion": vs[0]}


def resource_list(registry: ResourceRegistry, group_version: str) -> dict[str, Any] | None:
    doc = registry.resource_lists.get(group_version)
    return doc


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if rt.categories:
        entry["categories"] = list(rt.categories)
    entry["resource"] = rt.plural
    entry["responseKind"] = {"group": rt.group, "kind": rt.kind, "version": rt.version}
    entry["scope"] = "Namespaced" if rt.namespaced else "Cluster"
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    entry["singularResource"] = rt.singular
    subs = []
    for s in sorted(rt.subresources.values(), key=lambda s: s.name):
        kind = s.kind or rt.gvk
        subs.append({"responseKind": {"group": kind.group, "kind": kind.kind,
                                      "version": kind.version},
                     "subresource": s.name, "verbs": sorted(s.verbs)})
    if subs:
        entry["subresources"] = subs
    entry["verbs"] = sorted(rt.verbs)
    return entry


def aggregated(registry: ResourceRegistry, media_type: str) -> dict[str, Any]:
    """``/apis`` in the aggregated form, built-in groups verbatim plus CRD groups."""
    doc = copy.deepcopy(registry.aggregated)
    for grp, versions in registry.custom_groups().items():
        items = []
        for v in sorted(versions, key=version_priority):
            rts = [rt for rt in registry.custom_types() if rt.group == grp and rt.version == v]
            items.append({"freshness": "Current", "version": v,
                          "resources": [_aggregated_resource(rt)
                                        for rt in sorted(rts, key=lambda r: r.plural)]})
        doc["items"].append({"metadata": {"creationTimestamp": None, "name": grp},
                             "versions": items})
    if media_type == AGGREGATED_V2BETA1:
        doc["apiVersion"] = "apidiscovery.k8s.io/v2beta1"
    return doc


def aggregated_core(registry: ResourceRegistry, media_type: str) -> dict[str, Any]:
    """``/api`` in the aggregated form (the core group's one version)."""
    rts = [rt for rt in registry.all() if rt.group == "" and rt.version == "v1"]
    api_version = ("apidiscovery.k8s.io/v2beta1" if media_type == AGGREGATED_V2BETA1
                   else "apidiscovery.k8s.io/v2")
    return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version,
            "metadata": {},
            "items": [{"metadata": {"creationTimestamp": None},
                       "versions": [{"version": "v1", "freshness": "Current",
                                     "resources": [_aggregated_resource(rt) for rt in
                                                   sorted(rts, key=lambda r: r.plural)]}]}]}


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Kubernetes version order: GA before beta before alpha, higher numbers first."""
    import re
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, version)
    major = int(m.group(1))
    stage = {"": 0, "beta": 1, "alpha": 2}[m.group(2) or ""]
    minor = int(m.group(3) or 0)
    return (stage, -major, -minor, version)
