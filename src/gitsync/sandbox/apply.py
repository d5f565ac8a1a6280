"""Server-side apply and managedFields bookkeeping, as kube-apiserver's field manager does them.

``server_side_apply`` is ``FieldManager.Apply`` (structured-merge-diff ``Updater.Apply`` wrapped
in the apiserver's managers: strip metadata, timestamps, track-before-first-apply);
``record_update`` is ``FieldManager.Update`` for creates, updates and non-apply patches.
Neither mutates its inputs; both assume the caller already chose what to do about ``status``.
Their results share nothing with the inputs unless asked to with ``share``: then unchanged
parts (managedFields entries, field sets) are the inputs' own objects, which is for callers that
never mutate either, as the cluster's store does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gitsync.sandbox.errors import ApiError, Cause, apply_conflict, bad_request
from gitsync.sandbox.managedfields import (
    ABSENT,
    LISTS,
    LMAP,
    MAPLIKE,
    FieldSet,
    InvalidObject,
    child_schema,
    compare,
    config_fields,
    element,
    fields_of,
    from_fieldsv1,
    go_json,
    go_quote,
    item_pe,
    path_str,
    schema_info,
    struct_children,
    to_fieldsv1,
)
from gitsync.sandbox.schema import Node

__all__ = ["MAX_UPDATE_MANAGERS", "record_update", "server_side_apply"]

#: Update entries beyond this many are folded, oldest first, into "ancient-changes".
MAX_UPDATE_MANAGERS = 10
BEFORE_FIRST_APPLY = "before-first-apply"
_DROP: Any = object()
_NO_CHILD = (None, schema_info(None))

# stripMetaManager: paths no manager ever owns (deletionTimestamp is never client-set either).
_STRIP = FieldSet.from_paths([("f:apiVersion",), ("f:kind",), ("f:metadata",)] + [
    ("f:metadata", "f:" + name) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName",
        "generation", "managedFields", "resourceVersion", "deletionTimestamp")])
# Server-owned metadata a null in the config must not wipe (rest.BeforeUpdate restores them).
_SYSTEM_META = ("creationTimestamp", "uid", "resourceVersion", "generation",
                "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")


@dataclass(slots=True)
class _Entry:
    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    fields: FieldSet
    orig: dict[str, Any] | None = None  # the entry as decoded, reused when nothing changed
    orig_fields: FieldSet | None = None

    def ident(self) -> str:
        """BuildManagerIdentifier: the JSON manager key, apiVersion left out for appliers."""
        out = f'{{"manager":{go_json(self.manager)},"operation":"{self.operation}"'
        if self.operation == "Update" and self.api_version:
            out += f',"apiVersion":{go_json(self.api_version)}'
        if self.subresource:
            out += f',"subresource":{go_json(self.subresource)}'
        return out + "}"

    def printed(self) -> str:
        """printManager: how conflict messages name the manager."""
        out = go_quote(self.manager)
        if self.subresource:
            out += f" with subresource {go_quote(self.subresource)}"
        return out + (f" using {self.api_version}" if self.operation == "Update" else "")


Key = tuple[str, str, str, str]


def rfc3339_seconds(stamp: str | None) -> int:
    """Unix seconds of a ``metav1.Time`` string; 0 when missing or unreadable."""
    if not stamp:
        return 0
    got = _SECONDS.get(stamp)
    if got is None:
        if len(_SECONDS) >= 4096:
            _SECONDS.clear()
        got = _SECONDS[stamp] = _seconds(stamp)
    return got


_SECONDS: dict[str, int] = {}


def _seconds(stamp: str) -> int:
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def _key(manager: str, operation: str, api_version: str, subresource: str) -> Key:
    return (manager, operation, api_version if operation == "Update" else "", subresource)


def _decode(entries: Any) -> dict[Key, _Entry]:
    out: dict[Key, _Entry] = {}
    if not entries:
        return out
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise ValueError(f"managed fields entry {i} is not an object")
        op = raw.get("operation")
        if op not in ("Apply", "Update"):
            raise ValueError("operation must be `Apply` or `Update`")
        if not raw.get("apiVersion"):
            raise ValueError("apiVersion must not be empty")
        ftype = raw.get("fieldsType") or ""
        if ftype != "FieldsV1":
            raise ValueError(f"invalid fieldsType {ftype!r} in managed fields entry {i}" if ftype
                             else f"missing fieldsType in managed fields entry {i}")
        fields = from_fieldsv1(raw.get("fieldsV1") or {}, borrow=True)
        time = raw.get("time") if isinstance(raw.get("time"), str) else None
        entry = _Entry(str(raw.get("manager") or ""), op, str(raw["apiVersion"]),
                       str(raw.get("subresource") or ""), time, fields, raw, fields)
        out[_key(entry.manager, op, entry.api_version, entry.subresource)] = entry
    return out


def _encode(entries: dict[Key, _Entry], share: bool) -> list[dict[str, Any]]:
    out = []
    for e in sorted(entries.values(), key=lambda e: (
            e.operation, rfc3339_seconds(e.time), e.manager, e.api_version, e.subresource)):
        raw: dict[str, Any] = {"manager": e.manager, "operation": e.operation,
                               "apiVersion": e.api_version}
        if e.time:
            raw["time"] = e.time
        raw["fieldsType"] = "FieldsV1"
        orig = e.orig
        if (orig is not None and e.orig_fields is not None and orig.get("apiVersion")
                == e.api_version and (e.fields is e.orig_fields or e.fields == e.orig_fields)):
            fields = orig.get("fieldsV1")  # keep the stored bytes' order
            raw["fieldsV1"] = fields if share else _copy(fields)
        else:
            raw["fieldsV1"] = to_fieldsv1(e.fields, share)
        if e.subresource:
            raw["subresource"] = e.subresource
        out.append(raw)
    return out


def _copy(value: Any) -> Any:
    t = type(value)
    if t is dict:
        return {k: _copy(v) for k, v in value.items()}
    if t is list:
        return [_copy(v) for v in value]
    return value


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    out = dict(obj)
    out["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return out


# ---------------------------------------------------------------- merging (TypedValue.Merge)

def _merge_map(lm: dict[str, Any], rm: dict[str, Any], node: Node | None,
               info: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kids = struct_children(node, info)
    elem = element(info) if kids is None else _NO_CHILD
    for k, lv in lm.items():
        if k in rm:
            sub, si = kids.get(k, _NO_CHILD) if kids is not None else elem
            merged = _merge_value(lv, rm[k], sub, si)
            if merged is not _DROP:
                out[k] = merged
        else:
            out[k] = _copy(lv)
    for k, rv in rm.items():
        if k not in lm:
            sub, si = kids.get(k, _NO_CHILD) if kids is not None else elem
            merged = _merge_value(ABSENT, rv, sub, si)
            if merged is not _DROP:
                out[k] = merged
    return out


def _merge_value(lv: Any, rv: Any, node: Node | None, info: Any) -> Any:
    cat = info[0]
    if rv is None:
        # A null leaf clears the field (the typed object drops it); a null map or list
        # merges as "nothing to add" and keeps what is live.
        if (cat in MAPLIKE and type(lv) is dict and lv) or (
                cat in LISTS and type(lv) is list and lv):
            return _copy(lv)
        return _DROP
    if cat in MAPLIKE and type(rv) is dict:
        return _merge_map(lv if type(lv) is dict else {}, rv, node, info)
    if cat in LISTS and type(rv) is list:
        return _merge_list(lv if type(lv) is list else [], rv, info)
    return _copy(rv)


def _merge_list(ll: list[Any], rl: list[Any], info: Any) -> list[Any]:
    # mergingWalker.visitListItems: keep live order until the config reorders shared items,
    # put new config items where the config puts them, keep live-only items in place.
    item, ii = info[1], schema_info(info[1])
    lobs: dict[str, Any] = {}
    lpes: list[str] = []
    for i, v in enumerate(ll):
        pe = item_pe(v, info, i, strict=False)
        if pe not in lobs:
            lobs[pe] = v
            lpes.append(pe)
    robs: dict[str, Any] = {}
    rpes: list[str] = []
    for i, v in enumerate(rl):
        pe = item_pe(v, info, i, strict=False)
        if pe not in robs:
            robs[pe] = v
            rpes.append(pe)
    shared = [pe for pe in rpes if pe in lobs]
    nxt = 0  # shared[nxt] is the next shared item the config wants
    out: list[Any] = []

    def add(lv: Any, rv: Any) -> None:
        merged = _merge_value(lv, rv, item, ii) if rv is not ABSENT else _copy(lv)
        if merged is not _DROP:
            out.append(merged)

    li = ri = 0
    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                add(lobs[pe], robs[pe])
                li += 1
                ri += 1
                nxt += 1
                continue
            if pe in robs and nxt < len(shared) and shared[nxt] != pe:
                li += 1  # shared, but the config places it later
                continue
        if li < len(lpes) and lpes[li] not in robs:
            add(lobs[lpes[li]], ABSENT)
            li += 1
            continue
        if ri < len(rpes):
            pe = rpes[ri]
            add(lobs.get(pe, ABSENT), robs[pe])
            ri += 1
            if nxt < len(shared) and shared[nxt] == pe:
                nxt += 1
            continue
        li += 1  # a live item already merged through the config's order
    return out


# ---------------------------------------------------------------- pruning (RemoveItems)

def _remove(value: Any, trie: dict[str, Any], node: Node | None) -> Any:
    info = schema_info(node)
    cat = info[0]
    if cat in MAPLIKE:
        if type(value) is not dict or not value:
            return _DROP
        out = {}
        for k, v in value.items():
            sub = trie.get("f:" + k)
            if sub is None:
                out[k] = v
            elif sub and "." not in sub:
                got = _remove(v, sub, child_schema(node, info, "f:" + k)[0])
                if got is not _DROP:
                    out[k] = got
        return out or _DROP
    if cat in LISTS:
        if type(value) is not list or not value:
            return _DROP
        items = []
        for i, v in enumerate(value):
            sub = trie.get(item_pe(v, info, i, strict=False))
            if sub is None:
                items.append(v)
            elif sub and "." not in sub and info[0] == LMAP:
                got = _remove(v, sub, info[1])
                if got is not _DROP:
                    items.append(got)
        return items or _DROP
    # Paths below a leaf (the schema changed since): an atomic value goes, a scalar stays.
    return _DROP if isinstance(value, dict | list) else value


def _remove_items(obj: dict[str, Any], fs: FieldSet, schema: Node | None) -> dict[str, Any]:
    got = _remove(obj, fs.trie, schema)
    return {} if got is _DROP else dict(got)


def _prune(merged: dict[str, Any], last: FieldSet, owned: FieldSet,
           schema: Node | None) -> dict[str, Any]:
    # Updater.prune: drop what the applier owned last time and nobody owns now. Named struct
    # fields count as owned when anything below them is; the three passes mirror
    # RemoveItems / addBackOwnedItems / addBackDanglingItems.
    last_n = last.with_named_members(schema)
    owned_n = owned.with_named_members(schema)
    if not last_n - owned_n:
        return merged
    all_n = fields_of(merged, schema).with_named_members(schema)
    first = fields_of(_remove_items(merged, last_n, schema), schema).with_named_members(schema)
    kept = _remove_items(merged, all_n - (first | owned_n), schema)
    kept_n = fields_of(kept, schema).with_named_members(schema)
    return _remove_items(merged, (all_n - kept_n) & last_n, schema)


# ---------------------------------------------------------------- the two operations

def _gvknn(config: dict[str, Any]) -> str:
    meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    api_version = str(config.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return (f"{meta.get('namespace') or ''}/{meta.get('name') or ''}; "
            f"{group}/{version}, Kind={config.get('kind') or ''}")


def _conflict_error(conflicts: list[tuple[_Entry, FieldSet]]) -> ApiError:
    conflicts.sort(key=lambda c: c[0].ident())
    causes = [Cause("FieldManagerConflict", f"conflict with {e.printed()}", path_str(p))
              for e, fs in conflicts for p in fs]
    if len(causes) == 1:
        message = f"Apply failed with 1 conflict: {causes[0].message}: {causes[0].field}"
    else:
        lines = []
        for e, fs in conflicts:
            lines.append(f"conflicts with {e.printed()}:")
            lines.extend(f"- {path_str(p)}" for p in fs)
        message = f"Apply failed with {len(causes)} conflicts: " + "\n".join(lines)
    return apply_conflict(message, causes)


def _record(entries: dict[Key, _Entry], old: dict[str, Any] | None, new: dict[str, Any],
            manager: str, schema: Node | None, api_version: str, now: str,
            subresource: str) -> None:
    # Updater.Update under the "current-operation" name, then merged into the manager's entry.
    changed, removed = compare(old, new, schema)
    lost = changed | removed
    own = changed - _STRIP
    key = _key(manager, "Update", api_version, subresource)
    mine = entries.get(key)
    kept = mine.fields if mine is not None else None
    for e in entries.values():
        e.fields = e.fields - lost
    _drop_empty(entries)
    if own:
        prev = entries.get(key)
        if prev is None:
            entries[key] = _Entry(manager, "Update", api_version, subresource, now, own)
        else:
            # (kept - lost) | own, worked out as (kept - removed - stripped) | own: the same
            # set, but what the manager keeps owning stays the very same (encoded) subtrees
            assert kept is not None
            prev.fields, prev.time = (kept - removed - (changed & _STRIP)) | own, now
    _cap(entries)


def _drop_empty(entries: dict[Key, _Entry]) -> None:
    for key in [k for k, e in entries.items() if not e.fields]:
        del entries[key]


def _cap(entries: dict[Key, _Entry]) -> None:
    # capManagersManager: fold the oldest Update entries into one bucket per apiVersion.
    updaters = [e for e in entries.values() if e.operation == "Update"]
    excess = len(updaters) - MAX_UPDATE_MANAGERS
    if excess <= 0:
        return
    updaters.sort(key=lambda e: (rfc3339_seconds(e.time), e.ident()))
    first_by_version: dict[str, _Entry] = {}
    for e in updaters:
        if excess <= 0:
            break
        first = first_by_version.get(e.api_version)
        if first is None:
            first_by_version[e.api_version] = e
            continue
        bucket_key = _key("ancient-changes", "Update", e.api_version, "")
        bucket = entries.get(bucket_key)
        if bucket is None:
            del entries[_key(first.manager, "Update", first.api_version, first.subresource)]
            bucket = _Entry("ancient-changes", "Update", e.api_version, "", first.time,
                            first.fields)
            entries[bucket_key] = bucket
        bucket.fields, bucket.time = e.fields | bucket.fields, e.time
        del entries[_key(e.manager, "Update", e.api_version, e.subresource)]
        excess -= 1


class _Conflicts(Exception):
    def __init__(self, conflicts: list[tuple[_Entry, FieldSet]]) -> None:
        super().__init__(conflicts)
        self.conflicts = conflicts


def server_side_apply(live: dict[str, Any] | None, config: dict[str, Any], *, manager: str,
                      schema: Node, force: bool, api_version: str, now: str,
                      subresource: str = "", share: bool = False) -> dict[str, Any]:
    """Merge ``config`` into ``live`` as ``manager``'s apply; the new object with managedFields."""
    cmeta = config.get("metadata")
    if isinstance(cmeta, dict) and cmeta.get("managedFields") is not None:
        raise bad_request("metadata.managedFields must be nil")
    try:
        applied = config_fields(config, schema)
    except InvalidObject as err:
        # upstream answers 500 here; a malformed request must not look like a server fault
        raise ApiError(400, "BadRequest", f"failed to create typed patch object "
                                          f"({_gvknn(config)}): {err}", {}) from None
    base: dict[str, Any] = {}
    entries: dict[Key, _Entry] = {}
    if live is not None:
        base = _without_managed_fields(live)
        try:
            entries = _decode((live.get("metadata") or {}).get("managedFields"))
        except ValueError as err:
            raise ApiError(500, "", f"failed to decode managed fields: {err}") from None
        if not entries:  # skipNonApplied: whatever is there belongs to its earlier writers
            _record(entries, None, base, BEFORE_FIRST_APPLY, schema, api_version, now,
                    subresource)
    args = (base, config, applied, entries, manager, schema, api_version, now, subresource)
    try:
        out = _apply(*args, force, share)
    except _Conflicts as err:
        left = err.conflicts
        if manager == "kubectl":
            # lastAppliedManager: conflicts over fields kubectl's client-side apply had set
            # to what is live now are how one upgrades to server-side apply; they are forced.
            allowed = _last_applied_fields(base, schema)
            if allowed is not None:
                left = [(e, rest) for e, fs in left if (rest := fs - allowed)]
        if left:
            raise _conflict_error(left) from None
        out = _apply(*args, True, share)
    if manager == "kubectl":
        _sync_last_applied(out, config)
    return out


