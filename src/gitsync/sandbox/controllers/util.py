"""Small helpers shared by the controllers: annotations, conditions, hashes, owner references."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
from typing import Any

OUTCOME_ANNOTATION = "sandbox.gitsync.io/outcome"
DURATION_ANNOTATION = "sandbox.gitsync.io/duration"

#: what rand.SafeEncodeString maps digits onto (no vowels, so no words appear in names)
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


def annotation_sources(obj: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The object's annotations, then its pod template's (the fallback source)."""
    if not obj:
        return []
    out = [(obj.get("metadata") or {}).get("annotations") or {}]
    tmpl = (obj.get("spec") or {}).get("template") or {}
    out.append((tmpl.get("metadata") or {}).get("annotations") or {})
    return [a for a in out if isinstance(a, dict)]


def outcome_of(*objs: dict[str, Any] | None) -> str | None:
    """``succeed`` / ``fail`` from the first object that names a valid one."""
    for obj in objs:
        for ann in annotation_sources(obj):
            value = str(ann.get(OUTCOME_ANNOTATION, "")).strip().lower()
            if value in ("succeed", "fail"):
                return value
    return None


def duration_of(*objs: dict[str, Any] | None) -> float | None:
    """Seconds from the first object with a valid (finite, non-negative) duration annotation."""
    for obj in objs:
        for ann in annotation_sources(obj):
            raw = ann.get(DURATION_ANNOTATION)
            if raw is None:
                continue
            try:
                value = float(str(raw).strip().rstrip("s"))
            except ValueError:
                continue
            if math.isfinite(value) and value >= 0:
                return value
    return None


def json_copy(value: Any) -> Any:
    """A deep copy of decoded JSON (dicts, lists, scalars), several times faster than
    ``copy.deepcopy`` (which it falls back to for anything else)."""
    t = type(value)
    if t is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if t is list:
        return [json_copy(v) for v in value]
    return value if t in _ATOMS else copy.deepcopy(value)


_ATOMS = frozenset({str, int, float, bool, type(None)})


def fnv_hash(obj: Any, collisions: int = 0) -> str:
    """A short name-safe hash of an object, shaped like ``pod-template-hash`` values."""
    return _fnv(json.dumps(obj, sort_keys=True, separators=(",", ":")), collisions)


def template_hash(template: Any, collisions: int = 0) -> str:
    """``fnv_hash`` of a stored object's pod template (stored objects are never mutated).

    Reconciles ask again and again for the same template: its encoding is kept by identity.
    """
    got = _TEMPLATE_TEXT.get(id(template))
    if got is None or got[0] is not template:
        if len(_TEMPLATE_TEXT) >= 4096:
            _TEMPLATE_TEXT.clear()
        # the reference held keeps the id from being reused while the entry exists
        got = _TEMPLATE_TEXT[id(template)] = (
            template, json.dumps(template, sort_keys=True, separators=(",", ":")))
    return _fnv(got[1], collisions)


_TEMPLATE_TEXT: dict[int, tuple[Any, str]] = {}


@functools.lru_cache(maxsize=1024)
def _fnv(text: str, collisions: int) -> str:
    # a byte loop in Python: cached, since every reconcile of a workload asks again
    data = text.encode()
    if collisions:
        data += str(collisions).encode()
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE[ord(c) % len(_SAFE)] for c in str(h))


def fraction(seed: str) -> float:
    """A stable pseudo-random number in [0, 1) from a string (pods spread their timings)."""
    return int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16) / 0x100000000


def hexid(*parts: str) -> str:
    """A 64-hex-digit id (container ids, image digests) stable for its inputs."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def intstr(value: Any, total: int, round_up: bool, default: str = "25%") -> int:
    """Resolve an IntOrString (``25%`` or ``1``) against ``total``, as maxSurge/maxUnavailable."""
    if value is None:
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        return max(value, 0)
    text = str(value).strip()
    try:
        if text.endswith("%"):
            pct = float(text[:-1]) * total / 100
            return max(int(math.ceil(pct) if round_up else math.floor(pct)), 0)
        return max(int(text), 0)
    except ValueError:
        return intstr(default, total, round_up)


def as_int(value: Any, default: int) -> int:
    """An int field, or ``default`` when missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def controller_ref(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def owner_ref(owner: dict[str, Any]) -> dict[str, Any]:
    """A controller ownerReference to ``owner``, as controllers set it on what they create."""
    md = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": md["name"],
            "uid": md["uid"], "controller": True, "blockOwnerDeletion": True}


def condition(conds: list[dict[str, Any]], ctype: str) -> dict[str, Any] | None:
    """The condition of type ``ctype`` in a list, or None."""
    for c in conds:
        if c.get("type") == ctype:
            return c
    return None


def is_true(obj: dict[str, Any] | None, ctype: str) -> bool:
    """The object's ``ctype`` condition has status True."""
    if not obj:
        return False
    c = condition((obj.get("status") or {}).get("conditions") or [], ctype)
    return bool(c and c.get("status") == "True")


def set_condition(conds: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Upstream SetCondition: same status and reason is a no-op; a changed status moves to the
    end with a new lastTransitionTime, an unchanged status keeps its lastTransitionTime."""
    cur = condition(conds, new["type"])
    if cur is not None and cur.get("status") == new.get("status") \
            and cur.get("reason") == new.get("reason"):
        return conds
    new = dict(new)
    if cur is not None and cur.get("status") == new.get("status") \
            and "lastTransitionTime" in cur:
        new["lastTransitionTime"] = cur["lastTransitionTime"]
    return [c for c in conds if c.get("type") != new["type"]] + [new]


def matches_labels(selector: dict[str, Any] | None, labels: dict[str, Any]) -> bool:
    """``matchLabels`` only: enough for the labels controllers stamp on their own pods."""
    wanted = (selector or {}).get("matchLabels") or {}
    return all(labels.get(k) == v for k, v in wanted.items())
