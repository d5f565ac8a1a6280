"""Reading the JSON records back, field by field, so any damage names its path and its kind."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TypeVar, cast

from gitsync.history.records import (
    OPERATION_KINDS,
    HistoryEntry,
    Initiator,
    OperationState,
    ResourceCounts,
    ResourceResult,
    Source,
    parse_time,
)
from gitsync.model import HookType, OperationPhase, ResultCode, SyncPhase

_E = TypeVar("_E", bound=StrEnum)


class Corrupt(Exception):
    """A record is unreadable at ``path``; the codec adds which ConfigMap and key."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path}: {what}" if path else what)
        self.path = path
        self.what = what


def shown(value: object) -> str:
    """A short JSON rendering of a bad value for an error message."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


class Fields:
    """One JSON object, read with the types the records need."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise Corrupt(path, f"expected an object, got {shown(value)}")
        self._d = cast(dict[str, object], value)
        self.path = path

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str) -> object:
        if key not in self._d:
            raise Corrupt(self._at(key), "missing")
        return self._d[key]

    def _typed(self, key: str, kind: type, name: str, *, optional: bool = False) -> object:
        value = self._d.get(key) if optional else self._get(key)
        if optional and value is None:
            return None
        # bool is an int in Python, but true is no id
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise Corrupt(self._at(key), f"expected {name}, got {shown(value)}")
        return value

    def text(self, key: str) -> str:
        return cast(str, self._typed(key, str, "a string"))

    def integer(self, key: str) -> int:
        return cast(int, self._typed(key, int, "an integer"))

    def opt_integer(self, key: str) -> int | None:
        return cast(int | None, self._typed(key, int, "an integer or null", optional=True))

    def flag(self, key: str) -> bool:
        return cast(bool, self._typed(key, bool, "true or false"))

    def time(self, key: str, *, optional: bool = False) -> str:
        value = cast(str | None, self._typed(key, str, "a timestamp", optional=optional))
        if value is None:
            return ""
        try:
            parse_time(value)
        except ValueError:
            raise Corrupt(self._at(key), f"expected an RFC 3339 timestamp, got {shown(value)}"
                          ) from None
        return value

    def enum(self, key: str, enum: type[_E], *, optional: bool = False) -> _E | None:
        value = cast(str | None, self._typed(key, str, "a string", optional=optional))
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise Corrupt(self._at(key), f"expected one of {allowed}, got {shown(value)}"
                          ) from None

    def obj(self, key: str) -> Fields:
        return Fields(self._get(key), self._at(key))

    def array(self, key: str) -> list[object]:
        return cast(list[object], self._typed(key, list, "a list"))

    def item(self, key: str, index: int, value: object) -> Fields:
        return Fields(value, f"{self._at(key)}[{index}]")


def initiator(f: Fields) -> Initiator:
    return Initiator(f.text("username"), f.text("host"), f.flag("automated"))


def result(f: Fields) -> ResourceResult:
    return ResourceResult(
        f.text("group"), f.text("version"), f.text("kind"), f.text("namespace"), f.text("name"),
        cast(ResultCode, f.enum("status", ResultCode)), f.text("message"),
        f.enum("hookType", HookType, optional=True),
        f.enum("hookPhase", OperationPhase, optional=True),
        cast(SyncPhase, f.enum("syncPhase", SyncPhase)), f.integer("wave"))


def operation(f: Fields) -> OperationState:
    kind = f.text("operation")
    if kind not in OPERATION_KINDS:
        raise Corrupt(f"{f.path}.operation" if f.path else "operation",
                      f"expected one of {', '.join(OPERATION_KINDS)}, got {shown(kind)}")
    resources = tuple(result(f.item("resources", i, r))
                      for i, r in enumerate(f.array("resources")))
    finished = f.time("finishedAt", optional=True) or None
    return OperationState(
        operation=kind,
        phase=cast(OperationPhase, f.enum("phase", OperationPhase)),
        started_at=f.time("startedAt"), message=f.text("message"), revision=f.text("revision"),
        target_revision=f.text("targetRevision"), finished_at=finished,
        dry_run=f.flag("dryRun"), prune=f.flag("prune"),
        initiated_by=initiator(f.obj("initiatedBy")), reason=f.text("reason"),
        retry_count=f.integer("retryCount"), resources=resources,
        rollback_of=f.opt_integer("rollbackOf"), id=f.opt_integer("id"))


def counts(f: Fields) -> ResourceCounts:
    return ResourceCounts(f.integer("synced"), f.integer("syncFailed"), f.integer("pruned"),
                          f.integer("pruneSkipped"))


def entry(f: Fields) -> HistoryEntry:
    """An index entry; its manifests are attached by the codec."""
    src = f.obj("source")
    return HistoryEntry(
        id=f.integer("id"), revision=f.text("revision"), target_revision=f.text("targetRevision"),
        source=Source(src.text("repoURL"), src.text("path")),
        deploy_started_at=f.time("deployStartedAt"), deployed_at=f.time("deployedAt"),
        initiated_by=initiator(f.obj("initiatedBy")), reason=f.text("reason"),
        result=cast(OperationPhase, f.enum("result", OperationPhase)),
        rollback_of=f.opt_integer("rollbackOf"), counts=counts(f.obj("resources")),
        manifests_dropped=f.flag("manifestsDropped"))
