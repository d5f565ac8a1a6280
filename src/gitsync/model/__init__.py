"""The domain vocabulary: applications, projects, resources, keys, annotations, outcomes."""

from gitsync.model.application import Application
from gitsync.model.enums import (
    HealthStatus,
    HookDeletePolicy,
    HookType,
    OperationPhase,
    ResultCode,
    SyncPhase,
    SyncStatus,
)
from gitsync.model.project import AppProject
from gitsync.model.resource import HealthReport, Origin, Resource, ResourceKey

__all__ = [
    "AppProject",
    "Application",
    "HealthReport",
    "HealthStatus",
    "HookDeletePolicy",
    "HookType",
    "OperationPhase",
    "Origin",
    "Resource",
    "ResourceKey",
    "ResultCode",
    "SyncPhase",
    "SyncStatus",
]
