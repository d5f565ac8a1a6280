"""Server-side printing: ``meta.k8s.io/v1`` Tables for ``kubectl get``.

Built-in resources get the columns of kube-apiserver's printers (``tables_apps``,
``tables_misc``); resources without a printer get the default ``Name``/``Created At`` table;
custom resources get their CRD's ``additionalPrinterColumns`` (or ``Name``/``Age``). Rows
carry the object as ``PartialObjectMetadata`` unless ``includeObject`` asks otherwise.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from gitsync.sandbox import tables_apps, tables_misc
from gitsync.sandbox.errors import bad_request
from gitsync.sandbox.http import Request
from gitsync.sandbox.registry import ResourceType
from gitsync.sandbox.store import encode
from gitsync.sandbox.tables_fmt import (
    Obj,
    RowFunc,
    col,
    doc,
    go_text,
    human_duration,
    name,
    name_col,
    parse_time,
)

_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@functools.lru_cache(maxsize=1)
def _printers() -> dict[tuple[str, str], tuple[list[dict[str, Any]], RowFunc]]:
    return {**tables_apps.printers(), **tables_misc.printers()}


def _default_columns() -> list[dict[str, Any]]:
    """``rest.NewDefaultTableConvertor``: what the server prints without a printer."""
    return [name_col(), col("Created At", "date", description=doc(_META, "creationTimestamp"))]


def _created_at(obj: Obj) -> str:
    t = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    if t is None:
        return "0001-01-01T00:00:00Z"  # Go's zero time, as the default convertor prints it
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# --- custom resources ---------------------------------------------------------------------

_TOKEN = re.compile(r"""\.\.?([A-Za-z0-9_\-$]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]"""
                    r"""|\[\s*(-?\d+)\s*\]|\[\s*\*\s*\]|\.\*|\[\s*\?\((.*?)\)\s*\]""")
_FILTER = re.compile(r"""@((?:\.[A-Za-z0-9_\-]+)*)\s*(==|!=|<=|>=|<|>)\s*(.+)""")


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _walk(value: Any, path: str) -> list[Any]:
    """A field path like ``.a.b`` from ``value``; no result when a key is missing."""
    current = [value]
    for key in [k for k in path.split(".") if k]:
        current = [v[key] for v in current if isinstance(v, dict) and key in v]
    return current


def jsonpath(obj: Any, expr: str) -> list[Any]:
    """The values a CRD column's JSONPath selects (the subset columns use in practice)."""
    expr = expr.strip()
    if expr.startswith("{") and expr.endswith("}"):
        expr = expr[1:-1].strip()
    expr = expr.removeprefix("$")
    values = [obj]
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            return []
        pos = m.end()
        field = m.group(1) or m.group(2) or m.group(3)
        nxt: list[Any] = []
        if field is not None:
            nxt = [v[field] for v in values if isinstance(v, dict) and field in v]
        elif m.group(4) is not None:
            idx = int(m.group(4))
            nxt = [v[idx] for v in values if isinstance(v, list) and -len(v) <= idx < len(v)]
        elif m.group(5) is not None:
            fm = _FILTER.match(m.group(5).strip())
            for v in values:
                for item in v if isinstance(v, list) else []:
                    if fm is None:
                        if _walk(item, m.group(5).strip().removeprefix("@")):
                            nxt.append(item)
                        continue
                    got = _walk(item, fm.group(1))
                    want = _literal(fm.group(3))
                    if got and _compare(got[0], fm.group(2), want):
                        nxt.append(item)
        else:
            for v in values:
                nxt.extend(v.values() if isinstance(v, dict) else v if isinstance(v, list)
                           else [])
        values = nxt
    return values


def _compare(a: Any, op: str, b: Any) -> bool:
    try:
        return bool({"==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b,
                     ">=": a >= b}[op])
    except TypeError:
        return op == "!="


