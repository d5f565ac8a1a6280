"""Compare one desired manifest with its live object (DESIGN.md §4.4).

Pipeline, in Argo CD's order: normalise both sides; remove the fields owned by the managers
an ignore rule trusts (``managedFieldsManagers``); delete ignored JSON pointers and jq paths;
predict the live object after a forced server-side apply as ``manager``
(:mod:`gitsync.diff.merge`); attribute each difference from ``managedFields``; mask Secrets.
"""

from __future__ import annotations

from typing import Any

from gitsync.diff.fieldpath import human
from gitsync.diff.fieldsv1 import FieldSet, ManagedFields, remove_fields
from gitsync.diff.ignore import IgnoreRules
from gitsync.diff.mask import SecretMasker, is_secret
from gitsync.diff.merge import ListKeys, RawChange, predict
from gitsync.diff.normalize import KindInfo, kind_info_for, normalize
from gitsync.diff.result import (
    ADDED_IN_GIT,
    CHANGED_IN_GIT,
    REMOVED_FROM_GIT,
    DiffStatus,
    FieldChange,
    ResourceDiff,
    changed_in_cluster,
)
from gitsync.model import annotations as ann
from gitsync.model.resource import ResourceKey

__all__ = ["diff_resource"]

Obj = dict[str, Any]


def diff_resource(desired: Obj | None, live: Obj | None, *, list_keys: ListKeys,
                  rules: IgnoreRules | None = None, manager: str = ann.FIELD_MANAGER,
                  kind_info: KindInfo | None = None, mask_secrets: bool = True) -> ResourceDiff:
    """Compare a desired manifest with its live object; either may be None, not both."""
    source = live if live is not None else desired
    if source is None:
        raise ValueError("diff_resource needs a desired or a live object")
    key = ResourceKey.of(source)
    if kind_info is None:
        kind_info = kind_info_for(str(source.get("apiVersion") or ""),
                                  str(source.get("kind") or ""))
    managed = ManagedFields.of(live)
    want = normalize(desired, kind_info=kind_info) if desired is not None else None
    have = normalize(live, kind_info=kind_info) if live is not None else None
    if want is not None and have is not None:
        _backfill_tracking(want, have)
    ignores = rules.for_resource(key) if rules is not None else None
    if ignores:
        if ignores.managers:
            trusted = managed.fields_of(ignores.managers).trie
            for obj in (want, have):
                if obj is not None:
                    remove_fields(obj, trusted)
        # both are this call's own normalised copies: no need to copy them again
        want = ignores.apply(want, in_place=True) if want is not None else None
        have = ignores.apply(have, in_place=True) if have is not None else None
    changes: tuple[FieldChange, ...] = ()
    if want is None:
        status, predicted = DiffStatus.EXTRANEOUS, None
    elif have is None:
        status, predicted = DiffStatus.MISSING, want
    else:
        mine = _owned(managed, [manager], key)
        others = _owned(managed, [m for m in managed.managers if m != manager], key)
        predicted, raw = predict(have, want, mine=mine.trie, others=others.trie,
                                 list_keys=list_keys)
        changes = tuple(_attribute(c, managed, manager) for c in raw)
        status = DiffStatus.MODIFIED if changes else DiffStatus.UNCHANGED
    diff = ResourceDiff(key, status, predicted, have, changes)
    return _masked(diff) if mask_secrets and is_secret(source) else diff


def _owned(managed: ManagedFields, managers: list[str], key: ResourceKey) -> FieldSet:
    fields = managed.fields_of(managers)
    if key.group == "" and key.kind == "Secret" and "f:stringData" in fields.trie:
        # the server stores stringData as data: ownership of one is ownership of the other
        rest = {pe: node for pe, node in fields.trie.items() if pe != "f:stringData"}
        fields = FieldSet(rest).union(FieldSet({"f:data": fields.trie["f:stringData"]}))
    return fields


def _backfill_tracking(desired: Obj, live: Obj) -> None:
    """Copy live tracking metadata the manifest lacks: gitsync adds it, Git does not have it."""
    for field, name in (("labels", ann.TRACKING_LABEL), ("annotations", ann.TRACKING_ID)):
        value = ((live.get("metadata") or {}).get(field) or {}).get(name)
        if value is None:
            continue
        holder = desired.setdefault("metadata", {}).setdefault(field, {})
        holder.setdefault(name, value)


def _attribute(change: RawChange, managed: ManagedFields, manager: str) -> FieldChange:
    path = human(change.path)
    if change.op == "added":
        return FieldChange(path, None, change.desired, ADDED_IN_GIT, None, change.path)
    if change.op == "removed":
        return FieldChange(path, change.live, None, REMOVED_FROM_GIT, manager, change.path)
    owners = managed.owners(change.path)  # most recent writer first
    if owners and owners[0] != manager:
        # someone else wrote the live value last (kubectl scale, an HPA, a person): drift
        return FieldChange(path, change.live, change.desired, changed_in_cluster(owners[0]),
                           owners[0], change.path)
    return FieldChange(path, change.live, change.desired, CHANGED_IN_GIT,
                       manager if owners else None, change.path)


def _masked(diff: ResourceDiff) -> ResourceDiff:
    # masks follow Argo CD's order (predicted live, then live) so equal values mask equally
    masker = SecretMasker.of((diff.predicted_live, diff.normalized_live))
    objs = []
    for obj in (diff.predicted_live, diff.normalized_live):
        if obj is not None and isinstance(obj.get("data"), dict):
            obj = {**obj, "data": dict(obj["data"])}
            masker.mask_map(obj["data"])
        objs.append(obj)
    changes = tuple(_mask_change(c, masker) for c in diff.changes)
    return ResourceDiff(diff.key, diff.status, objs[0], objs[1], changes)


def _mask_change(change: FieldChange, masker: SecretMasker) -> FieldChange:
    p = change.elements
    if not p or p[0] != "f:data" or len(p) > 2:
        return change

    def hide(value: Any) -> Any:
        if value is None:
            return None
        if len(p) == 2:
            return masker.mask(p[1][2:], value)
        return {k: masker.mask(k, v) for k, v in value.items()} if isinstance(value, dict) \
            else value

    return FieldChange(change.path, hide(change.live), hide(change.desired), change.reason,
                       change.manager, change.elements)
