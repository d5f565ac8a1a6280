"""Secret masking exactly as Argo CD's ``HideSecretData``: differences visible, values not.

Every ``data`` key of a core Secret is replaced by ``++++++++``; per key, each distinct value
gets its own mask, four ``+`` longer than the previous one, in the order desired, live, then
the live object's last-applied copy. Equal values show equal masks and a changed value shows
a different one. Comparison happens on the real values; only what is shown is masked.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from gitsync.diff.normalize import fold_string_data
from gitsync.model import annotations as ann

__all__ = ["MASK", "SecretMasker", "hide_secret_data", "is_secret"]

MASK = "++++++++"
_STEP = "++++"


def is_secret(obj: dict[str, Any] | None) -> bool:
    """Whether ``obj`` is a core (``v1``) Secret."""
    return (isinstance(obj, dict) and obj.get("kind") == "Secret"
            and "/" not in str(obj.get("apiVersion") or ""))


class SecretMasker:
    """The masks of one resource's Secret values, per key in order of first appearance."""

    def __init__(self) -> None:
        self._masks: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, objects: Iterable[dict[str, Any] | None], field: str = "data",
           keys: Iterable[str] | None = None) -> SecretMasker:
        """Masks for ``field`` (``data`` or ``annotations``) of the objects, in that order."""
        masker = cls()
        wanted = None if keys is None else set(keys)
        for obj in objects:
            for k, v in _values(obj, field).items():
                if wanted is None or k in wanted:
                    masker.mask(k, v)
        return masker

    def mask(self, key: str, value: Any) -> str:
        """The mask of ``value`` under ``key``; a new value gets a longer mask."""
        masks = self._masks.setdefault(key, {})
        text = value if isinstance(value, str) else json.dumps(value)
        if text not in masks:
            masks[text] = MASK + _STEP * len(masks)
        return masks[text]

    def mask_map(self, values: dict[str, Any], keys: Iterable[str] | None = None) -> None:
        """Replace the values in place (only ``keys``, when given)."""
        for k in list(values) if keys is None else [k for k in keys if k in values]:
            values[k] = self.mask(k, values[k])


def _values(obj: dict[str, Any] | None, field: str) -> dict[str, Any]:
    if not obj:
        return {}
    holder = obj.get("metadata") or {} if field == "annotations" else obj
    got = holder.get(field) if isinstance(holder, dict) else None
    return got if isinstance(got, dict) else {}


def _last_applied(live: dict[str, Any] | None) -> tuple[dict[str, Any] | None, bool]:
    """(the parsed last-applied copy, whether an annotation is there at all)."""
    text = _values(live, "annotations").get(ann.LAST_APPLIED)
    if text is None:
        return None, False
    try:
        parsed = json.loads(str(text))
    except ValueError:
        return None, True
    if not isinstance(parsed, dict):
        return None, True
    fold_string_data(parsed)
    return parsed, True


def hide_secret_data(desired: dict[str, Any] | None, live: dict[str, Any] | None, *,
                     sensitive_annotations: Iterable[str] = ()) -> tuple[
                         dict[str, Any] | None, dict[str, Any] | None]:
    """Masked copies of a Secret's desired and live objects; other kinds come back as is."""
    if not (is_secret(desired) or is_secret(live)):
        return desired, live
    desired, live = copy.deepcopy(desired), copy.deepcopy(live)
    for obj in (desired, live):
        if obj is not None:
            fold_string_data(obj)
    orig, has_orig = _last_applied(live)
    data = SecretMasker.of((desired, live, orig))
    hidden = tuple(a for a in sensitive_annotations if a != ann.LAST_APPLIED)
    notes = SecretMasker.of((desired, live, orig), "annotations", hidden)
    for obj in (desired, live, orig):
        if obj is not None:
            data.mask_map(_values(obj, "data"))
            notes.mask_map(_values(obj, "annotations"), hidden)
    if live is not None and has_orig:
        whole = orig is None or ann.LAST_APPLIED in set(sensitive_annotations)
        live["metadata"]["annotations"][ann.LAST_APPLIED] = MASK if whole else json.dumps(
            orig, sort_keys=True, separators=(",", ":"))
    return desired, live
