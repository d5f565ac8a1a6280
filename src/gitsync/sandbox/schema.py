"""The type tree of Kubernetes objects: what patching, apply, validation and defaulting walk.

Built-in kinds come from the OpenAPI definitions shipped by the ``kubernetes-validate`` package
(the same definitions a real API server publishes, with ``x-kubernetes-patch-merge-key``,
``x-kubernetes-list-type`` and friends); custom resources from their CRD's structural schema.
Nodes resolve ``$ref`` lazily, so recursive schemas (``JSONSchemaProps``) cost nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

#: Kubernetes version whose schemas the sandbox serves; kept in step with ``/version``.
SCHEMA_VERSION = "v1.34.0"

_PACKAGE = "kubernetes_validate"


def _definitions_path(version: str = SCHEMA_VERSION) -> Path:
    root = resources.files(_PACKAGE).joinpath("kubernetes-json-schema")
    return Path(str(root)) / f"{version}-local" / "_definitions.json"


@dataclass(frozen=True, slots=True)
class GVK:
    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


class Node:
    """One position in a schema: an object, a list, a map, a scalar or anything ('any')."""

    __slots__ = ("__dict__", "_defs", "raw")

    def __init__(self, raw: dict[str, Any], defs: dict[str, Any]) -> None:
        self.raw = raw
        self._defs = defs

    def _resolve(self, raw: dict[str, Any]) -> Node:
        ref = raw.get("$ref")
        if ref is None:
            return Node(raw, self._defs)
        target = self._defs[ref.rsplit("/", 1)[-1]]
        if len(raw) > 1:  # sibling keys (description, defaults) sit beside the $ref
            merged = dict(target)
            merged.update({k: v for k, v in raw.items() if k != "$ref"})
            return Node(merged, self._defs)
        return Node(target, self._defs)

    @cached_property
    def kind(self) -> str:
        """'object', 'array', 'map', 'scalar' or 'any'."""
        raw = self.raw
        if "properties" in raw:
            return "object"
        if "items" in raw:
            return "array"
        if isinstance(raw.get("additionalProperties"), dict):
            return "map"
        types = self.types
        if types & {"string", "integer", "number", "boolean"} or "oneOf" in raw:
            return "scalar"
        if raw.get("x-kubernetes-int-or-string"):
            return "scalar"
        if "array" in types:
            return "array"
        return "any"

    @cached_property
    def types(self) -> frozenset[str]:
        t = self.raw.get("type")
        if t is None:
            alts = self.raw.get("oneOf") or self.raw.get("anyOf") or []
            out: set[str] = set()
            for alt in alts:
                at = alt.get("type")
                out.update([at] if isinstance(at, str) else (at or []))
            if self.raw.get("x-kubernetes-int-or-string"):
                out.update({"integer", "string"})
            return frozenset(out - {"null"})
        return frozenset([t] if isinstance(t, str) else t) - {"null"}

    @cached_property
    def fields(self) -> dict[str, Node]:
        return {k: self._resolve(v) for k, v in self.raw.get("properties", {}).items()}

    def field(self, name: str) -> Node | None:
        """The schema of property ``name``; for maps, their value schema; None when unknown."""
        if self.kind == "object":
            return self.fields.get(name)
        if self.kind == "map":
            return self.items
        return None

    @cached_property
    def items(self) -> Node:
        """Element schema of a list, value schema of a map; 'any' when unspecified."""
        raw = self.raw.get("items")
        if raw is None:
            raw = self.raw.get("additionalProperties")
        if not isinstance(raw, dict):
            return ANY
        return self._resolve(raw)

    @property
    def list_type(self) -> str:
        """'atomic', 'set' or 'map' (``x-kubernetes-list-type``, or derived from patch keys)."""
        lt = self.raw.get("x-kubernetes-list-type")
        if lt:
            return str(lt)
        if self.raw.get("x-kubernetes-patch-merge-key"):
            return "map"
        return "atomic"

    @property
    def list_map_keys(self) -> tuple[str, ...]:
        keys = self.raw.get("x-kubernetes-list-map-keys")
        if keys:
            return tuple(keys)
        mk = self.raw.get("x-kubernetes-patch-merge-key")
        return (mk,) if mk else ()

    @property
    def patch_merge_key(self) -> str | None:
        return self.raw.get("x-kubernetes-patch-merge-key")

    @property
    def patch_strategies(self) -> frozenset[str]:
        s = self.raw.get("x-kubernetes-patch-strategy") or ""
        return frozenset(p for p in s.split(",") if p)

    @property
    def map_type(self) -> str:
        """'atomic' or 'granular' for objects and maps (``x-kubernetes-map-type``)."""
        return str(self.raw.get("x-kubernetes-map-type") or "granular")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.raw.get("required") or ())

    @property
    def enum(self) -> list[Any] | None:
        return self.raw.get("enum")

    @property
    def format(self) -> str | None:
        return self.raw.get("format")

    @property
    def default(self) -> Any:
        return self.raw.get("default")

    @property
    def has_default(self) -> bool:
        return "default" in self.raw

    @property
    def preserve_unknown_fields(self) -> bool:
        return bool(self.raw.get("x-kubernetes-preserve-unknown-fields")) or self.kind == "any"

    @property
    def embedded_resource(self) -> bool:
        return bool(self.raw.get("x-kubernetes-embedded-resource"))

    @property
    def description(self) -> str:
        return str(self.raw.get("description") or "")


ANY = Node({}, {})


class SchemaRegistry:
    """Root schemas by group/version/kind: built-ins from the definitions, plus CRD schemas."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self._roots: dict[GVK, Node] = {}
        self._names: dict[GVK, str] = {}
        for name, raw in definitions.items():
            for gvk in raw.get("x-kubernetes-group-version-kind") or ():
                key = GVK(gvk.get("group", ""), gvk["version"], gvk["kind"])
                # the first definition wins: io.k8s.api.* sorts before the meta types
                # that share a GVK through the "WatchEvent"/"DeleteOptions" lists
                if key not in self._roots:
                    self._roots[key] = Node(raw, definitions)
                    self._names[key] = name
        self._custom: dict[GVK, Node] = {}

    @classmethod
    def load(cls, version: str = SCHEMA_VERSION) -> SchemaRegistry:
        with open(_definitions_path(version), encoding="utf-8") as fh:
            doc = json.load(fh)
        return cls(doc["$defs"])

    def root(self, gvk: GVK) -> Node | None:
        """The schema of a whole object of this kind, or None for a kind without a schema."""
        return self._custom.get(gvk) or self._roots.get(gvk)

    def definition_name(self, gvk: GVK) -> str | None:
        return self._names.get(gvk)

    def object_meta(self) -> Node:
        return Node(self.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"],
                    self.definitions)

    def register_custom(self, gvk: GVK, open_api_v3_schema: dict[str, Any] | None) -> None:
        """Add the structural schema of a custom resource (metadata is always ObjectMeta)."""
        raw = dict(open_api_v3_schema or {"type": "object",
                                          "x-kubernetes-preserve-unknown-fields": True})
        props = dict(raw.get("properties") or {})
        props["metadata"] = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        raw["properties"] = props
        self._custom[gvk] = Node(raw, self.definitions)

    def unregister_custom(self, gvk: GVK) -> None:
        self._custom.pop(gvk, None)

    def is_custom(self, gvk: GVK) -> bool:
        return gvk in self._custom


_REGISTRY: SchemaRegistry | None = None


def builtin_registry() -> SchemaRegistry:
    """A fresh registry sharing the (immutable) built-in definitions, loaded once per process."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = SchemaRegistry.load()
    return SchemaRegistry(_REGISTRY.definitions)
