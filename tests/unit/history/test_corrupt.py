"""Every way a history ConfigMap can be damaged becomes one clear HistoryCorruptError."""

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gitsync.history import HistoryCorruptError, codec, decode, encode
from tests.unit.history.factories import records

PREFIX = "history ConfigMap gitsync-system/gitsync-shop is corrupt: "
Mutate = Callable[[dict[str, Any]], None]


def valid() -> dict[str, Any]:
    data, binary = encode(records(2))
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "gitsync-shop", "namespace": "gitsync-system"},
            "data": data, "binaryData": binary}


def in_json(key: str, edit: Callable[[Any], None]) -> Mutate:
    """Edit the parsed JSON of ``data[key]`` in place and store it back."""
    def mutate(cm: dict[str, Any]) -> None:
        value = json.loads(cm["data"][key])
        edit(value)
        cm["data"][key] = json.dumps(value)
    return mutate


def setter(key: str, *path: str | int, value: Any) -> Mutate:
    def edit(doc: Any) -> None:
        for step in path[:-1]:
            doc = doc[step]
        doc[path[-1]] = value
    return in_json(key, edit)


def deleter(key: str, *path: str | int) -> Mutate:
    def edit(doc: Any) -> None:
        for step in path[:-1]:
            doc = doc[step]
        del doc[path[-1]]
    return in_json(key, edit)


def put(bag: str, key: str, value: Any) -> Mutate:
    def mutate(cm: dict[str, Any]) -> None:
        cm[bag][key] = value
    return mutate


