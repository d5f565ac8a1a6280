"""Validation of object metadata and label selectors (``apimachinery/pkg/api/validation``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitsync.sandbox import fielderr as fe
from gitsync.sandbox import formats as fm
from gitsync.sandbox.errors import Cause

Obj = Mapping[str, Any]

STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def d(v: Any) -> Obj:
    return v if type(v) is dict or isinstance(v, Mapping) else {}


def lst(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def s(v: Any) -> str:
    return v if isinstance(v, str) else ""


def validate_labels(labels: Any, path: str) -> list[Cause]:
    out: list[Cause] = []
    for k, v in d(labels).items():
        out += fe.each(fm.is_qualified_name(k), path, k)
        out += fe.each(fm.is_label_value(s(v)), path, s(v))
    return out


def validate_annotations(annotations: Any, path: str) -> list[Cause]:
    out: list[Cause] = []
    total = 0
    for k, v in d(annotations).items():
        out += fe.each(fm.is_qualified_name(k.lower()), path, k)
        total += len(k.encode()) + len(s(v).encode())
    if total > 256 * 1024:
        out.append(fe.too_long(path, 256 * 1024))
    return out


def validate_label_selector(sel: Any, path: str) -> list[Cause]:
    out: list[Cause] = []
    sel = d(sel)
    out += validate_labels(sel.get("matchLabels"), fe.child(path, "matchLabels"))
    for i, expr in enumerate(lst(sel.get("matchExpressions"))):
        p = fe.index(fe.child(path, "matchExpressions"), i)
        expr = d(expr)
        op = s(expr.get("operator"))
        values = lst(expr.get("values"))
        if op in ("In", "NotIn"):
            if not values:
                out.append(fe.required(fe.child(p, "values"),
                                       "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                out.append(fe.forbidden(
                    fe.child(p, "values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            out.append(fe.invalid(fe.child(p, "operator"), op, "not a valid selector operator"))
        key = s(expr.get("key"))
        out += fe.each(fm.is_qualified_name(key), fe.child(p, "key"), key)
        for j, v in enumerate(values):
            out += fe.each(fm.is_label_value(s(v)), fe.index(fe.child(p, "values"), j), s(v))
    return out


def selector_valid(sel: Any) -> bool:
    return all(d(e).get("operator") in ("In", "NotIn", "Exists", "DoesNotExist")
               for e in lst(d(sel).get("matchExpressions")))


def selector_empty(sel: Any) -> bool:
    sel = d(sel)
    return not sel.get("matchLabels") and not sel.get("matchExpressions")


def selector_matches(sel: Any, labels: Any) -> bool:
    sel, labels = d(sel), d(labels)
    for k, v in d(sel.get("matchLabels")).items():
        if labels.get(k) != v:
            return False
    for e in lst(sel.get("matchExpressions")):
        e = d(e)
        name, op, values = s(e.get("key")), e.get("operator"), lst(e.get("values"))
        present = name in labels
        if op == "In" and not (present and labels[name] in values):
            return False
        if op == "NotIn" and present and labels[name] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def validate_kube_finalizers(finalizers: Any, path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, f in enumerate(lst(finalizers)):
        f = s(f)
        p = fe.index(path, i)
        out += fe.each(fm.is_qualified_name(f), p, f)
        if "/" not in f and f not in STANDARD_FINALIZERS:
            out.append(fe.invalid(p, f, "name is neither a standard finalizer name nor is it "
                                        "fully qualified"))
    return out
