"""Label selectors (equality- and set-based) and field selectors, parsed as the apiserver does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gitsync.sandbox.errors import ApiError, bad_request

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    op: str  # '=', '!=', 'in', 'notin', 'exists', '!'
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        # '!=' and 'notin' match objects without the label too
        return not present or labels[self.key] not in self.values


def _split_top(expr: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in expr:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_SET = re.compile(r"^(\S+)\s+(in|notin)\s+\((.*)\)$")


def _check(key: str, values: frozenset[str], selector: str) -> None:
    if not _KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise bad_request(f"unable to parse requirement: invalid label key \"{key}\": "
                          f"name part must consist of alphanumeric characters, '-', '_' or '.', "
                          f"and must start and end with an alphanumeric character")
    for v in values:
        if len(v) > 63 or not _VALUE.match(v):
            raise bad_request(f"unable to parse requirement: values[0][{key}]: Invalid value: "
                              f"\"{v}\": a valid label must be an empty string or consist of "
                              f"alphanumeric characters, '-', '_' or '.', and must start and end "
                              f"with an alphanumeric character")


def parse_label_selector(selector: str | None) -> list[Requirement]:
    """Parse ``a=b,c!=d,e in (f,g),!h,i`` into requirements; 400 BadRequest when malformed."""
    if not selector:
        return []
    reqs: list[Requirement] = []
    for part in _split_top(selector):
        m = _SET.match(part)
        if m:
            vals = frozenset(v.strip() for v in m.group(3).split(",") if v.strip())
            _check(m.group(1), vals, selector)
            reqs.append(Requirement(m.group(1), m.group(2), vals))
            continue
        if part.startswith("!"):
            key = part[1:].strip()
            _check(key, frozenset(), selector)
            reqs.append(Requirement(key, "!"))
            continue
        for op in ("!=", "==", "="):
            if op in part:
                key, _, val = part.partition(op)
                key, val = key.strip(), val.strip()
                _check(key, frozenset({val}), selector)
                reqs.append(Requirement(key, "!=" if op == "!=" else "=", frozenset({val})))
                break
        else:
            if re.search(r"\s", part) or "(" in part:
                raise bad_request(f"unable to parse requirement: found '{part}', expected: "
                                  f"'=', '!=', '==', 'in', notin'")
            _check(part, frozenset(), selector)
            reqs.append(Requirement(part, "exists"))
    return reqs


def labels_match(reqs: list[Requirement], obj: dict[str, Any]) -> bool:
    if not reqs:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(r.matches(labels) for r in reqs)


#: field paths every resource supports, plus a few per-kind ones the real server indexes
_COMMON_FIELDS = {"metadata.name", "metadata.namespace"}
_KIND_FIELDS: dict[str, set[str]] = {
    "pods": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
             "status.nominatedNodeName"},
    "events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
               "involvedObject.uid", "involvedObject.apiVersion",
               "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
               "reportingComponent", "source", "type"},
    "secrets": {"type"},
    "namespaces": {"status.phase"},
    "nodes": {"spec.unschedulable"},
    "replicasets": {"status.replicas"},
    "jobs": {"status.successful"},
}


def _field_value(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


FieldFilter = Callable[[dict[str, Any]], bool]


def parse_field_selector(selector: str | None, resource: str) -> list[tuple[str, str, str]]:
    """Parse ``metadata.name=x,status.phase!=Running``; unsupported fields are a 400."""
    if not selector:
        return []
    out = []
    allowed = _COMMON_FIELDS | _KIND_FIELDS.get(resource, set())
    for part in _split_top(selector):
        for op in ("!=", "==", "="):
            if op in part:
                key, _, val = part.partition(op)
                key, val = key.strip(), val.strip()
                break
        else:
            raise bad_request(f"invalid selector: '{selector}'; can't understand '{part}'")
        if key not in allowed:
            raise ApiError(400, "BadRequest",
                           f'field label not supported: {key}', {})
        out.append((key, "!=" if op == "!=" else "=", val))
    return out


def fields_match(reqs: list[tuple[str, str, str]], obj: dict[str, Any]) -> bool:
    for key, op, val in reqs:
        actual = _field_value(obj, key)
        if (actual == val) != (op == "="):
            return False
    return True
