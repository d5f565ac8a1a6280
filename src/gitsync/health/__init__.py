"""Health of live objects and of applications: pure functions, one small module per kind.

:func:`assess` judges one live object through the (group, kind) table in
:mod:`gitsync.health.checks`, :func:`aggregate` turns resource health into app health and
:func:`hook_phase` tells whether a hook has finished.
"""

from gitsync.health.app_health import aggregate
from gitsync.health.checks import assess
from gitsync.health.hooks import hook_phase

__all__ = ["aggregate", "assess", "hook_phase"]
