"""The CLI through its entry point: version, help, error lines and exit codes, -v, NO_COLOR."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from typer.testing import CliRunner

from gitsync import __version__
from gitsync.cli import sandbox_cmd
from gitsync.cli.console import format_table
from gitsync.cli.main import app
from gitsync.errors import (
    EXIT_OPERATION_FAILED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    GitsyncError,
    InvalidInputError,
    OperationFailedError,
    UnreachableError,
    UsageError,
)

#: a pinned environment: no colour, no CI switches, a fixed width
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "CI": "", "FORCE_COLOR": "", "TERM": "dumb"}


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env={**ENV, **(env or {})})


def raise_from_command(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make ``gitsync sandbox demo`` raise ``exc`` as its first step."""

    def boom(ctx: object) -> None:
        raise exc

    monkeypatch.setattr(sandbox_cmd, "global_options", boom)


def test_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"gitsync {__version__}\n", "")


@pytest.mark.parametrize("args", [["--help"], ["-h"], []], ids=["--help", "-h", "no-args"])
def test_help_lists_commands_and_exit_codes(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0
    assert "sandbox" in result.stdout
    assert "Exit codes: 0 success" in " ".join(result.stdout.split())


def test_sandbox_group_without_command_shows_help() -> None:
    result = invoke("sandbox")
    assert result.exit_code == 0
    assert "serve" in result.stdout and "demo" in result.stdout


@pytest.mark.parametrize(
    ("args", "message", "hint_command"),
    [
        (["--zzz"], "error: No such option: --zzz", "gitsync"),
        (["nope"], "error: No such command 'nope'.", "gitsync"),
        (
            ["sandbox", "serve", "--time-scale", "-1"],
            "error: Invalid value for '--time-scale': -1 is not a number >= 0 "
            "(0 = instant, 1 = realistic)",
            "gitsync sandbox serve",
        ),
        (
            ["sandbox", "demo", "--time-scale", "nan"],
            "error: Invalid value for '--time-scale': nan is not a number >= 0 "
            "(0 = instant, 1 = realistic)",
            "gitsync sandbox demo",
        ),
    ],
    ids=["unknown-option", "unknown-command", "negative-time-scale", "nan-time-scale"],
)
def test_usage_errors_are_one_line_plus_hint(
    args: list[str], message: str, hint_command: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == f"{message}\nhint: run '{hint_command} --help' for usage\n"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (UsageError("bad flag", hint="see --help"), EXIT_USAGE),
        (InvalidInputError("bad file", hint="fix it"), EXIT_USAGE),
        (UnreachableError("cluster down", hint="check the context"), EXIT_UNREACHABLE),
        (OperationFailedError("sync failed", hint="look at the hooks"), EXIT_OPERATION_FAILED),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, GitsyncError) else str(v),
)
def test_gitsync_errors_map_to_their_exit_code(
    monkeypatch: pytest.MonkeyPatch, exc: GitsyncError, code: int
) -> None:
    raise_from_command(monkeypatch, exc)
    result = invoke("sandbox", "demo")
    assert result.exit_code == code
    assert result.stderr == f"error: {exc.message}\nhint: {exc.hint}\n"


def test_error_without_hint_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    raise_from_command(monkeypatch, UnreachableError("cluster down"))
    result = invoke("sandbox", "demo")
    assert (result.exit_code, result.stderr) == (EXIT_UNREACHABLE, "error: cluster down\n")


def test_traceback_only_with_verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    raise_from_command(monkeypatch, UnreachableError("cluster down", hint="check it"))
    quiet = invoke("sandbox", "demo")
    loud = invoke("-v", "sandbox", "demo")
    assert "Traceback" not in quiet.stderr
    assert loud.exit_code == EXIT_UNREACHABLE
    assert loud.stderr.startswith("error: cluster down\nhint: check it\nTraceback (most recent")
    assert loud.stderr.rstrip().endswith("gitsync.errors.UnreachableError: cluster down")


def test_unexpected_exception_is_reported_as_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    raise_from_command(monkeypatch, RuntimeError("boom"))
    result = invoke("sandbox", "demo")
    assert result.exit_code == EXIT_OPERATION_FAILED
    assert result.stderr == (
        "error: unexpected RuntimeError: boom\n"
        "hint: this is a bug in gitsync; run again with -v and report the traceback\n"
    )


