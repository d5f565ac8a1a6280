"""The resource types the sandbox serves: built from real discovery documents plus CRDs."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from gitsync.sandbox.schema import GVK

#: Resources that accept a PUT for an object that does not exist yet (AllowCreateOnUpdate).
_CREATE_ON_UPDATE = {("", "endpoints"), ("", "events"), ("events.k8s.io", "events"),
                     ("coordination.k8s.io", "leases")}


@dataclass(frozen=True, slots=True)
class Subresource:
    name: str
    verbs: frozenset[str]
    #: group/version/kind answered by the subresource (autoscaling/v1 Scale for ``scale``)
    kind: GVK | None = None


@dataclass(slots=True)
class ResourceType:
    """One REST resource (``deployments.apps``) at one version."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: frozenset[str]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: dict[str, Subresource] = field(default_factory=dict)
    custom: bool = False
    #: CRD columns for tables and the scale subresource paths for custom resources
    printer_columns: list[dict[str, Any]] = field(default_factory=list)
    scale_paths: dict[str, str] = field(default_factory=dict)

    @property
    def gvk(self) -> GVK:
        return GVK(self.group, self.version, self.kind)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: objects are shared by every version of a group's resource."""
        return (self.group, self.plural)

    @property
    def storable(self) -> bool:
        return "create" in self.verbs and "get" in self.verbs

    @property
    def create_on_update(self) -> bool:
        return self.key in _CREATE_ON_UPDATE

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources


def _data(name: str) -> Any:
    path = resources.files("gitsync.sandbox").joinpath("data", "discovery", name)
    return json.loads(path.read_text(encoding="utf-8"))


def _from_resource_list(doc: dict[str, Any]) -> list[ResourceType]:
    gv = doc["groupVersion"]
    group, _, version = gv.rpartition("/")
    out: dict[str, ResourceType] = {}
    subs: list[dict[str, Any]] = []
    for r in doc["resources"]:
        if "/" in r["name"]:
            subs.append(r)
            continue
        out[r["name"]] = ResourceType(
            group=group, version=version, plural=r["name"], singular=r.get("singularName", ""),
            kind=r["kind"], namespaced=r["namespaced"], verbs=frozenset(r.get("verbs", ())),
            short_names=tuple(r.get("shortNames", ())), categories=tuple(r.get("categories", ())))
    for r in subs:
        parent, sub = r["name"].split("/", 1)
        if parent in out:
            kind = GVK(r["group"], r["version"], r["kind"]) if r.get("version") else None
            out[parent].subresources[sub] = Subresource(sub, frozenset(r.get("verbs", ())), kind)
    return list(out.values())


def _from_aggregated(group: str, version: dict[str, Any]) -> list[ResourceType]:
    out = []
    for r in version["resources"]:
        rt = ResourceType(
            group=group, version=version["version"], plural=r["resource"],
            singular=r.get("singularResource", ""), kind=r["responseKind"]["kind"],
            namespaced=r["scope"] == "Namespaced", verbs=frozenset(r.get("verbs", ())),
            short_names=tuple(r.get("shortNames", ())), categories=tuple(r.get("categories", ())))
        for s in r.get("subresources", ()):
            rk = s.get("responseKind") or {}
            kind = GVK(rk["group"], rk["version"], rk["kind"]) if rk.get("version") else None
            rt.subresources[s["subresource"]] = Subresource(
                s["subresource"], frozenset(s.get("verbs", ())), kind)
        out.append(rt)
    return out


