"""Comparing an app with its cluster: desired state from Git, live state, diff, health."""

from gitsync.compare.app import (
    CompareOptions,
    Desired,
    compare_app,
    compare_desired,
    desired_state,
    list_keys,
)
from gitsync.compare.state import AppState, ResourceState

__all__ = ["AppState", "CompareOptions", "Desired", "ResourceState", "compare_app",
           "compare_desired", "desired_state", "list_keys"]
