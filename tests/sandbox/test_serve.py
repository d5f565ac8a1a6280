"""``gitsync sandbox serve`` as a real process: kubeconfig, HTTP, signals, state across restarts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

SERVE = [sys.executable, "-m", "gitsync", "sandbox", "serve"]
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "CI": ""}
CONFIGMAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "kept", "namespace": "default"},
    "data": {"answer": "42"},
}


class Server:
    """One ``gitsync sandbox serve`` process and the URL its kubeconfig names."""

    def __init__(self, *args: str, root_args: tuple[str, ...] = ()) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gitsync", *root_args, "sandbox", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        self.url = ""

    def wait_for_kubeconfig(self, path: Path, context: str = "gitsync-sandbox") -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if path.exists():
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
                clusters = {c["name"]: c["cluster"] for c in doc.get("clusters") or []}
                if context in clusters:
                    self.url = str(clusters[context]["server"])
                    return self.url
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited {self.proc.returncode}: {self.proc.communicate()}")
            time.sleep(0.02)
        pytest.fail("serve wrote no kubeconfig within 30 s")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.communicate()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_serve_keeps_state_across_restarts(
    tmp_path: Path, servers: list[Server], stop_signal: int
) -> None:
    kubeconfig, state = tmp_path / "kubeconfig", tmp_path / "state.json"
    args = ["--port", "0", "--kubeconfig", str(kubeconfig), "--state", str(state)]

    first = Server(*args, "--time-scale", "0")
    servers.append(first)
    url = first.wait_for_kubeconfig(kubeconfig)
    status, version = first.request("GET", "/version")
    assert status == 200 and version["gitVersion"].startswith("v1.")
    status, _ = first.request("POST", "/api/v1/namespaces/default/configmaps", CONFIGMAP)
    assert status == 201
    code, out, err = first.stop(stop_signal)
    assert code == 0, err
    assert f"Sandbox Kubernetes API listening on {url}\n" in out
    assert f"Try: kubectl --kubeconfig {kubeconfig} --context gitsync-sandbox get ns\n" in out
    assert err == f"Sandbox stopped; state saved to {state}\n"

    kubeconfig.unlink()
    second = Server(*args)
    servers.append(second)
    second.wait_for_kubeconfig(kubeconfig)
    status, cm = second.request("GET", "/api/v1/namespaces/default/configmaps/kept")
    assert status == 200 and cm["data"] == {"answer": "42"}
    assert second.stop()[0] == 0


def test_serve_adds_its_context_to_an_existing_kubeconfig(
    tmp_path: Path, servers: list[Server]
) -> None:
    kubeconfig = tmp_path / "config"
    other = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "prod", "cluster": {"server": "https://prod.example:6443"}}],
        "users": [{"name": "prod", "user": {"token": "x"}}],
        "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "prod"}}],
        "current-context": "prod",
    }
    kubeconfig.write_text(yaml.safe_dump(other), encoding="utf-8")
    # the root --kubeconfig is where serve writes when it is given none of its own
    server = Server("--port", "0", "--context", "mine", root_args=("--kubeconfig", str(kubeconfig)))
    servers.append(server)
    server.wait_for_kubeconfig(kubeconfig, context="mine")
    doc = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
    assert doc["current-context"] == "prod"
    assert {c["name"] for c in doc["contexts"]} == {"prod", "mine"}
    assert server.stop()[0] == 0


USAGE_HINT = "hint: run 'gitsync sandbox serve --help' for usage"
FAULTS_HINT = "hint: see 'Fault injection' in docs/sandbox.md"


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        pytest.param(
            ["--time-scale", "-2"],
            "error: Invalid value for '--time-scale': -2 is not a number >= 0",
            USAGE_HINT,
            id="negative-time-scale",
        ),
        pytest.param(
            ["--port", "65536"], "error: Invalid value for '--port'", USAGE_HINT, id="port-range"
        ),
        pytest.param(["--bogus"], "error: No such option: --bogus", USAGE_HINT, id="unknown-flag"),
        pytest.param(
            ["--port", "{busy}"],
            "error: cannot listen on 127.0.0.1:{busy}: address already in use",
            "hint: choose another --port, or --port 0 for a free one",
            id="port-in-use",
        ),
        pytest.param(
            ["--port", "0", "--faults", "{tmp}/faults.yaml"],
            "error: cannot load fault rules from {tmp}/faults.yaml: fault action must be one of",
            FAULTS_HINT,
            id="bad-faults",
        ),
        pytest.param(
            ["--port", "0", "--faults", "{tmp}/missing.yaml"],
            "error: cannot load fault rules from {tmp}/missing.yaml: ",
            FAULTS_HINT,
            id="missing-faults",
        ),
        pytest.param(
            ["--port", "0", "--state", "{tmp}/state.json"],
            "error: cannot read sandbox state {tmp}/state.json: ",
            "hint: fix the file, or move it away to start empty",
            id="corrupt-state",
        ),
    ],
)
def test_bad_flags_exit_2_with_one_line(
    tmp_path: Path, args: list[str], error: str, hint: str
) -> None:
    (tmp_path / "faults.yaml").write_text("- action: explode\n", encoding="utf-8")
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    kubeconfig = tmp_path / "kubeconfig"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        values = {"tmp": tmp_path, "busy": busy.getsockname()[1]}
        result = subprocess.run(
            [*SERVE, "--kubeconfig", str(kubeconfig), *(a.format(**values) for a in args)],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    first, second = result.stderr.splitlines()
    assert first.startswith(error.format(**values))
    assert second == hint
    assert not kubeconfig.exists()
    assert state.read_text(encoding="utf-8") == "{not json"  # a bad state file is never lost
