"""Shapes the kube package hands out: group/kinds, watch events and raw API objects."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, TypedDict

#: a Kubernetes object as the API serves it (raw JSON, never a client model)
Obj = dict[str, Any]


#: what happens to an object's dependents when it is deleted
Propagation = Literal["Foreground", "Background", "Orphan"]


class GroupKind(NamedTuple):
    """A kind within its API group ("" for the core group)."""

    group: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


class WatchEvent(NamedTuple):
    """One change seen by a watch: ADDED, MODIFIED or DELETED, and the object."""

    type: str
    object: Obj


class Listing(NamedTuple):
    """The objects of one LIST and the resourceVersion to watch from."""

    items: list[Obj]
    resource_version: str


class StatusCause(TypedDict, total=False):
    """One ``details.causes`` entry of a ``Status``."""

    reason: str
    message: str
    field: str


class StatusDetails(TypedDict, total=False):
    name: str
    group: str
    kind: str
    causes: list[StatusCause]
    retryAfterSeconds: int


class Status(TypedDict, total=False):
    """The ``Status`` body the API server answers errors with."""

    kind: str
    apiVersion: str
    status: str
    message: str
    reason: str
    details: StatusDetails
    code: int
