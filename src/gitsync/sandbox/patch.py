"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes strategic merge patch.

Each behaves, and fails, as kube-apiserver does with the same body: evanphx/json-patch v4 for the
first two, ``k8s.io/apimachinery/pkg/util/strategicpatch`` for the third. Inputs are never
mutated and results share no containers with them, so callers may edit what they get back.
"""

from __future__ import annotations

import math
import re
import sys
from decimal import Decimal
from itertools import chain
from typing import Any, cast

from gitsync.sandbox.errors import (
    ApiError,
    bad_request,
    generic_invalid,
    request_entity_too_large,
    unknown_error,
)
from gitsync.sandbox.schema import Node

__all__ = ["MAX_JSON_PATCH_OPERATIONS", "json_patch", "merge_patch", "strategic_merge_patch"]

#: kube-apiserver refuses longer JSON patches with 413 before applying anything.
MAX_JSON_PATCH_OPERATIONS = 10000

_MARK = "$patch"
_RETAIN = "$retainKeys"
_DELETE_PREFIX = "$deleteFromPrimitiveList"
_ORDER_PREFIX = "$setElementOrder"
_INDEX = re.compile(r"-?[0-9]+\Z")
_NOTHING = object()


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _json_word(value: Any) -> str:
    """How Go's ``UnmarshalTypeError`` names a JSON value."""
    return {dict: "object", list: "array", str: "string", bool: "bool"}.get(_kind(value), "number")


# --- RFC 6902 ------------------------------------------------------------------------------


class _Failure(Exception):
    """Why an operation did not apply; the apiserver hides it behind a generic 422."""


def json_patch(doc: Any, operations: Any) -> Any:
    """Apply an RFC 6902 JSON patch to a copy of ``doc``."""
    if operations is None:  # Go decodes null into an empty patch
        operations = []
    if not isinstance(operations, list):
        raise bad_request(f"json: cannot unmarshal {_json_word(operations)} into Go value of "
                          f"type jsonpatch.Patch")
    for op in operations:
        if op is not None and not isinstance(op, dict):
            raise bad_request(f"json: cannot unmarshal {_json_word(op)} into Go value of "
                              f"type jsonpatch.Operation")
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise request_entity_too_large(
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
            f"got {len(operations)}")
    result = _copy(doc)
    try:
        for op in operations:
            _apply_op(result, op or {})
    except _Failure as exc:
        # kube-apiserver answers every failed operation with the same opaque 422
        raise generic_invalid() from exc
    return result


