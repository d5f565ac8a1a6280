"""The history codec: round trips, Secret scrubbing, limits by count and size, ids."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from typing import Any

import pytest

from gitsync.history import AppRecords, HistoryCorruptError, codec, decode, encode, pack
from gitsync.history.records import HistoryEntry
from tests.unit.history.factories import (
    SECRET_VALUES,
    bulky,
    configmap,
    deployment,
    entry,
    operation,
    records,
    secret,
)


def as_configmap(data: dict[str, str], binary: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "gitsync-shop", "namespace": "gitsync-system"},
            "data": data, "binaryData": binary}


def round_trip(recs: AppRecords, limit: int = 10, max_bytes: int = codec.MAX_BYTES
               ) -> AppRecords:
    return decode(as_configmap(*encode(recs, limit, max_bytes)))


def test_empty_records_round_trip() -> None:
    data, binary = encode(AppRecords())
    assert json.loads(data["history"]) == {"version": 1, "lastId": 0, "entries": []}
    assert "operation" not in data and binary == {}
    assert decode(as_configmap(data, binary)) == AppRecords()


def test_a_configmap_without_data_reads_as_corrupt_not_as_empty() -> None:
    with pytest.raises(HistoryCorruptError, match=r"data\.history: missing$"):
        decode(as_configmap({}, {}))


def test_records_round_trip_unchanged() -> None:
    recs = records(3)
    assert round_trip(recs) == recs
    assert [e.id for e in round_trip(recs).entries] == [1, 2, 3]


def test_optional_fields_round_trip() -> None:
    op = operation(finished_at=None, resources=(), id=None, rollback_of=3,
                   operation="rollback", dry_run=True)
    recs = AppRecords(op, (entry(1, rollback_of=3, reason=""),), 1)
    assert round_trip(recs) == recs


def test_layout_of_the_configmap() -> None:
    data, binary = encode(records(2))
    assert set(data) == {"operation", "history"} and set(binary) == {"manifests-1", "manifests-2"}
    index = json.loads(data["history"])
    assert "manifests" not in json.dumps(index["entries"][0]).replace("manifestsDropped", "")
    assert index["entries"][0]["source"] == {"repoURL": "https://git.example.com/shop/deploy.git",
                                             "path": "shop"}
    blob = json.loads(gzip.decompress(base64.b64decode(binary["manifests-1"])))
    assert blob == [deployment("nginx:1.0"), configmap()]


def test_encoding_is_deterministic() -> None:
    assert encode(records(3)) == encode(records(3))


def everything_stored(data: dict[str, str], binary: dict[str, str]) -> str:
    """Every string of the ConfigMap, with each blob also as its gunzipped JSON."""
    parts = [*data.keys(), *data.values(), *binary.keys(), *binary.values()]
    parts += [gzip.decompress(base64.b64decode(v)).decode() for v in binary.values()]
    return "\n".join(parts)


def test_secret_values_are_never_stored() -> None:
    recs = AppRecords().appended(entry(0, deployment(), secret()))
    stored = everything_stored(*encode(recs))
    for value in SECRET_VALUES:
        b64 = base64.b64encode(value.encode()).decode()
        for needle in (value, b64, base64.b64encode(b64.encode()).decode(),
                       json.dumps(value)[1:-1]):
            assert needle not in stored
    assert "last-applied-configuration" not in stored


def test_secret_metadata_is_kept_for_a_rollback_to_re_render() -> None:
    recs = AppRecords().appended(entry(0, deployment(), secret()))
    kept = round_trip(recs).entries[0].manifests[1]
    assert kept == {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"},
                                 "annotations": {"team": "db"}}}


def test_pack_returns_the_scrubbed_records_it_stores() -> None:
    packed = pack(AppRecords().appended(entry(0, secret())))
    assert "data" not in packed.records.entries[0].manifests[0]
    assert packed.records == decode(as_configmap(packed.data, packed.binary_data))


def test_scrubbing_leaves_the_callers_manifests_alone() -> None:
    original = secret()
    codec.scrub_secrets([original])
    assert original == secret()


@pytest.mark.parametrize(("count", "limit", "kept"), [
    (3, 10, [1, 2, 3]), (2, 3, [1, 2]), (3, 3, [1, 2, 3]), (15, 10, list(range(6, 16))),
    (5, 1, [5]), (4, 0, []),
], ids=["far-under", "one-under", "at", "over", "one", "zero"])
def test_limit_keeps_the_newest_entries(count: int, limit: int, kept: list[int]) -> None:
    decoded = round_trip(records(count), limit)
    assert [e.id for e in decoded.entries] == kept
    assert decoded.last_id == count


def test_ids_continue_after_trimming_and_are_never_reused() -> None:
    recs = round_trip(records(12), limit=2)
    assert [e.id for e in recs.entries] == [11, 12]
    recs = round_trip(recs.appended(entry(99)), limit=2)
    assert [e.id for e in recs.entries] == [12, 13]
    emptied = round_trip(recs, limit=0)
    assert emptied.entries == () and emptied.appended(entry()).entries[0].id == 14


def stored_size(data: dict[str, str], binary: dict[str, str]) -> int:
    return sum(len(k) + len(v) for bag in (data, binary) for k, v in bag.items())


def test_size_budget_drops_the_oldest_manifests_first() -> None:
    recs = AppRecords()
    for i in range(5):
        recs = recs.appended(entry(0, bulky(i, 80)))
    data, binary = encode(recs, max_bytes=200_000)
    assert stored_size(data, binary) <= 200_000
    decoded = decode(as_configmap(data, binary))
    assert [e.id for e in decoded.entries] == [1, 2, 3, 4, 5]
    assert [e.manifests_dropped for e in decoded.entries] == [True, True, True, False, False]
    assert decoded.entries[0].manifests == () and decoded.entries[4].manifests == (bulky(4, 80),)


def test_size_budget_then_drops_the_oldest_entries() -> None:
    recs = records(40, reason="x" * 2000)
    data, binary = encode(recs, limit=40, max_bytes=30_000)
    assert stored_size(data, binary) <= 30_000
    decoded = decode(as_configmap(data, binary))
    assert binary == {} and decoded.entries[-1].id == 40 and decoded.last_id == 40
    assert 0 < len(decoded.entries) < 40
    assert all(e.manifests_dropped for e in decoded.entries)


def test_one_entry_too_large_alone_keeps_its_index_line() -> None:
    recs = AppRecords().appended(entry(0, bulky(1, 300)))
    decoded = round_trip(recs, max_bytes=100_000)
    assert decoded.entries[0].manifests_dropped and decoded.entries[0].id == 1


def test_dropped_manifests_stay_dropped() -> None:
    recs = AppRecords().appended(entry(0).without_manifests())
    data, binary = encode(recs)
    assert binary == {}
    assert json.loads(data["history"])["entries"][0]["manifestsDropped"] is True
    assert round_trip(recs) == recs


def test_appended_ignores_the_given_id() -> None:
    recs = AppRecords(last_id=7).appended(entry(3))
    assert recs.entries[0].id == 8 and recs.last_id == 8


def test_finished_points_the_operation_at_its_entry() -> None:
    recs = AppRecords(last_id=4).finished(operation(), entry())
    assert recs.operation is not None and recs.operation.id == 5
    assert AppRecords().finished(operation(id=None), None).operation == operation(id=None)


def test_decode_sorts_entries_by_id() -> None:
    data, binary = encode(records(3))
    index = json.loads(data["history"])
    index["entries"].reverse()
    data["history"] = json.dumps(index)
    assert [e.id for e in decode(as_configmap(data, binary)).entries] == [1, 2, 3]


def test_unknown_keys_are_ignored_for_forward_compatibility() -> None:
    data, binary = encode(records(1))
    index = json.loads(data["history"])
    index["future"] = True
    index["entries"][0]["images"] = ["nginx"]
    data["history"] = json.dumps(index)
    binary["stray"] = base64.b64encode(b"x").decode()
    assert decode(as_configmap(data, binary)) == records(1)


def entry_ids(recs: AppRecords) -> list[int]:
    return [e.id for e in recs.entries]


def test_entries_compare_by_value() -> None:
    assert isinstance(records(1).entries[0], HistoryEntry)
    assert dataclasses.replace(records(1).entries[0], reason="x") != records(1).entries[0]
