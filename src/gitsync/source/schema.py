"""Client-side schema check of built-in kinds, from the OpenAPI data of ``kubernetes-validate``.

Like the API server's strict decoding, it reports unknown fields and values of the wrong JSON
type, with the field's path. Kinds the data does not know (custom resources) are not checked;
enums and required fields are left to the server, whose rules are richer than the schema.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from gitsync.model.reader import type_name
from gitsync.source.manifests import YPath

_PACKAGE = "kubernetes_validate"
_LABELS = {"string": "a string", "integer": "an integer", "number": "a number",
           "boolean": "a boolean", "object": "a mapping", "array": "a list"}


def _data_dir() -> Path | None:
    # find_spec locates the package without importing it (its import pulls in jsonschema)
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name))


@cache
def _definitions() -> tuple[dict[str, Any], dict[tuple[str, str, str], str]]:
    """The newest schema set's definitions, and (group, version, kind) -> definition name."""
    root = _data_dir()
    if root is None or not root.is_dir():
        return {}, {}
    # newest: manifests may use fields older clusters lack; the server has the last word
    dirs = sorted((d for d in root.iterdir() if re.fullmatch(r"v[\d.]+-local", d.name)),
                  key=lambda d: _version_key(d.name))
    if not dirs:
        return {}, {}
    defs: dict[str, Any] = json.loads((dirs[-1] / "_definitions.json").read_text())["$defs"]
    index: dict[tuple[str, str, str], str] = {}
    for name, node in defs.items():
        for gvk in node.get("x-kubernetes-group-version-kind") or ():
            # DeleteOptions, WatchEvent… list every group; a real kind lists its own
            index.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
    return defs, index


def definitions() -> dict[str, Any]:
    """The built-in kinds' OpenAPI definitions (``$defs``), loaded once per process."""
    return _definitions()[0]


def is_known(api_version: str, kind: str) -> bool:
    """True when the schema data describes this built-in kind."""
    return _root(api_version, kind) is not None


def check(obj: dict[str, Any]) -> tuple[YPath, str] | None:
    """The first schema problem of ``obj`` as (field path, one-line message), or None."""
    node = _root(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
    if node is None:
        return None
    return _walk(node, obj, ())


def dotted(path: YPath) -> str:
    """``spec.containers[0].image`` for ``("spec", "containers", 0, "image")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _root(api_version: str, kind: str) -> dict[str, Any] | None:
    defs, index = _definitions()
    group, _, version = api_version.rpartition("/")
    name = index.get((group, version, kind))
    return defs[name] if name else None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    defs, _ = _definitions()
    target: dict[str, Any] = defs[ref.rsplit("/", 1)[-1]]
    return target


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("type")
    types = [raw] if isinstance(raw, str) else list(raw or [])
    return [t for t in types if t != "null"]


def _fits(value: Any, t: str) -> bool:
    if t == "string":
        return isinstance(value, str)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    return True


def _walk(node: dict[str, Any], value: Any, path: YPath) -> tuple[YPath, str] | None:
    node = _resolve(node)
    if value is None:  # null means "not set" for every field
        return None
    choices = [_types(_resolve(b)) for b in node.get("oneOf") or ()] or [_types(node)]
    allowed = [t for ts in choices for t in ts]
    if allowed and not any(_fits(value, t) for t in allowed):
        expected = " or ".join(dict.fromkeys(_LABELS.get(t, t) for t in allowed))
        return path, f"{dotted(path)}: must be {expected}, not {type_name(value)}"
    if isinstance(value, dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        for key, item in value.items():
            if props is not None and key in props:
                found = _walk(props[key], item, (*path, key))
            elif isinstance(extra, dict):
                found = _walk(extra, item, (*path, key))
            elif props is not None and not extra:
                return (*path, key), f'unknown field "{dotted((*path, key))}"'
            else:
                found = None
            if found:
                return found
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            found = _walk(node["items"], item, (*path, i))
            if found:
                return found
    return None
