"""Field errors as ``k8s.io/apimachinery/pkg/util/validation/field`` words them.

A field error becomes one ``Cause`` of a 422 Invalid: its reason (``FieldValueInvalid``...), its
message (the error body, e.g. ``Invalid value: "x": must be ...``) and its field path.  Bad values
are printed as Go prints them there: strings quoted, numbers bare, other values with ``%#v``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gitsync.sandbox.errors import Cause

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
NOT_FOUND = "FieldValueNotFound"
TYPE_INVALID = "FieldValueTypeInvalid"

IMMUTABLE = "field is immutable"


class GoRepr:
    """A bad value whose Go rendering is already known (structs, typed slices)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(s: str) -> str:
    """``strconv.Quote``: a double-quoted Go string literal."""
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_number(v: float | int) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    return str(v)


def go_string_map(m: Mapping[str, Any] | None) -> str:
    """``%#v`` of a ``map[string]string`` (keys sorted, as fmt prints maps)."""
    if m is None:
        return "map[string]string(nil)"
    inner = ", ".join(f"{go_quote(k)}:{go_quote(str(m[k]))}" for k in sorted(m))
    return "map[string]string{" + inner + "}"


def go_string_slice(items: Sequence[Any] | None, type_name: str = "[]string") -> str:
    if items is None:
        return f"{type_name}(nil)"
    return type_name + "{" + ", ".join(go_quote(str(x)) for x in items) + "}"


def _go_any(v: Any) -> str:
    """``%#v`` of an unstructured (``interface{}``) value."""
    if v is None:
        return "interface {}(nil)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_number(v)
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, Mapping):
        inner = ", ".join(f"{go_quote(k)}:{_go_any(v[k])}" for k in sorted(v))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(v, list | tuple):
        return "[]interface {}{" + ", ".join(_go_any(x) for x in v) + "}"
    return go_quote(str(v))


def go_label_selector(sel: Mapping[str, Any] | None) -> str:
    """``%#v`` of a ``metav1.LabelSelector`` as it appears in immutability errors."""
    sel = sel or {}
    labels = sel.get("matchLabels")
    exprs = sel.get("matchExpressions")
    if exprs:
        parts = []
        for e in exprs:
            parts.append(
                "v1.LabelSelectorRequirement{Key:" + go_quote(str(e.get("key", ""))) +
                ", Operator:" + go_quote(str(e.get("operator", ""))) +
                ", Values:" + go_string_slice(e.get("values")) + "}")
        exprs_text = "[]v1.LabelSelectorRequirement{" + ", ".join(parts) + "}"
    else:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    return ("v1.LabelSelector{MatchLabels:" + go_string_map(labels) +
            ", MatchExpressions:" + exprs_text + "}")


def go_value(v: Any) -> str:
    """How ``field.Error`` prints a bad value."""
    if isinstance(v, GoRepr):
        return v.text
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return go_number(v)
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, Mapping) and all(isinstance(x, str) for x in v.values()):
        return go_string_map(v)
    if isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
        return go_string_slice(v)
    return _go_any(v)


# -- paths -------------------------------------------------------------------------------------

def child(path: str, *names: str) -> str:
    for name in names:
        path = f"{path}.{name}" if path else name
    return path


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def key(path: str, k: str) -> str:
    return f"{path}[{k}]"


# -- errors ------------------------------------------------------------------------------------

def _body(title: str, detail: str) -> str:
    return f"{title}: {detail}" if detail else title


def required(path: str, detail: str = "") -> Cause:
    return Cause(REQUIRED, _body("Required value", detail), path)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause(INVALID, _body(f"Invalid value: {go_value(value)}", detail), path)


def type_invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause(TYPE_INVALID, _body(f"Invalid value: {go_value(value)}", detail), path)


def not_supported(path: str, value: Any, valid: Iterable[str]) -> Cause:
    quoted = ", ".join(go_quote(v) for v in valid)
    detail = f"supported values: {quoted}" if quoted else ""
    return Cause(NOT_SUPPORTED, _body(f"Unsupported value: {go_value(value)}", detail), path)


def duplicate(path: str, value: Any) -> Cause:
    return Cause(DUPLICATE, f"Duplicate value: {go_value(value)}", path)


def not_found(path: str, value: Any) -> Cause:
    return Cause(NOT_FOUND, f"Not found: {go_value(value)}", path)


def forbidden(path: str, detail: str) -> Cause:
    return Cause(FORBIDDEN, _body("Forbidden", detail), path)


def too_long(path: str, max_length: int) -> Cause:
    unit = "byte" if max_length == 1 else "bytes"
    return Cause(TOO_LONG, f"Too long: may not be more than {max_length} {unit}", path)


def too_many(path: str, actual: int, max_items: int) -> Cause:
    unit = "item" if max_items == 1 else "items"
    return Cause(TOO_MANY, f"Too many: {actual}: must have at most {max_items} {unit}", path)


def immutable(path: str, value: Any) -> Cause:
    return invalid(path, value, IMMUTABLE)


def nonnegative(value: Any, path: str) -> list[Cause]:
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def each(msgs: Iterable[str], path: str, value: Any) -> list[Cause]:
    """One ``Invalid`` cause per message of a format check."""
    return [invalid(path, value, m) for m in msgs]