def blob(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def gz(text: str) -> str:
    return blob(gzip.compress(text.encode()))


def remove(bag: str, key: str) -> Mutate:
    def mutate(cm: dict[str, Any]) -> None:
        del cm[bag][key]
    return mutate


def replace_bag(bag: str, value: Any) -> Mutate:
    def mutate(cm: dict[str, Any]) -> None:
        cm[bag] = value
    return mutate


M1 = "binaryData.manifests-1: "
CASES: list[tuple[str, Mutate, str]] = [
    ("data-not-object", replace_bag("data", ["x"]), 'data: expected an object, got ["x"]'),
    ("binary-not-object", replace_bag("binaryData", "abc"),
     'binaryData: expected an object, got "abc"'),
    ("history-missing", remove("data", "history"), "data.history: missing"),
    ("history-not-string", put("data", "history", 5),
     "data.history: expected a JSON string, got 5"),
    ("history-bad-json", put("data", "history", "{not json"),
     "data.history: not valid JSON (Expecting property name enclosed in double quotes: "
     "line 1 column 2 (char 1))"),
    ("history-not-object", put("data", "history", "[]"),
     "data.history: expected an object, got []"),
    ("version-missing", deleter("history", "version"), "data.history: version: missing"),
    ("version-newer", setter("history", "version", value=2),
     "data.history: version: format 2 is newer than this gitsync reads (1): upgrade gitsync"),
    ("entries-not-list", setter("history", "entries", value={}),
     "data.history: entries: expected a list, got {}"),
    ("entry-not-object", setter("history", "entries", 0, value=7),
     "data.history: entries[0]: expected an object, got 7"),
    ("id-string", setter("history", "entries", 1, "id", value="2"),
     'data.history: entries[1].id: expected an integer, got "2"'),
    ("id-bool", setter("history", "entries", 0, "id", value=True),
     "data.history: entries[0].id: expected an integer, got true"),
    ("id-duplicate", setter("history", "entries", 1, "id", value=1),
     "data.history: entries[1].id: duplicate id 1"),
    ("last-id-lower", setter("history", "lastId", value=1),
     "data.history: lastId: 1 is lower than entry id 2"),
    ("bad-timestamp", setter("history", "entries", 0, "deployedAt", value="yesterday"),
     'data.history: entries[0].deployedAt: expected an RFC 3339 timestamp, got "yesterday"'),
    ("unknown-result", setter("history", "entries", 0, "result", value="Sideways"),
     "data.history: entries[0].result: expected one of Running, Terminating, Succeeded, "
     'Failed, Error, got "Sideways"'),
    ("source-not-object", setter("history", "entries", 0, "source", value="git"),
     'data.history: entries[0].source: expected an object, got "git"'),
    ("nested-missing", deleter("history", "entries", 0, "initiatedBy", "username"),
     "data.history: entries[0].initiatedBy.username: missing"),
    ("count-negative-type", setter("history", "entries", 0, "resources", "synced", value=1.5),
     "data.history: entries[0].resources.synced: expected an integer, got 1.5"),
    ("operation-bad-json", put("data", "operation", ""),
     "data.operation: not valid JSON (Expecting value: line 1 column 1 (char 0))"),
    ("operation-unknown-kind", setter("operation", "operation", value="deploy"),
     'data.operation: operation: expected one of sync, rollback, self-heal, got "deploy"'),
    ("operation-bad-status", setter("operation", "resources", 0, "status", value="Great"),
     "data.operation: resources[0].status: expected one of Synced, SyncFailed, Pruned, "
     'PruneSkipped, got "Great"'),
    ("operation-bad-finished", setter("operation", "finishedAt", value=12),
     "data.operation: finishedAt: expected a timestamp, got 12"),
    ("blob-missing", remove("binaryData", "manifests-1"),
     M1 + "missing (entry 1 does not say its manifests were dropped)"),
    ("blob-not-string", put("binaryData", "manifests-1", 3),
     M1 + "expected a base64 string, got 3"),
    ("blob-not-base64", put("binaryData", "manifests-1", "***"), M1 + "not valid base64"),
    ("blob-not-gzip", put("binaryData", "manifests-1", blob(b"plain text")),
     M1 + "not valid gzip data (Error -3 while decompressing data: incorrect header check)"),
    ("blob-truncated", put("binaryData", "manifests-1", blob(gzip.compress(b"[]" * 50)[:12])),
     M1 + "truncated gzip data"),
    ("blob-not-json", put("binaryData", "manifests-1", gz("kind: Deployment")),
     M1 + "not valid JSON after gunzip (Expecting value: line 1 column 1 (char 0))"),
    ("blob-not-list", put("binaryData", "manifests-1", gz('{"kind": "Deployment"}')),
     M1 + 'expected a list of manifests, got {"kind": "Deployment"}'),
    ("blob-item-not-object", put("binaryData", "manifests-1", gz('[{}, "oops"]')),
     M1 + '[1]: expected a manifest object, got "oops"'),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_corruption_is_one_clear_line(mutate: Mutate, message: str) -> None:
    cm = valid()
    mutate(cm)
    with pytest.raises(HistoryCorruptError) as caught:
        decode(cm)
    assert caught.value.message == PREFIX + message
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == 2
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_hint_says_how_to_recover() -> None:
    cm = valid()
    cm["data"]["history"] = "{"
    with pytest.raises(HistoryCorruptError) as caught:
        decode(cm)
    assert caught.value.hint == ("delete it to start a fresh history (kubectl -n gitsync-system "
                                 "delete configmap gitsync-shop); the applied objects are not "
                                 "affected")


def test_a_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "MAX_INFLATED", 1024 * 1024)
    cm = valid()
    cm["binaryData"]["manifests-1"] = blob(gzip.compress(b" " * (2 * 1024 * 1024)))
    with pytest.raises(HistoryCorruptError, match=r"manifests-1: expands beyond 1 MiB"):
        decode(cm)


def leaves(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in a JSON document, containers included."""
    if path:
        yield path
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(
        doc, list) else ()
    for k, v in items:
        yield from leaves(v, (*path, k))


@pytest.mark.parametrize("key", ["history", "operation"])
def test_any_wrong_type_anywhere_is_a_clear_error_never_a_crash(key: str) -> None:
    base = valid()
    doc = json.loads(base["data"][key])
    for path in leaves(doc):
        wrongs: tuple[Any, ...] = (None, 1, "x", [], {}, True, -1.5)
        for wrong in wrongs:
            cm = copy.deepcopy(base)
            setter(key, *path, value=wrong)(cm)
            try:
                decode(cm)
            except HistoryCorruptError as exc:
                assert exc.message.startswith(PREFIX + f"data.{key}: ")
