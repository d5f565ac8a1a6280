"""The history ConfigMap's content, both ways: records to ``data``/``binaryData`` and back.

Layout (DESIGN.md §4.5): ``data["operation"]`` is the last operation as JSON;
``data["history"]`` the index ``{"version", "lastId", "entries"}`` without manifests;
``binaryData["manifests-<id>"]`` each entry's applied manifests as gzip-compressed JSON, every
Secret stripped of its values.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import gzip
import json
import zlib
from collections.abc import Iterable
from typing import Any

from gitsync.history import _fields as fields
from gitsync.history._fields import Corrupt, Fields, shown
from gitsync.history.errors import HistoryCorruptError
from gitsync.history.records import DEFAULT_LIMIT, AppRecords, HistoryEntry, Obj
from gitsync.model.annotations import LAST_APPLIED

FORMAT_VERSION = 1
OPERATION_KEY = "operation"
HISTORY_KEY = "history"
MANIFESTS_PREFIX = "manifests-"
#: well under the 1 MiB object limit, leaving room for metadata and managedFields
MAX_BYTES = 900 * 1024
#: a stored blob that inflates beyond this is refused rather than expanded (a gzip bomb)
MAX_INFLATED = 64 * 1024 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class Packed:
    """Records as they will be stored (trimmed, Secrets scrubbed) and the ConfigMap content."""

    records: AppRecords
    data: dict[str, str]
    binary_data: dict[str, str]


def scrub_secrets(manifests: Iterable[Obj]) -> tuple[Obj, ...]:
    """``manifests`` with every Secret's ``data``/``stringData`` (and kubectl's copy) removed."""
    out = []
    for obj in manifests:
        if obj.get("kind") == "Secret":
            obj = copy.deepcopy(obj)
            obj.pop("data", None)
            obj.pop("stringData", None)
            # kubectl's last-applied annotation is a full copy, values included
            annotations = (obj.get("metadata") or {}).get("annotations")
            if isinstance(annotations, dict):
                annotations.pop(LAST_APPLIED, None)
        out.append(obj)
    return tuple(out)


def pack_manifests(manifests: Iterable[Obj]) -> str:
    """Manifests as base64 of gzip-compressed JSON; byte-identical for identical input."""
    text = json.dumps(list(manifests), sort_keys=True, separators=(",", ":"))
    # mtime=0 keeps unchanged entries byte-identical across rewrites
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode("ascii")


def unpack_manifests(blob: object) -> tuple[Obj, ...]:
    """The manifests of a stored blob; Corrupt (no path) naming what is wrong."""
    if not isinstance(blob, str):
        raise Corrupt("", f"expected a base64 string, got {shown(blob)}")
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise Corrupt("", "not valid base64") from None
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip framing
    try:
        text = inflater.decompress(raw, MAX_INFLATED)
    except zlib.error as exc:
        raise Corrupt("", f"not valid gzip data ({exc})") from None
    if inflater.unconsumed_tail:
        raise Corrupt("", f"expands beyond {MAX_INFLATED // 2**20} MiB: refusing to inflate it")
    if not inflater.eof:
        raise Corrupt("", "truncated gzip data")
    value = _json(text, "after gunzip")
    if not isinstance(value, list):
        raise Corrupt("", f"expected a list of manifests, got {shown(value)}")
    for i, obj in enumerate(value):
        if not isinstance(obj, dict):
            raise Corrupt("", f"[{i}]: expected a manifest object, got {shown(obj)}")
    return tuple(value)


def pack(records: AppRecords, limit: int = DEFAULT_LIMIT, max_bytes: int = MAX_BYTES) -> Packed:
    """Trim ``records`` to the newest ``limit`` entries and ``max_bytes``, and encode them."""
    ordered = sorted(records.entries, key=lambda e: e.id)
    last_id = max([records.last_id, *(e.id for e in ordered)])
    kept = [dataclasses.replace(e, manifests=scrub_secrets(e.manifests))
            for e in ordered[max(0, len(ordered) - max(limit, 0)):]]
    blobs = {e.id: pack_manifests(e.manifests) for e in kept if not e.manifests_dropped}
    operation = _dumps(records.operation.to_json()) if records.operation else None

    def encoded() -> tuple[dict[str, str], dict[str, str]]:
        data = {HISTORY_KEY: _dumps({"version": FORMAT_VERSION, "lastId": last_id,
                                     "entries": [e.to_json() for e in kept]})}
        if operation is not None:
            data[OPERATION_KEY] = operation
        return data, {f"{MANIFESTS_PREFIX}{i}": b for i, b in blobs.items()}

    data, binary = encoded()
    while _size(data) + _size(binary) > max_bytes and kept:
        # manifests are the bulk and the least needed: drop the oldest ones, then old entries
        with_blob = next((i for i, e in enumerate(kept) if e.id in blobs), None)
        if with_blob is not None:
            del blobs[kept[with_blob].id]
            kept[with_blob] = kept[with_blob].without_manifests()
        else:
            kept.pop(0)
        data, binary = encoded()
    trimmed = AppRecords(records.operation, tuple(kept), last_id)
    return Packed(trimmed, data, binary)


def encode(records: AppRecords, limit: int = DEFAULT_LIMIT,
           max_bytes: int = MAX_BYTES) -> tuple[dict[str, str], dict[str, str]]:
    """The ConfigMap's ``data`` and ``binaryData`` for ``records`` (trimmed as ``pack`` does)."""
    packed = pack(records, limit, max_bytes)
    return packed.data, packed.binary_data


