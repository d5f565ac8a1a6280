"""Running renderer binaries: one timeout for every call, failures summarised from stderr."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from gitsync.errors import InvalidInputError, OperationFailedError
from gitsync.source.urls import scrub

#: seconds a renderer (kustomize, helm) may run; remote bases and dependency builds fetch
RENDER_TIMEOUT = 180.0
_MAX_SUMMARY = 600
# kubectl logs through klog: "E1127 08:23:34.151686    3237 run.go:72] " says nothing to users
_KLOG = re.compile(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\] ")


def summarise(stderr: str, lines: int = 3) -> str:
    """The first non-empty lines of ``stderr``, joined on one line, credentials removed."""
    kept = [_KLOG.sub("", ln.strip()) for ln in stderr.splitlines() if ln.strip()][:lines]
    text = scrub(" | ".join(kept))
    return text if len(text) <= _MAX_SUMMARY else text[: _MAX_SUMMARY - 1] + "…"


def run(cmd: list[str], *, cwd: Path, what: str, timeout: float = RENDER_TIMEOUT,
        env: Mapping[str, str] | None = None) -> str:
    """Run ``cmd`` and return its stdout; ``what`` names the step in error messages."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace",
                              timeout=timeout, stdin=subprocess.DEVNULL, env=full_env,
                              check=False)
    except subprocess.TimeoutExpired:
        raise OperationFailedError(f"{what} timed out after {timeout:g} s",
                                   hint="a remote base or chart dependency may be "
                                        "unreachable") from None
    except OSError as exc:
        raise InvalidInputError(f"{what}: cannot run {cmd[0]}: {exc.strerror}") from None
    if done.returncode != 0:
        detail = summarise(done.stderr) or f"exit status {done.returncode}"
        raise InvalidInputError(f"{what} failed: {detail}")
    return done.stdout
