"""Decoding an object against its schema, as kube-apiserver's decoder and pruning do it.

Built-in kinds are decoded into Go structs: a value of the wrong JSON type fails the whole request
with 400 BadRequest (``json: cannot unmarshal string into Go struct field DeploymentSpec.spec.
replicas of type int32``), unknown fields are dropped, quantities are re-printed canonically.
Custom resources are decoded as-is and then pruned to their structural schema; there a wrong
type, an enum miss or a missing required field is a 422 Invalid cause.

Unknown and duplicate fields follow ``fieldValidation``: ``Strict`` makes them a 400
(``strict decoding error: unknown field "spec.foo"``), ``Warn`` (the default) returns them as
``Warning`` headers, ``Ignore`` drops them silently.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from gitsync.sandbox import fielderr as fe
from gitsync.sandbox import quantity
from gitsync.sandbox.errors import ApiError, Cause, bad_request
from gitsync.sandbox.schema import GVK, Node

Mode = Literal["Strict", "Warn", "Ignore"]
MODES: tuple[str, ...] = ("Strict", "Warn", "Ignore")

_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass
class SchemaReport:
    """What decoding found; the object itself has been pruned and normalized in place."""

    mode: str = "Warn"
    unknown_fields: list[str] = field(default_factory=list)
    duplicate_fields: list[str] = field(default_factory=list)
    #: built-in kinds: the Go decoding error that fails the request (400), if any
    decode_error: str | None = None
    #: custom resources: schema violations, to be reported with the 422 of validation
    causes: list[Cause] = field(default_factory=list)
    #: strict errors in the order the decoder met them
    strict: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """``Warning`` header texts (``Warn`` mode), one per unknown or duplicate field."""
        return list(self.strict) if self.mode == "Warn" else []

    def message(self, gvk: GVK) -> str | None:
        """The 400 BadRequest message, or None when decoding succeeds."""
        prefix = f'{gvk.kind} in version "{gvk.version}" cannot be handled as a {gvk.kind}: '
        if self.decode_error is not None:
            return prefix + self.decode_error
        if self.mode == "Strict" and self.strict:
            return prefix + "strict decoding error: " + ", ".join(self.strict)
        return None

    def error(self, gvk: GVK) -> ApiError | None:
        msg = self.message(gvk)
        return None if msg is None else bad_request(msg)


# -- Go type names ------------------------------------------------------------------------------

_DEF_NAMES: dict[int, dict[int, str]] = {}


def _def_names(defs: dict[str, Any]) -> dict[int, str]:
    names = _DEF_NAMES.get(id(defs))
    if names is None:
        names = {}
        for name, raw in defs.items():
            props = raw.get("properties")
            if isinstance(props, dict):
                names[id(props)] = name
        _DEF_NAMES[id(defs)] = names
    return names


def _struct_name(node: Node) -> str:
    """``DeploymentSpec``: the Go struct a schema node decodes into."""
    props = node.raw.get("properties")
    name = _def_names(node._defs).get(id(props), "") if props is not None else ""
    return name.rsplit(".", 1)[-1]


def _go_type(node: Node) -> str:
    kind = node.kind
    if kind == "object":
        props = node.raw.get("properties")
        full = _def_names(node._defs).get(id(props), "") if props is not None else ""
        parts = full.split(".")
        return f"{parts[-2]}.{parts[-1]}" if len(parts) >= 2 else "struct {}"
    if kind == "array":
        return "[]" + _go_type(node.items)
    if kind == "map":
        return "map[string]" + _go_type(node.items)
    if kind == "any":
        return "interface {}"
    types = node.types
    if types == {"integer", "string"}:
        return "int32"
    if "string" in types:
        return "[]uint8" if node.format == "byte" else "string"
    if "integer" in types:
        return node.format if node.format in _INT_RANGE else "int64"
    if "number" in types:
        return "float64"
    if "boolean" in types:
        return "bool"
    return "interface {}"


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"


def _openapi_kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


# -- base64 as Go's StdEncoding decodes it ------------------------------------------------------

_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_error(s: str) -> str | None:
    """``illegal base64 data at input byte N`` for what ``base64.StdEncoding`` refuses."""
    n, si = len(s), 0
    while si < n:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return f"illegal base64 data at input byte {si - j}"
            ch = s[si]
            si += 1
            if ch in _B64:
                j += 1
                continue
            if ch in "\r\n":
                continue
            if ch != "=" or j < 2:
                return f"illegal base64 data at input byte {si - 1}"
            if j == 2:
                while si < n and s[si] in "\r\n":
                    si += 1
                if si == n:
                    return f"illegal base64 data at input byte {n}"
                if s[si] != "=":
                    return f"illegal base64 data at input byte {si - 1}"
                si += 1
            while si < n and s[si] in "\r\n":
                si += 1
            return f"illegal base64 data at input byte {si}" if si < n else None
    return None


# -- per-node tables ----------------------------------------------------------------------------

# What a node is to the decoder, worked out once per node (cached on it like Node's own
# properties): (_OBJECT, {field: spec}, struct name), (_MAP, item spec, None-becomes-""),
# (_ARRAY, item spec, None-becomes-{}), (_SCALAR, scalar code, int range or None), (_ANY,).
# A spec is (node, anything goes, strings go, lowest int, highest int, booleans go): which
# values decoding leaves as they are with nothing to report, so the walk skips them.
_OBJECT, _MAP, _ARRAY, _SCALAR, _ANY = range(5)
(_QUANTITY, _INT_OR_STRING, _STRING, _BYTES, _INTEGER, _NUMBER, _BOOLEAN,
 _OTHER) = range(8)
_INFO_ATTR = "_gitsync_decode_info"
Spec = tuple[Node, bool, bool, float, float, bool]


def _info(node: Node) -> tuple[Any, ...]:
    got: tuple[Any, ...] | None = node.__dict__.get(_INFO_ATTR)
    if got is None:
        got = node.__dict__[_INFO_ATTR] = _classify(node)
    return got


def _classify(node: Node) -> tuple[Any, ...]:
    kind = node.kind
    if kind == "object":
        return (_OBJECT, {k: _spec(sub) for k, sub in node.fields.items()}, _struct_name(node))
    if kind == "map":
        item = node.items
        return (_MAP, _spec(item), item.kind == "scalar" and "string" in item.types)
    if kind == "array":
        return (_ARRAY, _spec(node.items), node.items.kind == "object")
    if kind != "scalar":
        return (_ANY,)
    types = node.types
    if types == {"number", "string"}:
        return (_SCALAR, _QUANTITY, None)
    if types == {"integer", "string"}:
        return (_SCALAR, _INT_OR_STRING, None)
    if "string" in types:
        return (_SCALAR, _BYTES if node.format == "byte" else _STRING, None)
    if "integer" in types:
        return (_SCALAR, _INTEGER, _INT_RANGE.get(node.format or "int64", _INT_RANGE["int64"]))
    if "number" in types:
        return (_SCALAR, _NUMBER, None)
    if "boolean" in types:
        return (_SCALAR, _BOOLEAN, None)
    return (_SCALAR, _OTHER, None)


def _spec(node: Node) -> Spec:
    kind = node.kind  # no deeper: recursive schemas must not be walked here
    if kind != "scalar":
        return (node, kind not in ("object", "map", "array"), False, 1, 0, False)
    code = _info(node)[1]
    lo, hi = (_info(node)[2] if code == _INTEGER else
              (-math.inf, math.inf) if code == _NUMBER else (1, 0))
    return (node, False, code in (_STRING, _INT_OR_STRING), lo, hi, code == _BOOLEAN)


# -- the walk -----------------------------------------------------------------------------------

class _Walk:
    __slots__ = ("custom", "decode_error", "duplicates", "report")

    def __init__(self, report: SchemaReport, custom: bool, duplicates: set[str]) -> None:
        self.report = report
        self.custom = custom
        self.duplicates = duplicates
        self.decode_error: str | None = None

    # built-ins: the first Go type error wins, like encoding/json's savedError
    def type_error(self, value: Any, node: Node, stack: list[str], struct: str,
                   what: str | None = None) -> None:
        if self.decode_error is not None:
            return
        what = what or _json_kind(value)
        go_type = _go_type(node)
        if stack:
            self.decode_error = (f"json: cannot unmarshal {what} into Go struct field "
                                 f"{struct}.{'.'.join(stack)} of type {go_type}")
        else:
            self.decode_error = f"json: cannot unmarshal {what} into Go value of type {go_type}"

    def unknown(self, path: str) -> None:
        self.report.unknown_fields.append(path)
        self.report.strict.append(f'unknown field "{path}"')

    def seen(self, path: str) -> None:
        if path in self.duplicates:
            self.duplicates.discard(path)
            self.report.duplicate_fields.append(path)
            self.report.strict.append(f'duplicate field "{path}"')

    # -- built-in kinds --

    def builtin(self, value: Any, node: Node, path: str, stack: list[str], struct: str) -> Any:
        """Check ``value`` against ``node``; returns the value to store (normalized)."""
        info = _info(node)
        kind = info[0]
        if kind == _OBJECT:
            if not isinstance(value, dict):
                self.type_error(value, node, stack, struct)
                return value
            name = info[2]
            fields = info[1]
            dups = self.duplicates
            for k in list(value):
                if dups:
                    self.seen(f"{path}.{k}" if path else k)
                sp = fields.get(k)
                if sp is None:
                    self.unknown(f"{path}.{k}" if path else k)
                    del value[k]
                    continue
                v = value[k]
                if v is None:
                    del value[k]
                    continue
                if sp[1]:
                    continue
                t = type(v)
                if (t is str and sp[2]) or (t is int and sp[3] <= v <= sp[4]) or (
                        t is bool and sp[5]):
                    continue
                stack.append(k)
                got = self.builtin(v, sp[0], f"{path}.{k}" if path else k, stack, name)
                stack.pop()
                if got is not v:
                    value[k] = got
            return value
        if kind == _MAP:
            if not isinstance(value, dict):
                self.type_error(value, node, stack, struct)
                return value
            sp = info[1]
            dups = self.duplicates
            for k in list(value):
                if dups:
                    self.seen(f"{path}.{k}")
                v = value[k]
                if v is None:
                    if info[2]:
                        value[k] = ""
                    continue
                if sp[1]:
                    continue
                t = type(v)
                if (t is str and sp[2]) or (t is int and sp[3] <= v <= sp[4]) or (
                        t is bool and sp[5]):
                    continue
                got = self.builtin(v, sp[0], f"{path}.{k}", stack, struct)
                if got is not v:
                    value[k] = got
            return value
        if kind == _ARRAY:
            if not isinstance(value, list):
                self.type_error(value, node, stack, struct)
                return value
            sp = info[1]
            for i, v in enumerate(value):
                if v is None:
                    if info[2]:
                        value[i] = {}
                    continue
                if sp[1]:
                    continue
                t = type(v)
                if (t is str and sp[2]) or (t is int and sp[3] <= v <= sp[4]) or (
                        t is bool and sp[5]):
                    continue
                got = self.builtin(v, sp[0], f"{path}[{i}]", stack, struct)
                if got is not v:
                    value[i] = got
            return value
        if kind == _SCALAR:
            return self.scalar(value, node, stack, struct)
        return value

    def scalar(self, value: Any, node: Node, stack: list[str], struct: str) -> Any:
        code = _info(node)[1]
        if code == _QUANTITY:  # resource.Quantity
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self._fail(quantity.QUANTITY_REGEX_ERROR)
                return value
            try:
                return quantity.canonical(value)
            except quantity.QuantityError as exc:
                self._fail(str(exc))
                return value
        if code == _INT_OR_STRING:  # intstr.IntOrString
            if isinstance(value, str):
                return value
            return self._integer(value, node, stack, struct, "int32")
        if code in (_STRING, _BYTES):
            if not isinstance(value, str):
                self.type_error(value, node, stack, struct)
                return value
            if code == _BYTES:
                err = base64_error(value)
                if err:
                    self._fail(err)
            return value
        if code == _INTEGER:
            return self._integer(value, node, stack, struct, node.format or "int64")
        if code == _NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.type_error(value, node, stack, struct)
            return value
        if code == _BOOLEAN and not isinstance(value, bool):
            self.type_error(value, node, stack, struct)
        return value

    def _integer(self, value: Any, node: Node, stack: list[str], struct: str,
                 fmt: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.type_error(value, node, stack, struct)
            return value
        if isinstance(value, float):
            if not value.is_integer():
                self.type_error(value, node, stack, struct, f"number {fe.go_number(value)}")
                return value
            value = int(value)
        lo, hi = _INT_RANGE.get(fmt, _INT_RANGE["int64"])
        if not lo <= value <= hi:
            self.type_error(value, node, stack, struct, f"number {value}")
        return value

    def _fail(self, message: str) -> None:
        if self.decode_error is None:
            self.decode_error = message

    # -- custom resources --

    def custom_value(self, value: Any, node: Node, path: str) -> None:
        raw = node.raw
        if not self._custom_type(value, raw, path):
            return
        causes = self.report.causes
        enum = raw.get("enum")
        if enum is not None and value not in enum:
            causes.append(fe.not_supported(path, value, [
                v if isinstance(v, str) else json.dumps(v) for v in enum]))
        if isinstance(value, dict):
            self._custom_object(value, node, path)
        elif isinstance(value, list):
            self._custom_list(value, node, path)
        elif isinstance(value, str):
            self._custom_string(value, raw, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._custom_number(value, raw, path)

    def _custom_type(self, value: Any, raw: dict[str, Any], path: str) -> bool:
        t = raw.get("type")
        if t is None or raw.get("x-kubernetes-int-or-string"):
            if raw.get("x-kubernetes-int-or-string") and not (
                    isinstance(value, str) or _openapi_kind(value) == "integer"):
                self.report.causes.append(fe.type_invalid(
                    path, _openapi_kind(value),
                    f"{path} in body must be of type integer,string: "
                    f"{fe.go_quote(_openapi_kind(value))}"))
                return False
            return True
        actual = _openapi_kind(value)
        ok = actual == t or (t == "number" and actual == "integer")
        if not ok:
            self.report.causes.append(fe.type_invalid(
                path, actual, f"{path} in body must be of type {t}: {fe.go_quote(actual)}"))
        return ok

    def _custom_object(self, value: dict[str, Any], node: Node, path: str) -> None:
        raw = node.raw
        props = raw.get("properties")
        additional = raw.get("additionalProperties")
        preserve = bool(raw.get("x-kubernetes-preserve-unknown-fields"))
        embedded = bool(raw.get("x-kubernetes-embedded-resource"))
        fields = node.fields if props is not None else {}
        for k in list(value):
            sub_path = f"{path}.{k}" if path else k
            self.seen(sub_path)
            v = value[k]
            if props is not None and k in fields:
                sub: Node | None = fields[k]
            elif isinstance(additional, dict):
                sub = node.items
            elif (embedded and k in ("apiVersion", "kind", "metadata")) or preserve \
                    or additional is True:
                continue
            else:
                sub = None
            if sub is None:
                self.unknown(sub_path)
                del value[k]
                continue
            if v is None and (sub.raw.get("nullable") or sub.has_default):
                if not sub.raw.get("nullable"):
                    del value[k]
                continue
            if k == "metadata" and not path:
                self.builtin(v, sub, sub_path, [k], "")
                continue
            self.custom_value(v, sub, sub_path)
        for req in raw.get("required") or ():
            if req not in value:
                self.report.causes.append(fe.required(f"{path}.{req}" if path else req))
        self._count(len(value), raw, path, "properties")

    def _custom_list(self, value: list[Any], node: Node, path: str) -> None:
        raw = node.raw
        item = node.items
        for i, v in enumerate(value):
            if v is None and item.raw.get("nullable"):
                continue
            self.custom_value(v, item, f"{path}[{i}]")
        n = len(value)
        if "maxItems" in raw and n > raw["maxItems"]:
            self.report.causes.append(fe.too_many(path, n, raw["maxItems"]))
        if "minItems" in raw and n < raw["minItems"]:
            self.report.causes.append(fe.invalid(
                path, fe.GoRepr(str(n)),
                f"{path} in body should have at least {raw['minItems']} items"))

    def _count(self, n: int, raw: dict[str, Any], path: str, what: str) -> None:
        if "maxProperties" in raw and n > raw["maxProperties"]:
            self.report.causes.append(fe.too_many(path, n, raw["maxProperties"]))
        if "minProperties" in raw and n < raw["minProperties"]:
            self.report.causes.append(fe.invalid(
                path, fe.GoRepr(str(n)),
                f"{path} in body should have at least {raw['minProperties']} {what}"))

    def _custom_string(self, value: str, raw: dict[str, Any], path: str) -> None:
        causes = self.report.causes
        if "maxLength" in raw and len(value) > raw["maxLength"]:
            causes.append(fe.too_long(path, raw["maxLength"]))
        if "minLength" in raw and len(value) < raw["minLength"]:
            causes.append(fe.invalid(
                path, value, f"{path} in body should be at least {raw['minLength']} chars long"))
        pattern = raw.get("pattern")
        if pattern is not None and re.search(pattern, value) is None:
            causes.append(fe.invalid(path, value, f"{path} in body should match '{pattern}'"))

    def _custom_number(self, value: float, raw: dict[str, Any], path: str) -> None:
        causes = self.report.causes
        if "maximum" in raw:
            mx = raw["maximum"]
            if raw.get("exclusiveMaximum") and value >= mx:
                causes.append(fe.invalid(path, value,
                                         f"{path} in body should be less than {fe.go_number(mx)}"))
            elif value > mx:
                causes.append(fe.invalid(
                    path, value, f"{path} in body should be less than or equal to "
                                 f"{fe.go_number(mx)}"))
        if "minimum" in raw:
            mn = raw["minimum"]
            if raw.get("exclusiveMinimum") and value <= mn:
                causes.append(fe.invalid(
                    path, value, f"{path} in body should be greater than {fe.go_number(mn)}"))
            elif value < mn:
                causes.append(fe.invalid(
                    path, value, f"{path} in body should be greater than or equal to "
                                 f"{fe.go_number(mn)}"))


def check_schema(obj: dict[str, Any], schema: Node, *, mode: str = "Warn",
                 custom: bool = False, duplicates: Iterable[str] = ()) -> SchemaReport:
    """Decode ``obj`` against ``schema`` in place: prune unknown fields, normalize, report.

    ``custom`` selects custom-resource semantics (structural schema validation and pruning)
    instead of decoding into a built-in Go type.  ``duplicates`` are the paths of duplicated
    keys found in the request body (see :func:`duplicate_fields`); a parsed dict cannot show them.
    """
    if mode not in MODES:
        mode = "Warn"
    report = SchemaReport(mode=mode)
    walk = _Walk(report, custom, set(duplicates))
    if custom:
        walk._custom_object(obj, schema, "")
    else:
        walk.builtin(obj, schema, "", [], _struct_name(schema))
    for left in sorted(walk.duplicates):  # duplicates under pruned or untyped parts
        report.duplicate_fields.append(left)
        report.strict.append(f'duplicate field "{left}"')
    report.decode_error = walk.decode_error
    if mode == "Ignore":
        report.strict = []
    return report


def duplicate_fields(body: str | bytes) -> list[str]:
    """Paths (``spec.replicas``, ``spec.containers[0].name``) of keys repeated in a JSON body."""
    found: list[str] = []

    def visit(value: Any, path: str) -> None:
        if isinstance(value, _Pairs):
            seen: set[str] = set()
            for k, v in value.pairs:
                sub = f"{path}.{k}" if path else k
                if k in seen and sub not in found:
                    found.append(sub)
                seen.add(k)
                visit(v, sub)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                visit(v, f"{path}[{i}]")

    try:
        json.loads(body, object_pairs_hook=_no_repeats)
        return []  # the common case, told without building paths
    except _Repeated:
        pass
    except ValueError:
        return []
    parsed = json.loads(body, object_pairs_hook=_Pairs)
    visit(parsed, "")
    return found


class _Repeated(Exception):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> None:
    if len(pairs) > 1 and len(dict(pairs)) != len(pairs):
        raise _Repeated


class _Pairs:
    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs
