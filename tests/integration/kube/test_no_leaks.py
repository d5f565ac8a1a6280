"""No exception of the kubernetes client or urllib3 escapes a public method (STYLE.md habit 9)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gitsync.errors import GitsyncError
from gitsync.kube import (
    ApiUnavailableError,
    Cluster,
    ConflictError,
    KubeError,
    RetryPolicy,
    connect,
)
from gitsync.model import ResourceKey
from gitsync.sandbox.testing import SandboxHandle
from tests.integration.kube.helpers import configmap, options

CM = ("", "ConfigMap")
KEY = ResourceKey("", "ConfigMap", "default", "settings")

METHODS: dict[str, Callable[[Cluster], object]] = {
    "discover": lambda c: c.discover(refresh=True),
    "list_tracked": lambda c: c.list_tracked("shop", [CM, ("apps", "Deployment")]),
    "list_namespace": lambda c: c.list_namespace("default", [CM]),
    "list_objects": lambda c: c.list_objects(CM, namespace="default"),
    "get": lambda c: c.get(KEY),
    "get_many": lambda c: c.get_many([KEY, ResourceKey("", "ConfigMap", "default", "other")]),
    "apply": lambda c: c.apply(configmap("settings")),
    "apply_dry_run": lambda c: c.apply(configmap("settings"), dry_run=True),
    "create": lambda c: c.create(configmap("settings")),
    "replace": lambda c: c.replace(configmap("settings")),
    "delete": lambda c: c.delete(KEY, propagation="Background"),
    "watch": lambda c: next(iter(c.watch(CM, "default", timeout=5))),
}


#: methods about one object (the rest are about a collection or the whole API)
OBJECT_METHODS = {"get", "get_many", "apply", "apply_dry_run", "create", "replace", "delete"}


class _Html(BaseHTTPRequestHandler):
    """A misconfigured proxy: answers every request with a web page."""

    def _page(self) -> None:
        body = b"<html><body>Welcome to nginx!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _page

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def html_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@contextmanager
def failing(mode: str, sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Cluster]:
    """A Cluster whose every request meets ``mode``'s failure."""
    retry = RetryPolicy(attempts=2, initial=0.01, max_delay=0.01, budget=2.0)
    opts = options(tmp_path, retry=retry, request_timeout=0.2)
    with ExitStack() as stack:
        config = sandbox.kubeconfig
        if mode in ("refused", "html"):
            server = closed_port() if mode == "refused" else stack.enter_context(html_server())
            config = tmp_path / "elsewhere"
            config.write_text(sandbox.kubeconfig.read_text().replace(sandbox.url, server))
        cluster = stack.enter_context(connect(kubeconfig=config, options=opts))
        if config == sandbox.kubeconfig:
            cluster.discover()  # warm: the faults then hit the method under test
            rules: dict[str, dict[str, Any]] = {
                "500": {"status": 500}, "409": {"status": 409}, "drop": {"action": "drop"},
                "timeout": {"action": "delay", "delay": 0.5}}
            sandbox.faults.add(**rules[mode])
        yield cluster


EXPECTED: dict[str, type[GitsyncError]] = {
    "refused": ApiUnavailableError, "500": ApiUnavailableError, "drop": ApiUnavailableError,
    "timeout": ApiUnavailableError, "409": ConflictError, "html": KubeError,
}


#: a watch waits for its first event as long as its own timeout, not a request's: a slow
#: server is no failure there
CASES = [(method, mode) for mode in EXPECTED for method in METHODS
         if (method, mode) != ("watch", "timeout")]


@pytest.mark.parametrize(("method", "mode"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_only_gitsync_errors_escape(sandbox: SandboxHandle, tmp_path: Path, method: str,
                                    mode: str) -> None:
    with failing(mode, sandbox, tmp_path) as cluster, pytest.raises(Exception) as info:
        METHODS[method](cluster)
    error = info.value
    foreign = [c for c in type(error).__mro__
               if c.__module__.split(".")[0] in ("kubernetes", "urllib3", "http", "socket")]
    assert not foreign, f"{method} leaked {type(error).__module__}.{type(error).__name__}"
    assert isinstance(error, EXPECTED[mode]), f"{type(error).__name__}: {error}"
    if mode not in ("refused", "html") and method in OBJECT_METHODS:
        # discovery succeeded, so the failure is the object's: its identity leads the message
        assert error.message.startswith("ConfigMap/default/"), error.message
