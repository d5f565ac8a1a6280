"""CustomResourceDefinitions: the resource types and schemas a CRD adds to the server."""

from __future__ import annotations

from typing import Any

from gitsync.sandbox.registry import ResourceType, Subresource
from gitsync.sandbox.schema import GVK, SchemaRegistry

_CR_VERBS = frozenset({"create", "delete", "deletecollection", "get", "list", "patch",
                       "update", "watch"})
_SUB_VERBS = frozenset({"get", "patch", "update"})


def resource_types(crd: dict[str, Any]) -> list[ResourceType]:
    """The served versions of a CRD as resource types (storage shared across versions)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = spec.get("group", "")
    namespaced = spec.get("scope", "Namespaced") == "Namespaced"
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served", True):
            continue
        subs: dict[str, Subresource] = {}
        sub_spec = v.get("subresources") or {}
        if "status" in sub_spec:
            subs["status"] = Subresource("status", _SUB_VERBS)
        scale_paths: dict[str, str] = {}
        if "scale" in sub_spec:
            subs["scale"] = Subresource("scale", _SUB_VERBS, GVK("autoscaling", "v1", "Scale"))
            scale_paths = {k: str(val) for k, val in (sub_spec["scale"] or {}).items()}
        out.append(ResourceType(
            group=group, version=v.get("name", ""), plural=names.get("plural", ""),
            singular=names.get("singular") or names.get("kind", "").lower(),
            kind=names.get("kind", ""), namespaced=namespaced, verbs=_CR_VERBS,
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()), subresources=subs, custom=True,
            printer_columns=list(v.get("additionalPrinterColumns") or []),
            scale_paths=scale_paths))
    return out


def register_schemas(schemas: SchemaRegistry, crd: dict[str, Any]) -> None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    for v in spec.get("versions") or []:
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        schemas.register_custom(GVK(spec.get("group", ""), v.get("name", ""),
                                    names.get("kind", "")), schema)


def unregister_schemas(schemas: SchemaRegistry, crd: dict[str, Any]) -> None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    for v in spec.get("versions") or []:
        schemas.unregister_custom(GVK(spec.get("group", ""), v.get("name", ""),
                                      names.get("kind", "")))
