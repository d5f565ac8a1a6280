"""Diff: normalisation, ignore rules (compiled once), structural diff, secret masking. No I/O.

The one exception to "no I/O": jq expressions with a time limit run in a child process
(:mod:`gitsync.diff.jqrun`), because the jq binding cannot be interrupted in-process.
"""

from gitsync.diff.compare import diff_resource
from gitsync.diff.fieldsv1 import FieldSet, ManagedFields
from gitsync.diff.ignore import IgnoreRuleError, IgnoreRules, ResourceIgnores
from gitsync.diff.mask import MASK, hide_secret_data
from gitsync.diff.merge import ListKeys
from gitsync.diff.normalize import KindInfo, kind_info_for, normalize
from gitsync.diff.render import render_app_diff, render_diff, to_yaml
from gitsync.diff.result import DiffStatus, FieldChange, ResourceDiff
from gitsync.diff.schema_keys import list_keys_from_definitions

__all__ = [
    "MASK",
    "DiffStatus",
    "FieldChange",
    "FieldSet",
    "IgnoreRuleError",
    "IgnoreRules",
    "KindInfo",
    "ListKeys",
    "ManagedFields",
    "ResourceDiff",
    "ResourceIgnores",
    "diff_resource",
    "hide_secret_data",
    "kind_info_for",
    "list_keys_from_definitions",
    "normalize",
    "render_app_diff",
    "render_diff",
    "to_yaml",
]