def _apply(base: dict[str, Any], config: dict[str, Any], applied: FieldSet,
           entries: dict[Key, _Entry], manager: str, schema: Node | None, api_version: str,
           now: str, subresource: str, force: bool, share: bool) -> dict[str, Any]:
    merged = _merge_map(base, config, schema, schema_info(schema))
    cmeta, lmeta, mmeta = config.get("metadata"), base.get("metadata"), merged.get("metadata")
    if isinstance(cmeta, dict) and isinstance(lmeta, dict) and isinstance(mmeta, dict):
        for name in _SYSTEM_META:
            if name in cmeta and cmeta[name] is None and name in lmeta:
                mmeta[name] = _copy(lmeta[name])

    key = _key(manager, "Apply", "", subresource)
    prev = entries.get(key)
    own = applied - _STRIP
    if prev is not None and prev.fields != own and prev.fields - applied:
        owned = applied
        for other in entries.values():
            if other is not prev:
                owned = owned | other.fields
        merged = _prune(merged, prev.fields, owned, schema)

    # Updater.update: other managers owning a field this apply changes are in conflict (or
    # lose it when forced); fields that disappeared are nobody's any more.
    others = [e for k, e in entries.items() if k != key]
    if others:
        changed, removed = compare(base, merged, schema)
        differs = bool(changed or removed)
        if not force:
            conflicts = [(e, clash) for e in others if (clash := e.fields & changed)]
            if conflicts:
                raise _Conflicts(conflicts)
        for e in others:
            e.fields = e.fields - changed - removed
        _drop_empty(entries)
    else:
        differs = merged != base

    if own:  # a no-op apply leaves every timestamp alone
        time = now if differs else (prev.time if prev else None)
        if prev is None:
            entries[key] = _Entry(manager, "Apply", api_version, subresource, time, own)
        else:
            prev.fields, prev.api_version, prev.time = own, api_version, time
    else:
        entries.pop(key, None)

    meta = merged.setdefault("metadata", {})
    encoded = _encode(entries, share)
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)
    return merged


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _last_applied_fields(live: dict[str, Any], schema: Node | None) -> FieldSet | None:
    # Fields of the client-side apply annotation whose values still match the live object.
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    try:
        last = json.loads(annotations.get(LAST_APPLIED) or "null")
    except ValueError:
        return None
    if not isinstance(last, dict):
        return None
    changed, removed = compare(last, live, schema)
    return fields_of(last, schema) - changed - removed


