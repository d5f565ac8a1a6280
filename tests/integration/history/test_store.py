"""The history store against the sandbox: on-demand creation, CAS writes, corrupt data."""

from __future__ import annotations

import base64
import gzip
import threading
from collections.abc import Callable

import pytest

from gitsync.errors import InvalidInputError, OperationFailedError
from gitsync.history import AppRecords, HistoryCorruptError, HistoryStore
from gitsync.kube import Cluster
from gitsync.model import ResourceKey
from tests.unit.history.factories import (
    SECRET_VALUES,
    bulky,
    deployment,
    entry,
    operation,
    secret,
)

NS_KEY = ResourceKey("", "Namespace", "", "gitsync-system")
CM_KEY = ResourceKey("", "ConfigMap", "gitsync-system", "gitsync-shop")


def test_load_of_a_new_app_is_empty_and_writes_nothing(cluster: Cluster) -> None:
    assert HistoryStore(cluster).load("shop") == AppRecords()
    assert cluster.get(NS_KEY) is None


def test_first_write_creates_namespace_and_labelled_configmap(cluster: Cluster) -> None:
    stored = HistoryStore(cluster).append_history("shop", entry(), limit=10)
    assert stored.id == 1
    assert cluster.get(NS_KEY) is not None
    cm = cluster.get(CM_KEY)
    assert cm is not None
    assert cm["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "gitsync",
                                        "gitsync.io/history-of": "shop"}
    assert cm["metadata"]["annotations"] == {"gitsync.io/app-name": "shop"}
    assert set(cm["data"]) == {"history"} and set(cm["binaryData"]) == {"manifests-1"}


def test_records_survive_a_new_connection(cluster: Cluster,
                                          connect_cluster: Callable[[], Cluster]) -> None:
    store = HistoryStore(cluster)
    store.append_history("shop", entry(), limit=10)
    store.record_operation("shop", operation(id=1))
    loaded = HistoryStore(connect_cluster()).load("shop")
    assert loaded == AppRecords(operation(id=1), (entry(1),), 1)


def test_ids_increase_and_the_limit_trims(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    ids = [store.append_history("shop", entry(), limit=3).id for _ in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    assert [e.id for e in store.load("shop").entries] == [3, 4, 5]


def test_recording_an_operation_keeps_every_entry(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    for _ in range(12):
        store.append_history("shop", entry(), limit=20)
    store.record_operation("shop", operation())
    assert len(store.load("shop").entries) == 12


def test_finish_records_operation_and_entry_together(cluster: Cluster) -> None:
    recs = HistoryStore(cluster).finish("shop", operation(id=None), entry(), limit=10)
    assert recs.operation is not None and recs.operation.id == 1
    assert HistoryStore(cluster).load("shop") == recs


def test_apps_do_not_share_configmaps(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    store.append_history("shop", entry(), limit=10)
    store.append_history("My_Shop", entry(), limit=10)
    assert store.load("shop").last_id == 1 and store.load("My_Shop").last_id == 1


def test_a_write_that_loses_the_race_retries_and_keeps_the_other(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    store.append_history("shop", entry(), limit=10)
    calls = []

    def append_after_a_rival(recs: AppRecords) -> AppRecords:
        calls.append(recs.last_id)
        if len(calls) == 1:  # a rival writes between our read and our write
            store.append_history("shop", entry(reason="rival"), limit=10)
        return recs.appended(entry(reason="mine"))

    store.update("shop", append_after_a_rival, 10)
    assert calls == [1, 2]
    assert [(e.id, e.reason) for e in store.load("shop").entries] == [
        (1, "release"), (2, "rival"), (3, "mine")]


def test_concurrent_writers_lose_nothing(connect_cluster: Callable[[], Cluster]) -> None:
    writers, each = 4, 8
    stores = [HistoryStore(connect_cluster()) for _ in range(writers)]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for n in range(each):
                stores[i].append_history("shop", entry(reason=f"w{i}-{n}"), limit=100)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = stores[0].load("shop").entries
    assert [e.id for e in entries] == list(range(1, writers * each + 1))
    assert sorted(e.reason for e in entries) == sorted(
        f"w{i}-{n}" for i in range(writers) for n in range(each))


def test_a_writer_that_always_loses_gives_up_clearly(cluster: Cluster) -> None:
    rival = HistoryStore(cluster)
    store = HistoryStore(cluster, max_attempts=3, sleep=lambda _: None)

    def always_overtaken(recs: AppRecords) -> AppRecords:
        rival.append_history("shop", entry(), limit=100)
        return recs.appended(entry())

    with pytest.raises(OperationFailedError, match=r"^could not record the history of app shop: "
                       r"ConfigMap gitsync-system/gitsync-shop kept changing \(3 attempts\)$"):
        store.update("shop", always_overtaken, 100)


def test_secret_values_never_reach_the_cluster(cluster: Cluster) -> None:
    HistoryStore(cluster).append_history("shop", entry(0, deployment(), secret()), limit=10)
    cm = cluster.get(CM_KEY)
    assert cm is not None
    text = repr(cm) + "".join(gzip.decompress(base64.b64decode(v)).decode()
                              for v in cm["binaryData"].values())
    for value in SECRET_VALUES:
        assert value not in text and base64.b64encode(value.encode()).decode() not in text


def test_large_histories_stay_under_the_object_limit(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    for i in range(8):
        store.append_history("shop", entry(0, bulky(i, 200)), limit=10)
    entries = store.load("shop").entries
    assert [e.id for e in entries] == list(range(1, 9))
    assert entries[0].manifests_dropped and not entries[-1].manifests_dropped


def test_a_corrupt_configmap_is_a_clear_error_and_is_not_overwritten(cluster: Cluster) -> None:
    store = HistoryStore(cluster)
    store.append_history("shop", entry(), limit=10)
    cm = cluster.get(CM_KEY)
    assert cm is not None
    cm["data"]["history"] = '{"version": 1, "lastId": "one"'
    cluster.replace(cm)
    message = ("history ConfigMap gitsync-system/gitsync-shop is corrupt: data.history: "
               "not valid JSON (Expecting ',' delimiter: line 1 column 31 (char 30))")
    with pytest.raises(HistoryCorruptError) as caught:
        store.load("shop")
    assert caught.value.message == message
    with pytest.raises(HistoryCorruptError):
        store.append_history("shop", entry(), limit=10)
    after = cluster.get(CM_KEY)
    assert after is not None and after["data"]["history"] == cm["data"]["history"]


def test_a_configmap_gitsync_did_not_write_is_left_alone(cluster: Cluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "gitsync-system"}})
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "gitsync-shop", "namespace": "gitsync-system"},
                    "data": {"mine": "yes"}})
    with pytest.raises(InvalidInputError, match=r"^ConfigMap gitsync-system/gitsync-shop holds "
                       r"data gitsync did not write, not the history of app shop$"):
        HistoryStore(cluster).append_history("shop", entry(), limit=10)
    cm = cluster.get(CM_KEY)
    assert cm is not None and cm["data"] == {"mine": "yes"}


def test_another_namespace(cluster: Cluster) -> None:
    HistoryStore(cluster, "ops").append_history("shop", entry(), limit=10)
    assert cluster.get(ResourceKey("", "ConfigMap", "ops", "gitsync-shop")) is not None
