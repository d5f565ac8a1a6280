"""Automated sync and self-heal: a reconcile loop per app, woken by a timer and by watches.

``decide`` and ``backoff`` are pure; ``loop`` does its I/O through :mod:`gitsync.sync`,
:mod:`gitsync.compare` and :mod:`gitsync.history`, and ``watches`` through the cluster.
"""

from gitsync.watch.backoff import HealCount, SelfHealBackoff, next_interval, reconnect_delay
from gitsync.watch.decide import Action, Decision, LastOp, Observed, decide
from gitsync.watch.events import Change, Event, EventReporter, Kind, Sink
from gitsync.watch.options import AppTarget, WatchOptions
from gitsync.watch.run import watch_apps

__all__ = [
    "Action", "AppTarget", "Change", "Decision", "Event", "EventReporter", "HealCount", "Kind",
    "LastOp", "Observed", "SelfHealBackoff", "Sink", "WatchOptions", "decide", "next_interval",
    "reconnect_delay", "watch_apps",
]