def _sync_last_applied(obj: dict[str, Any], config: dict[str, Any]) -> None:
    # lastAppliedUpdater: kubectl's server-side applies keep an existing annotation current.
    meta = obj.get("metadata") or {}
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or not annotations.get(LAST_APPLIED):
        return
    cmeta = config.get("metadata")
    if isinstance(cmeta, dict) and isinstance(cmeta.get("annotations"), dict):
        config = {**config, "metadata": {**cmeta, "annotations": {
            k: v for k, v in cmeta["annotations"].items() if k != LAST_APPLIED}}}
    annotations = {**annotations, LAST_APPLIED: go_json(config) + "\n"}
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > 256 * 1024:
        del annotations[LAST_APPLIED]  # over the annotation size limit: dropped, not failed
    meta["annotations"] = annotations


def _is_reset(entries: Any) -> bool:
    return isinstance(entries, list) and (not entries or (len(entries) == 1 and entries[0] == {}))


def record_update(old: dict[str, Any] | None, new: dict[str, Any], *, manager: str,
                  schema: Node, api_version: str, now: str,
                  subresource: str = "", share: bool = False) -> list[dict[str, Any]]:
    """managedFields after a create/update/patch by ``manager`` ([] means: leave none)."""
    entries: dict[Key, _Entry] | None = None
    sent = (new.get("metadata") or {}).get("managedFields")
    if not subresource and sent is not None:
        # A client may rewrite managedFields itself ([] or [{}] resets them); anything
        # unreadable or empty falls back to what is stored.
        if _is_reset(sent):
            entries = {}
        else:
            try:
                entries = _decode(sent) or None
            except ValueError:
                entries = None
    if entries is None:
        try:
            entries = _decode((old or {}).get("metadata", {}).get("managedFields"))
        except (ValueError, AttributeError):
            entries = {}
    if not entries and old is not None:
        return []  # skipNonApplied: an untracked object stays untracked until applied to
    _record(entries, None if old is None else _without_managed_fields(old),
            _without_managed_fields(new), manager, schema, api_version, now, subresource)
    return _encode(entries, share)