class ResourceRegistry:
    """Lookup of served resource types by path segments, kind or short name."""

    def __init__(self) -> None:
        self.core_list: dict[str, Any] = _data("api__v1.json")
        self.group_list: dict[str, Any] = _data("apis.json")
        self.aggregated: dict[str, Any] = _data("aggregated_v2.json")
        self.legacy_versions: dict[str, Any] = _data("api.json")
        #: verbatim APIResourceList documents by group/version ("v1" for core)
        self.resource_lists: dict[str, dict[str, Any]] = {"v1": self.core_list}
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        for rt in _from_resource_list(self.core_list):
            self._add(rt)
        files = {p.name for p in resources.files("gitsync.sandbox").joinpath(
            "data", "discovery").iterdir()}
        for g in self.group_list["groups"]:
            for v in g["versions"]:
                fname = f"apis__{g['name']}__{v['version']}.json"
                if fname in files:
                    doc = _data(fname)
                    self.resource_lists[v["groupVersion"]] = doc
                    for rt in _from_resource_list(doc):
                        self._add(rt)
        # group-versions without their own document: derive both from the aggregated form
        for item in self.aggregated["items"]:
            gname = item["metadata"]["name"]
            for v in item["versions"]:
                gv = f"{gname}/{v['version']}"
                if gv in self.resource_lists:
                    continue
                rts = _from_aggregated(gname, v)
                for rt in rts:
                    self._add(rt)
                self.resource_lists[gv] = _resource_list_doc(gv, rts)
        for g in self.group_list["groups"]:
            for v in g["versions"]:
                self.resource_lists.setdefault(v["groupVersion"],
                                               _resource_list_doc(v["groupVersion"], []))
        self._custom_groups: dict[str, list[str]] = {}

    def _add(self, rt: ResourceType) -> None:
        self._types[(rt.group, rt.version, rt.plural)] = rt

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._types.get((group, version, plural))

    def all(self) -> list[ResourceType]:
        return list(self._types.values())

    def by_kind(self, group: str, kind: str) -> ResourceType | None:
        """The preferred-version resource of a group/kind (first listed wins)."""
        for rt in self._types.values():
            if rt.group == group and rt.kind == kind:
                return rt
        return None

    def versions_of(self, group: str, plural: str) -> list[ResourceType]:
        return [rt for rt in self._types.values() if rt.group == group and rt.plural == plural]

    # --- custom resources -------------------------------------------------------------------

    def add_custom(self, types: list[ResourceType]) -> None:
        """Serve the versions of one CRD (replacing what it served before)."""
        if not types:
            return
        self.remove_custom(types[0].group, types[0].plural)
        for rt in types:
            self._add(rt)
            versions = self._custom_groups.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
            self._rebuild_custom_list(rt.group, rt.version)

    def remove_custom(self, group: str, plural: str) -> list[ResourceType]:
        gone = [rt for rt in self._types.values()
                if rt.group == group and rt.plural == plural and rt.custom]
        for rt in gone:
            del self._types[(rt.group, rt.version, rt.plural)]
            self._rebuild_custom_list(rt.group, rt.version)
        return gone

    def _rebuild_custom_list(self, group: str, version: str) -> None:
        gv = f"{group}/{version}"
        rts = [rt for rt in self._types.values()
               if rt.group == group and rt.version == version and rt.custom]
        if rts:
            self.resource_lists[gv] = _resource_list_doc(gv, rts)
            return
        self.resource_lists.pop(gv, None)
        versions = self._custom_groups.get(group, [])
        if version in versions:
            versions.remove(version)
        if not versions:
            self._custom_groups.pop(group, None)

    def custom_groups(self) -> dict[str, list[str]]:
        return {g: list(v) for g, v in self._custom_groups.items()}

    def custom_types(self) -> list[ResourceType]:
        return [rt for rt in self._types.values() if rt.custom]


def _resource_list_doc(gv: str, rts: list[ResourceType]) -> dict[str, Any]:
    resources_: list[dict[str, Any]] = []
    for rt in sorted(rts, key=lambda r: r.plural):
        entry: dict[str, Any] = {}
        if rt.categories:
            entry["categories"] = list(rt.categories)
        entry.update(kind=rt.kind, name=rt.plural, namespaced=rt.namespaced)
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        entry["singularName"] = rt.singular
        entry["verbs"] = sorted(rt.verbs)
        resources_.append(entry)
        for sub in sorted(rt.subresources.values(), key=lambda s: s.name):
            se: dict[str, Any] = {}
            if sub.kind and sub.kind.version:
                se["group"] = sub.kind.group
            se.update(kind=sub.kind.kind if sub.kind else rt.kind,
                      name=f"{rt.plural}/{sub.name}", namespaced=rt.namespaced,
                      singularName="", verbs=sorted(sub.verbs))
            if sub.kind and sub.kind.version:
                se["version"] = sub.kind.version
            resources_.append(se)
    doc: dict[str, Any] = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                           "resources": resources_}
    return copy.deepcopy(doc)
