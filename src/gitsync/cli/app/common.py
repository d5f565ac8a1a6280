"""What the app commands share: finding Applications, output formats, machine output."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitsync.errors import UsageError

if TYPE_CHECKING:
    from gitsync.model.application import Application, RetryStrategy
    from gitsync.model.catalog import Catalog

APPS_ENV = "GITSYNC_APPS"

AppsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--apps",
        metavar="PATH",
        help=f"File or folder of Application/AppProject manifests (repeatable; "
             f"default: ${APPS_ENV}, {os.pathsep}-separated).",
    ),
]


class Output(StrEnum):
    TEXT = "text"
    WIDE = "wide"
    JSON = "json"
    YAML = "yaml"
    NAME = "name"
    MARKDOWN = "markdown"
    ID = "id"


def apps_paths(explicit: list[Path] | None) -> list[Path]:
    """``--apps`` values, else ``$GITSYNC_APPS``; neither is a usage error with a hint."""
    if explicit:
        return explicit
    env = [Path(p) for p in os.environ.get(APPS_ENV, "").split(os.pathsep) if p]
    if env:
        return env
    raise UsageError("no Applications given",
                     hint=f"pass --apps PATH (a file or folder of Application manifests) or set "
                          f"{APPS_ENV}")


def load_catalog(explicit: list[Path] | None) -> Catalog:
    from gitsync.source.apps import load_catalog as load
    return load(apps_paths(explicit))


def retry_strategy(app: Application, limit: int, duration: str, factor: float,
                   max_duration: str) -> RetryStrategy | None:
    """``--retry-*`` flags when a limit is given, else the app's ``syncPolicy.retry``."""
    from gitsync.model.application import Backoff, RetryStrategy, parse_duration
    if limit == 0:
        return app.sync_policy.retry
    seconds = parse_duration(duration)
    cap = parse_duration(max_duration)
    if seconds is None or cap is None:
        bad = duration if seconds is None else max_duration
        raise UsageError(f'"{bad}" is not a duration', hint='use seconds or a Go duration '
                                                            'such as "5s" or "2m"')
    if factor < 1:
        raise UsageError(f"--retry-backoff-factor {factor}: must be at least 1")
    return RetryStrategy(limit=limit, backoff=Backoff(seconds, factor, cap))


def check_output(output: Output, allowed: tuple[Output, ...]) -> None:
    if output not in allowed:
        raise UsageError(f"-o {output.value} is not supported here",
                         hint=f"use one of: {', '.join(o.value for o in allowed)}")


def dump(data: Any, output: Output) -> str:
    """JSON (stable key order, 2-space indent) or YAML of plain data."""
    if output == Output.JSON:
        return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False)
    import yaml  # deferred: `gitsync --help` stays fast
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
