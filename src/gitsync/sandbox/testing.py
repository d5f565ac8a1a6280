"""A pytest-friendly handle on an in-process sandbox: URL, kubeconfig, faults and time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gitsync.sandbox.faults import Faults
from gitsync.sandbox.runtime import CONTEXT, Sandbox, SandboxConfig


@dataclass
class SandboxHandle:
    sandbox: Sandbox
    kubeconfig: Path
    context: str = CONTEXT

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def faults(self) -> Faults:
        return self.sandbox.faults

    def set_time_scale(self, scale: float) -> None:
        self.sandbox.set_time_scale(scale)

    def compact(self) -> None:
        self.sandbox.compact()


@contextmanager
def running_sandbox(tmp_dir: Path, *, time_scale: float = 0.0,
                    bookmark_interval: float = 60.0) -> Iterator[SandboxHandle]:
    """Start a sandbox on a free port with its own kubeconfig in ``tmp_dir``."""
    sb = Sandbox(SandboxConfig(time_scale=time_scale, bookmark_interval=bookmark_interval))
    sb.start()
    try:
        path = sb.write_kubeconfig(tmp_dir / "kubeconfig")
        yield SandboxHandle(sb, path)
    finally:
        sb.stop()