def _apply_op(doc: Any, op: dict[str, Any]) -> None:
    kind = op.get("op")
    if kind == "test":
        if not _json_equal(_take(doc, _pointer(op, "path"), False), op.get("value")):
            raise _Failure(f"testing value {op.get('path')} failed")
        return
    if kind in ("move", "copy"):
        value = _take(doc, _pointer(op, "from"), kind == "move")
        value = _copy(value) if kind == "copy" else value
    elif kind in ("add", "replace"):
        value = _copy(op.get("value"))  # an absent value is null to evanphx/json-patch v4
    elif kind != "remove":
        raise _Failure(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")
    path = _pointer(op, "path")
    if kind == "remove":
        _take(doc, path, True)
        return
    if kind == "replace":
        _take(doc, path, False)  # the target must exist
    con, key = _locate(doc, path, kind != "replace")
    if isinstance(con, dict):
        con[str(key)] = value
    elif kind == "replace":
        con[int(key)] = value
    else:
        con.insert(int(key), value)


def _pointer(op: dict[str, Any], member: str) -> list[str]:
    path = op.get(member)
    if not isinstance(path, str):
        raise _Failure(f"operation missing {member} field")
    # evanphx/json-patch v4 cannot address the whole document, so neither can the apiserver
    if not path.startswith("/"):
        raise _Failure(f"doc is missing path: {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(token: str, size: int) -> int:
    if not _INDEX.match(token):
        raise _Failure(f"value was not a proper array index: {token!r}")
    i = int(token)
    if i < 0:  # evanphx/json-patch counts negative indices from the end
        i += size
    if not 0 <= i < size:
        raise _Failure(f"Unable to access invalid index: {token}")
    return i


def _locate(doc: Any, path: list[str], insert: bool = False
            ) -> tuple[dict[str, Any] | list[Any], str | int]:
    """The container the pointer ends in, and the key or index in it."""
    cur = doc
    for token in path[:-1]:
        if isinstance(cur, dict) and token in cur:
            cur = cur[token]
        elif isinstance(cur, list):
            cur = cur[_index(token, len(cur))]
        else:
            raise _Failure(f"doc is missing path at {token!r}")
    key = path[-1]
    if isinstance(cur, dict):
        return cur, key
    if not isinstance(cur, list):
        raise _Failure(f"doc is missing path at {key!r}")
    if insert and key == "-":
        return cur, len(cur)
    return cur, _index(key, len(cur) + insert)


def _take(doc: Any, path: list[str], remove: bool) -> Any:
    con, key = _locate(doc, path)
    if isinstance(con, dict):
        if key not in con:
            raise _Failure(f"doc is missing key: {key}")
        return con.pop(str(key)) if remove else con[str(key)]
    return con.pop(int(key)) if remove else con[int(key)]


def _json_equal(a: Any, b: Any) -> bool:
    """RFC 6902 equality: numbers by value, but booleans are not numbers."""
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_json_equal(v, b[k]) for k, v in a.items()))
    if isinstance(a, list):
        return (isinstance(b, list) and len(a) == len(b)
                and all(_json_equal(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None:
        return type(a) is type(b) and a == b
    return isinstance(b, (int, float)) and a == b


# --- RFC 7386 ------------------------------------------------------------------------------


def merge_patch(doc: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch to a copy of ``doc``."""
    if not isinstance(patch, (dict, list)):
        raise bad_request("Invalid JSON Patch")
    if isinstance(patch, list) or not isinstance(doc, dict):
        # a list comes back as is (decoding it as an object fails later, with a 422)
        return _strip(patch, directives=False)[0]
    return _merge_docs(_copy(doc), patch)


def _merge_docs(doc: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    for k, v in patch.items():
        if v is None:
            doc.pop(k, None)
            continue
        cur = doc.get(k)
        if isinstance(cur, dict):
            # evanphx prunes nulls everywhere but here: a non-object replacing an object
            doc[k] = _merge_docs(cur, v) if isinstance(v, dict) else _copy(v)
        else:
            doc[k] = _strip(v, directives=False)[0]
    return doc


# --- strategic merge patch -------------------------------------------------------------------


def strategic_merge_patch(doc: dict[str, Any], patch: dict[str, Any],
                          schema: Node | None) -> dict[str, Any]:
    """Apply a Kubernetes strategic merge patch; without a schema, a JSON merge patch."""
    if patch is None:  # Go decodes null into an empty map
        return cast(dict[str, Any], _copy(doc))
    if not isinstance(patch, dict):
        raise bad_request(f"json: cannot unmarshal {_json_word(patch)} into Go value of type "
                          f"map[string]interface {{}}")
    if schema is None:
        return cast(dict[str, Any], merge_patch(doc, patch))
    return _merge_map(_copy(doc) if isinstance(doc, dict) else {}, patch, schema)


def _merge_map(original: dict[str, Any], patch: dict[str, Any],
               node: Node | None) -> dict[str, Any]:
    """Merge ``patch`` into ``original``, which this module owns and may change in place."""
    if _MARK in patch:
        directive = patch[_MARK]
        if directive == "replace":
            return cast(dict[str, Any], _strip({k: v for k, v in patch.items() if k != _MARK})[0])
        if directive == "delete":
            return {}
        raise unknown_error(f"unknown patch type: {_gos(directive)} in map: {_gofmt(patch)}")
    done = {_RETAIN}
    if _RETAIN in patch:
        _retain_keys(original, patch)
    for key in patch:
        if key.startswith(_ORDER_PREFIX):
            done.add(key)
            done.add(_set_element_order(original, patch, key, node))
    for key, value in patch.items():
        if key in done:
            continue
        deletion = key.startswith(_DELETE_PREFIX)
        if deletion:
            key = _extract_key(key, _DELETE_PREFIX)
        if value is None:
            original.pop(key, None)
            continue
        current = original.get(key, _NOTHING)
        if current is _NOTHING or _kind(current) is not _kind(value):
            if not deletion:
                value, keep = _strip(value, drop_marked=True)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue
        field = node.field(key) if node is not None else None
        if isinstance(current, dict):
            if _meta(field)[0] == "replace":
                original[key] = _strip(value)[0]
            else:
                original[key] = _merge_map(current, value, field)
        elif isinstance(current, list):
            original[key] = _merge_list_field(current, value, field, deletion)
        else:
            original[key] = value
    return original


def _kind(value: Any) -> type:
    return dict if isinstance(value, dict) else list if isinstance(value, list) else type(value)


def _meta(field: Node | None) -> tuple[str, str]:
    """(patch strategy, merge key) of a field, as its ``x-kubernetes-patch-*`` say."""
    if field is None:
        return "", ""
    strategies = field.patch_strategies
    strategy = "merge" if "merge" in strategies else "replace" if "replace" in strategies else ""
    return strategy, field.patch_merge_key or ""


def _is_directive(key: str) -> bool:
    return key.startswith("$") and (key in (_MARK, _RETAIN)
                                    or key.startswith((_ORDER_PREFIX + "/", _DELETE_PREFIX + "/")))


def _strip(value: Any, drop_marked: bool = False, directives: bool = True) -> tuple[Any, bool]:
    """A copy of a patch value taken as is, without nulls in maps (null list elements stay).

    Strategic merge patch also drops directive keys: the apiserver keeps them, and nulls, only
    until it decodes the result into a typed object, which drops both; objects here stay
    dicts, so they go now. With ``drop_marked`` (where the apiserver calls
    ``removeDirectives``) a map carrying ``$patch`` goes whole; the bool says whether to keep.
    """
    if isinstance(value, dict):
        if drop_marked and _MARK in value:
            return None, False
        out: dict[str, Any] = {}
        for k, v in value.items():
            if v is not None and not (directives and _is_directive(k)):
                v, keep = _strip(v, drop_marked, directives)
                if keep:
                    out[k] = v
        return out, True
    if isinstance(value, list):
        kept = (_strip(v, drop_marked, directives) for v in value)
        return [v for v, keep in kept if keep], True
    return value, True


def _extract_key(key: str, prefix: str) -> str:
    head, slash, rest = key.partition("/")
    if not slash or head != prefix:
        what = "primitive list" if prefix == _DELETE_PREFIX else "setElementOrder list"
        raise bad_request(f"invalid patch format of {what}")
    return rest


def _retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    keys = patch[_RETAIN]
    if not isinstance(keys, list):
        raise bad_request("invalid patch format of retainKeys")
    retained = {k for k in keys if isinstance(k, str)}
    for k, v in patch.items():
        if (k != _RETAIN and v is not None and k not in retained
                and not k.startswith((_DELETE_PREFIX, _ORDER_PREFIX))):
            raise bad_request("invalid patch format of retainKeys")
    for k in [k for k in original if k not in retained]:
        del original[k]


def _set_element_order(original: dict[str, Any], patch: dict[str, Any], key: str,
                       node: Node | None) -> str:
    """Apply ``$setElementOrder/<field>`` with its list; returns the field, now consumed."""
    order = patch[key]
    if not isinstance(order, list):
        raise _bad_arg("[]interface {}", order)
    name = _extract_key(key, _ORDER_PREFIX)
    current, value = original.get(name, _NOTHING), patch.get(name, _NOTHING)
    for found in (current, value):
        if found is not _NOTHING and not isinstance(found, list):
            raise _bad_arg("[]interface {}", found)
    field = node.field(name) if node is not None else None
    merge_key = _meta(field)[1]
    if value is not _NOTHING:
        _check_order(value, order, merge_key)
    if current is not _NOTHING and value is not _NOTHING:
        merged = _merge_list_field(current, value, field, False)
    elif current is not _NOTHING:
        merged = current
    elif value is not _NOTHING:
        merged = _strip(value, drop_marked=True)[0]
    else:
        return name
    current = [] if current is _NOTHING else current
    value = [] if value is _NOTHING else value
    kind = _element_kind(current, value)
    listed, others = _partition(merged, order, merge_key)
    original[name] = _normalize(listed, others, order, current, merge_key, kind)
    return name


def _merge_list_field(current: list[Any], value: list[Any], field: Node | None,
                      deletion: bool) -> list[Any]:
    strategy, merge_key = _meta(field)
    if strategy != "merge" or field is None:
        return cast(list[Any], _strip(value)[0])
    return _merge_list(current, value, field.items, merge_key, deletion)


def _merge_list(original: list[Any], patch: list[Any], element: Node, merge_key: str,
                deletion: bool) -> list[Any]:
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind is not dict:
        if deletion:
            gone = {_key(v) for v in patch}
            return [v for v in original if _key(v) not in gone]
        unique: dict[Any, Any] = {}
        for v in chain(original, patch):
            unique.setdefault(_key(v), v)
        merged, merge_key = list(unique.values()), ""
    else:
        if not merge_key:
            go_kind = "struct" if element.kind == "object" else "string"
            raise unknown_error(f"cannot merge lists without merge key for type {go_kind}")
        original, patch = _special_elements(original, patch, merge_key)
        merged = _merge_items(original, patch, merge_key, element)
    listed, others = _partition(merged, patch, merge_key)
    return _normalize(listed, others, patch, original, merge_key, kind)


def _special_elements(original: list[Any], patch: list[Any],
                      merge_key: str) -> tuple[list[Any], list[Any]]:
    """Apply ``$patch`` list elements; returns (original, patch) left to merge."""
    rest, replace = [], False
    for item in patch:
        if _MARK not in item:
            rest.append(item)
            continue
        directive = item[_MARK]
        if directive == "delete":
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            gone = _key(item, merge_key)
            original = [o for o in original if not (merge_key in o and _key(o, merge_key) == gone)]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise unknown_error("merging lists cannot yet be specified in the patch")
        else:
            raise unknown_error(f"unknown patch type: {_gos(directive)} in map: {_gofmt(item)}")
    if replace:
        return [_strip(v)[0] for v in rest], []
    return original, rest


def _merge_items(original: list[Any], patch: list[Any], merge_key: str,
                 element: Node) -> list[Any]:
    merged = list(original)
    where: dict[Any, int] = {}
    for i, o in enumerate(merged):
        if merge_key in o:
            where.setdefault(_key(o, merge_key), i)
    for item in patch:
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        i = where.setdefault(_key(item, merge_key), len(merged))
        if i == len(merged):
            merged.append(_strip(item)[0])
        else:
            merged[i] = _merge_map(merged[i], item, element)
    return merged


def _element_kind(original: list[Any], patch: list[Any]) -> type:
    first: type | None = None
    for v in chain(original, patch):
        kind = _kind(v)
        if first is None:
            if kind is list:
                raise generic_invalid()  # mergepatch.ErrNoListOfLists: a 422
            first = kind
        elif kind is not first:
            raise unknown_error(f"list element types are not identical: "
                                f"{_gofmt([original, patch])}")
    if first is None:
        raise unknown_error("no elements in any of the given slices")
    return first


def _check_order(patch: list[Any], order: list[Any], merge_key: str) -> None:
    """The patch list must follow ``$setElementOrder`` (deletions and directives aside)."""
    if not order or not patch:
        return
    items = patch
    if merge_key:
        bad = [v for v in patch if not isinstance(v, dict)]
        if bad:
            raise _bad_arg("map[string]interface {}", bad[0])
        items = [v for v in patch if v.get(_MARK) != "delete"]
    i = j = 0
    while i < len(items) and j < len(order):
        if isinstance(items[i], dict) and _MARK in items[i]:
            i += 1
            continue
        if merge_key:
            _check_merge_keys([items[i], order[j]], merge_key)
        if _key(items[i], merge_key) == _key(order[j], merge_key):
            i += 1
        j += 1
    if i < len(items):
        raise unknown_error(f"the order in patch list:\n{_gofmt(patch)}\n doesn't match "
                            f"{_ORDER_PREFIX} list:\n{_gofmt(order)}")


def _key(item: Any, merge_key: str = "") -> Any:
    """Go's ``==`` on an item, or on its merge key: 1, 1.0 and true differ; maps never match."""
    if merge_key:
        item = item.get(merge_key) if isinstance(item, dict) else None
    kind = type(item)
    return (kind, id(item)) if kind is dict or kind is list else (kind, item)


def _check_merge_keys(items: list[Any], merge_key: str) -> None:
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg("map[string]interface {}", item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)


def _partition(merged: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Split into the items named in ``by`` and the rest, keeping order within each."""
    if merge_key:
        _check_merge_keys(merged, merge_key)
    wanted = {_key(v, merge_key) for v in by}
    listed: list[Any] = []
    others: list[Any] = []
    for v in merged:
        (listed if _key(v, merge_key) in wanted else others).append(v)
    return listed, others


def _positions(order: list[Any], merge_key: str) -> dict[Any, int]:
    pos: dict[Any, int] = {}
    for i, v in enumerate(order):
        pos.setdefault(_key(v, merge_key), i)
    return pos


def _sort_by(items: list[Any], pos: dict[Any, int], merge_key: str, kind: type) -> list[Any]:
    """Stable sort by position in an order list; ``$patch: delete`` elements go last."""
    deleted = [v for v in items if v.get(_MARK) == "delete"] if kind is dict else []
    if deleted:
        items = [v for v in items if v.get(_MARK) != "delete"]
    return sorted(items, key=lambda v: pos.get(_key(v, merge_key), sys.maxsize)) + deleted


def _normalize(listed: list[Any], others: list[Any], patch_order: list[Any],
               server_order: list[Any], merge_key: str, kind: type) -> list[Any]:
    """Patch items in patch order, server-only items in server order, interleaved.

    A server-only item goes before a patch item only when both are in the live list and it
    came first there, so new items land in front, as ``normalizeElementOrder`` does.
    """
    if kind is dict:
        for items in (listed, patch_order, others, server_order):
            _check_merge_keys(items, merge_key)
    server = _positions(server_order, merge_key)
    listed = _sort_by(listed, _positions(patch_order, merge_key), merge_key, kind)
    others = _sort_by(others, server, merge_key, kind)
    listed_at = [server.get(_key(v, merge_key)) for v in listed]
    others_at = [server.get(_key(v, merge_key)) for v in others]
    out: list[Any] = []
    i = j = 0
    while i < len(others) and j < len(listed):
        left, right = others_at[i], listed_at[j]
        if left is not None and right is not None and left < right:
            out.append(others[i])
            i += 1
        else:
            out.append(listed[j])
            j += 1
    return out + listed[j:] + others[i:]


# --- Go's formatting, for the messages the apiserver passes through -------------------------


def _no_merge_key(item: dict[str, Any], merge_key: str) -> ApiError:
    return unknown_error(f"map: {_gofmt(item)} does not contain declared merge key: {merge_key}")


def _bad_arg(expected: str, actual: Any) -> ApiError:
    return unknown_error(f"expected a {expected}, but received a {_go_type(actual)}")


_GO_TYPES = {type(None): "%!s(<nil>)", bool: "bool", int: "int64", float: "float64",
             str: "string", list: "[]interface {}", dict: "map[string]interface {}"}


def _go_type(value: Any) -> str:
    """``reflect.TypeOf(value)`` as ``%s`` prints it."""
    return _GO_TYPES.get(_kind(value), "%!s(<nil>)")


def _gos(value: Any) -> str:
    """Go's ``%s``."""
    if isinstance(value, str):
        return value
    return "%!s(<nil>)" if value is None else f"%!s({_go_type(value)}={_gofmt(value)})"


def _gofmt(value: Any) -> str:
    """Go's ``%v`` of decoded JSON: ``map[k:v ...]`` with sorted keys, ``[a b]``, ``<nil>``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_gofmt(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_gofmt(v) for v in value) + "]"
    if isinstance(value, float):
        return _gofloat(value)
    return str(value)


def _gofloat(f: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)``: shortest digits, exponent form past 1e6."""
    if math.isnan(f) or math.isinf(f):
        return "NaN" if math.isnan(f) else "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(f)).normalize().as_tuple()
    digits, neg = "".join(map(str, digit_tuple)), "-" if sign else ""
    x = len(digits) + int(exponent) - 1
    if x < -4 or x >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if x < 0:
        return f"{neg}0.{'0' * (-x - 1)}{digits}"
    whole, frac = digits[:x + 1].ljust(x + 1, "0"), digits[x + 1:]
    return neg + whole + ("." + frac if frac else "")
