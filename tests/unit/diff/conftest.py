"""Fixtures for the diff tests: YAML objects, list keys from a table and from the real schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitsync.diff.schema_keys import SchemaListKeys, list_keys_from_definitions

FIXTURES = Path(__file__).with_name("fixtures")

#: merge keys of the lists the fixtures use, as the Kubernetes schema declares them
TABLE: dict[tuple[str, ...], tuple[str, ...]] = {
    ("spec", "template", "spec", "containers"): ("name",),
    ("spec", "template", "spec", "containers", "ports"): ("containerPort", "protocol"),
    ("spec", "template", "spec", "containers", "env"): ("name",),
    ("spec", "template", "spec", "volumes"): ("name",),
    ("spec", "ports"): ("port", "protocol"),
    ("metadata", "finalizers"): (),
}


class DictListKeys:
    """ListKeys from a small table, the same for every kind."""

    def __init__(self, table: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> None:
        self.table = TABLE if table is None else table

    def __call__(self, api_version: str, kind: str, path: tuple[str, ...], /) -> \
            tuple[str, ...] | None:
        return self.table.get(path)


@cache
def _raw(name: str) -> Any:
    return yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())


def load(name: str) -> Any:
    """A fresh copy of ``fixtures/<name>.yaml``."""
    return copy.deepcopy(_raw(name))


@cache
def definitions() -> dict[str, Any]:
    """The newest ``_definitions.json`` kubernetes_validate ships."""
    from kubernetes_validate.utils import latest_version

    root = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    path = root / f"v{latest_version()}-local" / "_definitions.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="session")
def schema_keys() -> SchemaListKeys:
    return list_keys_from_definitions(definitions())


@pytest.fixture
def table_keys() -> DictListKeys:
    return DictListKeys()


DELETE = object()


def edit(obj: Any, edits: dict[str, Any]) -> Any:
    """Apply ``{"spec.template.spec.containers.0.image": "x", "a.b": DELETE}`` to a copy."""
    out = copy.deepcopy(obj)
    for dotted, value in edits.items():
        *parents, last = dotted.split("|") if "|" in dotted else dotted.split(".")
        node = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        elif isinstance(node, list) and key == len(node):
            node.append(value)
        else:
            node[key] = value
    return out


Edit = Callable[[Any], Any]
