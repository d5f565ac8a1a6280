"""Running a sandbox: in a background thread (tests, demo) or in the foreground (``serve``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from gitsync.sandbox.api import Api
from gitsync.sandbox.cluster import Cluster
from gitsync.sandbox.controllers import ControllerManager
from gitsync.sandbox.faults import Faults
from gitsync.sandbox.server import HttpServer

T = TypeVar("T")

CONTEXT = "gitsync-sandbox"
#: default time scale: a rollout takes a few seconds, so the demo looks like a real cluster
DEFAULT_TIME_SCALE = 1.0
#: how long after the last change the state file is written
_SAVE_DELAY = 0.2


@dataclass
class SandboxConfig:
    address: str = "127.0.0.1"
    port: int = 0
    time_scale: float = DEFAULT_TIME_SCALE
    state_file: Path | None = None
    bookmark_interval: float = 60.0


class Sandbox:
    """An embedded Kubernetes API server with simulated controllers."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.faults = Faults()
        self.cluster = Cluster()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._http: HttpServer | None = None
        self._save_handle: asyncio.TimerHandle | None = None
        self.controllers: ControllerManager | None = None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.config.address}:{self.port}"

    async def serve_async(self) -> None:
        """Bind, bootstrap and start controllers on the running loop."""
        self._loop = asyncio.get_running_loop()
        if self.config.state_file and self.config.state_file.exists():
            self._load_state(self.config.state_file)
        api = Api(self.cluster, bookmark_interval=self.config.bookmark_interval)
        self._http = HttpServer(api, self.faults)
        self.port = await self._http.start(self.config.address, self.config.port)
        api.address = f"{self.config.address}:{self.port}"
        self.controllers = ControllerManager(self.cluster, self._loop, self.config.time_scale)
        self.controllers.start()
        if self.config.state_file:
            self.cluster.store.listeners.append(lambda key, ev: self._schedule_save())

    async def close_async(self) -> None:
        if self.controllers is not None:
            self.controllers.stop()
        if self._http is not None:
            await self._http.close()
        if self.config.state_file:
            self.save_state()

    def start(self) -> Sandbox:
        """Start in a daemon thread; returns once the port is listening."""
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self.serve_async())
            except BaseException as exc:
                ready.set_exception(exc)
                return
            ready.set_result(None)
            loop.run_forever()
            loop.run_until_complete(self.close_async())
            # open watches are tasks and async generators: end them before the loop goes
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="gitsync-sandbox", daemon=True)
        self._thread.start()
        ready.result(timeout=30)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's loop (the store is single-threaded) and return its value."""
        if self._loop is None or self._thread is None:
            return fn()
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return fut.result(timeout=30)

    # --- time and history -------------------------------------------------------------------

    def set_time_scale(self, scale: float) -> None:
        def apply() -> None:
            self.config.time_scale = scale
            if self.controllers is not None:
                self.controllers.time_scale = scale
        self.call(apply)

    def compact(self) -> None:
        """Drop the watch history: watches from an older resourceVersion then get 410 Gone."""
        self.call(self.cluster.store.compact)

    # --- kubeconfig -------------------------------------------------------------------------

    def kubeconfig(self, context: str = CONTEXT) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": "gitsync-sandbox"}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context,
                                                       "namespace": "default"}}],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(self, path: Path, context: str = CONTEXT) -> Path:
        """Add (or refresh) the sandbox's cluster, user and context in a kubeconfig file."""
        path = Path(path).expanduser()
        ours = self.kubeconfig(context)
        doc: dict[str, Any] = {}
        if path.exists():
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                doc = loaded
        for section in ("clusters", "users", "contexts"):
            entries = [e for e in doc.get(section) or [] if e.get("name") != context]
            entries.extend(ours[section])
            doc[section] = entries
        doc.setdefault("apiVersion", "v1")
        doc.setdefault("kind", "Config")
        doc.setdefault("preferences", {})
        if not doc.get("current-context"):
            doc["current-context"] = context
        _atomic_write(path, yaml.safe_dump(doc, sort_keys=False).encode())
        return path

    # --- persistence ------------------------------------------------------------------------

    def _schedule_save(self) -> None:
        if self._loop is None or self._save_handle is not None:
            return
        self._save_handle = self._loop.call_later(_SAVE_DELAY, self._save_now)

    def _save_now(self) -> None:
        self._save_handle = None
        self.save_state()

    def save_state(self) -> None:
        if not self.config.state_file:
            return
        data = json.dumps(self.cluster.store.snapshot(), separators=(",", ":")).encode()
        _atomic_write(self.config.state_file, data)

    def _load_state(self, path: Path) -> None:
        try:
            snap = json.loads(path.read_text(encoding="utf-8"))
            self.cluster.restore(snap)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateError(f"cannot read sandbox state {path}: {exc}") from exc


class StateError(Exception):
    """The state file is unreadable or corrupt."""


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