@pytest.mark.parametrize(
    ("env", "args", "colored"),
    [
        ({"NO_COLOR": ""}, [], True),
        ({"NO_COLOR": "1"}, [], False),
        ({"NO_COLOR": ""}, ["--no-color"], False),
    ],
    ids=["color", "NO_COLOR", "--no-color"],
)
def test_no_color(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str], colored: bool
) -> None:
    raise_from_command(monkeypatch, UnreachableError("cluster down"))
    # FORCE_COLOR makes rich treat the captured stream as a colour terminal
    result = invoke(*args, "sandbox", "demo", env={**env, "FORCE_COLOR": "1", "TERM": "xterm"})
    assert result.exit_code == EXIT_UNREACHABLE
    assert ("\x1b[" in result.stderr) is colored
    assert "error:" in result.stderr and "cluster down" in result.stderr


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **ENV}
    return subprocess.run(
        [sys.executable, "-m", "gitsync", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_python_m_gitsync_version() -> None:
    result = run_module("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"gitsync {__version__}\n", "")


def test_python_m_gitsync_help_is_fast() -> None:
    start = time.monotonic()
    result = run_module("--help")
    elapsed = time.monotonic() - start
    assert result.returncode == 0 and "sandbox" in result.stdout
    assert elapsed < 3.0, f"gitsync --help took {elapsed:.2f}s"


def test_cli_import_defers_heavy_modules() -> None:
    code = (
        "import sys, gitsync.cli.main; "
        "print(sorted(m for m in ('kubernetes', 'gitsync.sandbox', 'yaml') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == "[]\n"


def test_python_m_gitsync_usage_error() -> None:
    result = run_module("sandbox", "serve", "--port", "70000")
    assert result.returncode == EXIT_USAGE
    assert result.stdout == ""
    # the wording of the range check is Typer's; the shape of the report is ours
    first, hint = result.stderr.splitlines()
    assert first.startswith("error: Invalid value for '--port': ") and "65535" in first
    assert hint == "hint: run 'gitsync sandbox serve --help' for usage"


def test_format_table_pads_like_kubectl() -> None:
    table = format_table(["NAME", "READY", "AGE"], [["deployment.apps/web", "3/3", "12s"]])
    assert table == "NAME                  READY   AGE\ndeployment.apps/web   3/3     12s"


def deployment(generation: int = 2, **status: Any) -> dict[str, Any]:
    available = status.pop("available_condition", "True")
    return {
        "metadata": {"name": "web", "generation": generation},
        "spec": {"replicas": 3},
        "status": {
            "observedGeneration": 2,
            "conditions": [{"type": "Available", "status": available}],
            **status,
        },
    }


def test_live_progress_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from gitsync.cli.console import Console
    err = io.StringIO()
    console = Console(color=False, stdout=io.StringIO(), stderr=err)
    monkeypatch.setattr(Console, "interactive", property(lambda self: True))
    with console.progress("sync shop"):
        console.info("Sync ▸ wave 1")
        console.event("Deployment/shop/api", "Synced", "configured")
        console.event("Deployment/shop/api", "Healthy")
        console.event("Service/shop/api", "Synced", "created")
    text = err.getvalue()
    # one table updated in place: the last state of each resource, not a line per event
    assert "sync shop  Sync ▸ wave 1" in text
    final = text[text.rindex("RESOURCE"):]
    assert "Deployment/shop/api   Healthy" in final or "Deployment/shop/api  Healthy" in final
    assert "Service/shop/api" in final and "configured" not in final


def test_plain_progress_without_a_terminal() -> None:
    import io

    from gitsync.cli.console import Console
    err = io.StringIO()
    console = Console(color=False, stdout=io.StringIO(), stderr=err)
    with console.progress("sync shop"):
        console.info("Sync ▸ wave 1")
        console.event("Deployment/shop/api", "Synced", "configured")
    assert err.getvalue() == "Sync ▸ wave 1\nDeployment/shop/api  Synced  configured\n"