def decode(configmap: Obj) -> AppRecords:
    """The records in a history ConfigMap; HistoryCorruptError naming what is wrong."""
    md = configmap.get("metadata")
    md = md if isinstance(md, dict) else {}
    namespace, name = str(md.get("namespace") or ""), str(md.get("name") or "?")
    where = "data"
    try:
        data = _bag(configmap, "data")
        where = "binaryData"
        binary = _bag(configmap, "binaryData")
        where = f"data.{OPERATION_KEY}"
        op = None
        if OPERATION_KEY in data:
            op = fields.operation(Fields(_json(data[OPERATION_KEY]), ""))
        where = f"data.{HISTORY_KEY}"
        if HISTORY_KEY not in data:
            raise Corrupt("", "missing")
        last_id, entries = _index(_json(data[HISTORY_KEY]))
        full = []
        for e in entries:
            if e.manifests_dropped:
                full.append(e)
                continue
            key = f"{MANIFESTS_PREFIX}{e.id}"
            where = f"binaryData.{key}"
            if key not in binary:
                raise Corrupt("", f"missing (entry {e.id} does not say its manifests were "
                                  f"dropped)")
            full.append(dataclasses.replace(e, manifests=unpack_manifests(binary[key])))
    except Corrupt as c:
        subject = f"{namespace}/{name}" if namespace else name
        raise HistoryCorruptError(subject, where, str(c), namespace=namespace) from None
    return AppRecords(op, tuple(full), last_id)


def _index(value: object) -> tuple[int, list[HistoryEntry]]:
    index = Fields(value, "")
    version = index.integer("version")
    if version > FORMAT_VERSION:
        raise Corrupt("version", f"format {version} is newer than this gitsync reads "
                                 f"({FORMAT_VERSION}): upgrade gitsync")
    last_id = index.integer("lastId")
    entries: list[HistoryEntry] = []
    for i, raw in enumerate(index.array("entries")):
        entry = fields.entry(index.item("entries", i, raw))
        if any(e.id == entry.id for e in entries):
            raise Corrupt(f"entries[{i}].id", f"duplicate id {entry.id}")
        if entry.id > last_id:
            raise Corrupt("lastId", f"{last_id} is lower than entry id {entry.id}")
        entries.append(entry)
    return last_id, sorted(entries, key=lambda e: e.id)


def _bag(configmap: Obj, key: str) -> dict[str, Any]:
    value = configmap.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Corrupt("", f"expected an object, got {shown(value)}")
    return value


def _json(text: object, after: str = "") -> Any:
    if not isinstance(text, str | bytes):
        raise Corrupt("", f"expected a JSON string, got {shown(text)}")
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Corrupt("", f"not valid JSON{' ' + after if after else ''} ({exc})") from None


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _size(bag: dict[str, str]) -> int:
    return sum(len(k) + len(v) for k, v in bag.items())

