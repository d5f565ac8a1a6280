"""Cell formatting shared by the table printers: ages, selectors, labels, quantities."""

from __future__ import annotations

import functools
import json
import time
from calendar import timegm
from collections.abc import Callable
from typing import Any

from gitsync.sandbox import quantity
from gitsync.sandbox.schema import builtin_registry

Obj = dict[str, Any]
Row = list[Any]
#: a printer: the cells of one object (always the wide set: clients hide priority columns)
RowFunc = Callable[[Obj], Row]

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."


@functools.lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    return builtin_registry().definitions


def doc(definition: str, field: str) -> str:
    """A field's API documentation (what ``SwaggerDoc()`` gives the real printers)."""
    if not definition.startswith("io.k8s."):
        definition = "io.k8s.api." + definition
    raw = _definitions().get(definition) or {}
    prop = (raw.get("properties") or {}).get(field) or {}
    return str(prop.get("description") or "")


def col(name: str, typ: str = "string", priority: int = 0, fmt: str = "",
        description: str = "") -> dict[str, Any]:
    """One ``TableColumnDefinition``."""
    return {"name": name, "type": typ, "format": fmt, "description": description,
            "priority": priority}


def name_col() -> dict[str, Any]:
    """The ``Name`` column every printer starts with."""
    return col("Name", fmt="name", description=doc(_META + "ObjectMeta", "name"))


def age_col() -> dict[str, Any]:
    """The ``Age`` column (a string cell: the server formats the age itself)."""
    return col("Age", description=doc(_META + "ObjectMeta", "creationTimestamp"))


def parse_time(ts: Any) -> float | None:
    """Seconds since the epoch of an RFC 3339 timestamp (``metav1.Time``/``MicroTime``)."""
    if not isinstance(ts, str) or len(ts) < 19:
        return None
    try:
        base = timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None
    rest = ts[19:]
    frac = 0.0
    if rest.startswith("."):
        digits = ""
        for ch in rest[1:]:
            if not ch.isdigit():
                break
            digits += ch
        frac = float("0." + digits) if digits else 0.0
        rest = rest[1 + len(digits):]
    if rest and rest not in ("Z", "z"):
        sign = -1 if rest[0] == "-" else 1
        try:
            hours, minutes = int(rest[1:3]), int(rest[4:6])
        except ValueError:
            return None
        base -= sign * (hours * 3600 + minutes * 60)
    return base + frac


def human_duration(seconds: float) -> str:
    """apimachinery's ``duration.HumanDuration``: 45s, 2m30s, 5h, 3d4h, 2y10d."""
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60 * 2:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(ts: Any) -> str:
    """``translateTimestampSince``: the age of a timestamp, ``<unknown>`` when unset."""
    t = parse_time(ts)
    if t is None:
        return "<unknown>"
    return human_duration(time.time() - t)


def age(obj: Obj) -> str:
    """The AGE cell of an object."""
    return since((obj.get("metadata") or {}).get("creationTimestamp"))


def name(obj: Obj) -> str:
    """The NAME cell of an object."""
    return str((obj.get("metadata") or {}).get("name", ""))


def format_labels(labels: Any) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs or ``<none>``."""
    if not isinstance(labels, dict) or not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def selector_string(sel: Any) -> str:
    """``LabelSelectorAsSelector(sel).String()``: requirements sorted by key."""
    if not isinstance(sel, dict):
        return ""
    reqs: list[tuple[str, str]] = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, f"{k}={v}"))
    for expr in sel.get("matchExpressions") or []:
        key = expr.get("key", "")
        values = ",".join(sorted(expr.get("values") or []))
        op = expr.get("operator", "")
        text = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                "Exists": key, "DoesNotExist": f"!{key}"}.get(op)
        if text is None:
            return "<error>"
        reqs.append((key, text))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def format_selector(sel: Any) -> str:
    """``metav1.FormatLabelSelector``: ``<none>`` for nil or empty selectors."""
    if sel is None:
        return "<none>"
    text = selector_string(sel)
    return text or "<none>"


def quantity_string(value: Any) -> str:
    """``Quantity.String()``: the canonical form."""
    if value is None:
        return "0"
    try:
        return quantity.canonical(value)
    except (ValueError, TypeError):
        return str(value)


def int_or_string(value: Any) -> str:
    """``IntOrString.String()``."""
    return str(value)


def containers_cells(containers: Any) -> tuple[str, str]:
    """``layoutContainerCells``: comma-joined names and images."""
    items = containers if isinstance(containers, list) else []
    return (",".join(str(c.get("name", "")) for c in items),
            ",".join(str(c.get("image", "")) for c in items))


def template_containers(obj: Obj) -> tuple[str, str]:
    """Container names and images of a controller's pod template."""
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return containers_cells(spec.get("containers"))


def bool_ptr(value: Any) -> str:
    """``printBoolPtr``: True, False or ``<unset>``."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def condition_true(conditions: Any, kind: str) -> bool:
    """True when the first condition of this type has status True."""
    for cond in conditions or []:
        if cond.get("type") == kind:
            return bool(cond.get("status") == "True")
    return False


def go_text(value: Any) -> str:
    """How Go's ``fmt.Fprint`` and JSONPath print a JSON value in a string column."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    return str(value)
