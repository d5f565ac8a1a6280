"""Fault injection: latency, error answers and dropped connections, by verb and resource.

A rule matches requests by verb (get, list, watch, create, update, patch, delete,
deletecollection, or ``*``) and resource (plural, ``*`` for any); it fires with a probability
or on the Nth matching call, optionally only a limited number of times.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitsync.sandbox.errors import (
    STALE,
    ApiError,
    conflict,
    internal_error,
    service_unavailable,
    too_many_requests,
)

ACTIONS = ("error", "delay", "drop")


@dataclass
class FaultRule:
    verb: str = "*"
    resource: str = "*"
    action: str = "error"            # error | delay | drop
    status: int = 500                # for errors: 409, 429, 500, 503
    delay: float = 0.0               # seconds, for delay (real seconds, not time-scaled)
    probability: float = 1.0
    nth: int = 0                     # fire only on the Nth matching call (1-based); 0 = any
    times: int = 0                   # fire at most this many times; 0 = unlimited
    retry_after: int = 1
    name: str = ""
    seen: int = field(default=0, repr=False)
    fired: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"fault action must be one of {', '.join(ACTIONS)}: {self.action!r}")
        if self.action == "error" and self.status not in (409, 429, 500, 503):
            raise ValueError(f"fault status must be 409, 429, 500 or 503: {self.status}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"fault probability must be within 0..1: {self.probability}")

    def matches(self, verb: str, resource: str) -> bool:
        return self.verb in ("*", verb) and self.resource in ("*", resource)

    def error(self, resource: str, group: str, name: str) -> ApiError:
        if self.status == 409:
            return conflict(resource, group, name or resource, STALE)
        if self.status == 429:
            return too_many_requests(self.retry_after)
        if self.status == 503:
            return service_unavailable()
        return internal_error("injected fault")


@dataclass
class Decision:
    delay: float = 0.0
    error: FaultRule | None = None
    drop: bool = False


class Faults:
    """The active rules; thread-safe, since tests change them from outside the server loop."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._rng = random.Random(0)
        self.injected = 0

    def add(self, **kwargs: Any) -> FaultRule:
        rule = FaultRule(**kwargs)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def load(self, path: Path) -> None:
        """Rules from a JSON or YAML file: a list of rule mappings (``serve --faults``)."""
        import yaml
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a list of fault rules")
        for item in data:
            if not isinstance(item, dict):
                raise ValueError(f"{path}: each fault rule must be a mapping")
            self.add(**item)

    def decide(self, verb: str, resource: str) -> Decision:
        out = Decision()
        with self._lock:
            for rule in self._rules:
                if not rule.matches(verb, resource):
                    continue
                rule.seen += 1
                if rule.times and rule.fired >= rule.times:
                    continue
                if rule.nth and rule.seen != rule.nth:
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                self.injected += 1
                if rule.action == "delay":
                    out.delay += rule.delay
                elif rule.action == "drop":
                    out.drop = True
                elif out.error is None:
                    out.error = rule
        return out