def _cell(kind: str, value: Any) -> Any:
    """``cellForJSONValue``: typed cells; dates become ages; mismatches become null."""
    if value is None:
        return None
    if kind == "string":
        return go_text(value)
    if kind == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "date" and isinstance(value, str):
        t = parse_time(value)
        return "<invalid>" if t is None else human_duration(time.time() - t)
    return None


def _custom(rt: ResourceType) -> tuple[list[dict[str, Any]], RowFunc]:
    specs = rt.printer_columns or [{"name": "Age", "type": "date",
                                    "jsonPath": ".metadata.creationTimestamp",
                                    "description": doc(_META, "creationTimestamp")}]
    columns = [name_col()]
    for c in specs:
        path = str(c.get("jsonPath", ""))
        columns.append(col(str(c.get("name", "")), str(c.get("type", "string")),
                           int(c.get("priority") or 0), str(c.get("format") or ""),
                           str(c.get("description") or "Custom resource definition column "
                               f"(in JSONPath format): {path}")))

    def row(obj: Obj) -> list[Any]:
        cells: list[Any] = [name(obj)]
        for c in specs:
            found = jsonpath(obj, str(c.get("jsonPath", "")))
            cells.append(_cell(str(c.get("type", "string")), found[0]) if found else None)
        return cells
    return columns, row


# --- tables -------------------------------------------------------------------------------


def printer(rt: ResourceType) -> tuple[list[dict[str, Any]], RowFunc]:
    """The columns and row function the server uses for this resource."""
    if rt.custom:
        return _custom(rt)
    found = _printers().get((rt.group, rt.plural))
    if found is not None:
        return found
    return _default_columns(), lambda obj: [name(obj), _created_at(obj)]


def _version(req: Request) -> str:
    """meta.k8s.io/v1 unless the client asked for v1beta1 Tables only."""
    for clause in req.accept.split(","):
        params = {p.strip() for p in clause.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params:
            if "v=v1" in params:
                return "meta.k8s.io/v1"
            if "v=v1beta1" in params:
                return "meta.k8s.io/v1beta1"
    return "meta.k8s.io/v1"


def _row_object(rt: ResourceType, obj: Obj, include: str, version: str) -> Any:
    if include == "None":
        return None
    if include == "Object":
        return {**obj, "apiVersion": rt.api_version} if obj.get("apiVersion") != \
            rt.api_version else obj
    return {"kind": "PartialObjectMetadata", "apiVersion": version,
            "metadata": obj.get("metadata") or {}}


def _include(req: Request) -> str:
    include = req.query.get("includeObject", "") or "Metadata"
    if include not in ("None", "Metadata", "Object"):
        raise bad_request(f'unrecognized includeObject value: "{include}"')
    return include


def table(rt: ResourceType, objs: list[dict[str, Any]], req: Request,
          list_meta: dict[str, Any] | None = None, *, headers: bool = True
          ) -> dict[str, Any]:
    """A Table of ``objs`` with the columns kube-apiserver prints for this resource."""
    include = _include(req)
    version = _version(req)
    columns, row_of = printer(rt)
    rows = []
    for obj in objs:
        row: dict[str, Any] = {"cells": row_of(obj)}
        if rt.key == ("", "pods"):
            conditions = tables_apps.pod_conditions(obj)
            if conditions:
                row["conditions"] = conditions
        row["object"] = _row_object(rt, obj, include, version)
        rows.append(row)
    if list_meta is None:
        rv = (objs[0].get("metadata") or {}).get("resourceVersion") if len(objs) == 1 else None
        list_meta = {"resourceVersion": rv} if rv else {}
    return {"kind": "Table", "apiVersion": version, "metadata": list_meta,
            "columnDefinitions": columns if headers else None, "rows": rows}


def watch_transform(rt: ResourceType, req: Request) -> Callable[[dict[str, Any]], bytes]:
    """Encode watch event objects as one-row Tables; columns only in the first one."""
    _include(req)
    state = {"first": True}

    def transform(obj: dict[str, Any]) -> bytes:
        first = state["first"]
        state["first"] = False
        return encode(table(rt, [obj], req, headers=first))
    return transform
