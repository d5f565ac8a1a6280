"""Sandbox throughput and memory, side by side with kubectl against the same server.

Targets (issue: the sandbox must never be the bottleneck of gitsync's own benchmarks), on 2
cores over keep-alive connections: >= 1,500 GET/s, >= 500 server-side-apply PATCH/s of a
typical Deployment, a LIST of 5,000 objects in < 0.5 s, 10,000 stored objects in < 500 MB.

The server runs in its own process (``gitsync sandbox serve``), the load comes from this one,
so the figures are what a client sees. Run: ``python benchmarks/sandbox_bench.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    kubeconfig = tmp / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitsync", "sandbox", "serve", "--port", "0",
         "--kubeconfig", str(kubeconfig), "--time-scale", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if kubeconfig.exists():
            doc = yaml.safe_load(kubeconfig.read_text())
            if doc and doc.get("clusters"):
                server = doc["clusters"][0]["cluster"]["server"]
                try:
                    conn = http.client.HTTPConnection(server.split("//")[1], timeout=5)
                    conn.request("GET", "/version")
                    if conn.getresponse().status == 200:
                        return proc, server.split("//")[1], kubeconfig
                except OSError:
                    pass
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"sandbox exited: {err}")
        time.sleep(0.05)
    raise SystemExit("sandbox did not start within 30 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """One keep-alive connection."""

    def __init__(self, host: str) -> None:
        self.conn = http.client.HTTPConnection(host, timeout=30)

    def call(self, method: str, path: str, body: Any = None,
             ctype: str = "application/json") -> tuple[int, bytes]:
        data = None if body is None else (body if isinstance(body, bytes)
                                          else json.dumps(body).encode())
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        return resp.status, resp.read()


def deployment(name: str, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "bench",
                     "labels": {"app": name, "gitsync.io/app": "bench"},
                     "annotations": {"gitsync.io/tracking-id":
                                     f"bench:apps/Deployment:bench/{name}"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{
                                  "name": "web", "image": image,
                                  "ports": [{"containerPort": 8080, "name": "http"}],
                                  "env": [{"name": "MODE", "value": "prod"},
                                          {"name": "LOG", "value": "info"}],
                                  "resources": {"requests": {"cpu": "100m",
                                                             "memory": "128Mi"}}}]}}},
    }


def parallel(n_threads: int, total: int, host: str, work: Any) -> float:
    """Run ``work(client, i)`` for i in range(total) over n_threads connections; ops/s."""
    per = total // n_threads

    def run(t: int) -> None:
        c = Client(host)
        for i in range(t * per, (t + 1) * per):
            work(c, i)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n_threads)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return per * n_threads / (time.perf_counter() - start)


def kubectl_time(kubeconfig: Path, *args: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=6000)
    parser.add_argument("--applies", type=int, default=2000)
    parser.add_argument("--list-size", type=int, default=5000)
    parser.add_argument("--stored", type=int, default=10000)
    args = parser.parse_args()
    kubectl = shutil.which("kubectl")
    with tempfile.TemporaryDirectory() as tmpdir:
        proc, host, kubeconfig = start_server(Path(tmpdir))
        try:
            c = Client(host)
            c.call("POST", "/api/v1/namespaces",
                   {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
            c.call("POST", "/api/v1/namespaces/bench/configmaps",
                   {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "probe"},
                    "data": {"k": "v"}})
            rows: list[tuple[str, str, str, str]] = []

            def get(cl: Client, i: int) -> None:
                status, _ = cl.call("GET", "/api/v1/namespaces/bench/configmaps/probe")
                assert status == 200

            gets = parallel(2, args.gets, host, get)
            k_get = kubectl_time(kubeconfig, "get", "cm", "probe", "-n", "bench", "-o",
                                 "json") if kubectl else float("nan")
            rows.append(("GET one object", f"{gets:,.0f} req/s", ">= 1,500 req/s",
                         f"kubectl get -o json: {k_get * 1000:.0f} ms per call"))

            def applier(change: str) -> Any:
                def apply(cl: Client, i: int) -> None:
                    name = f"web-{i % 50}"
                    body = deployment(name, f"nginx:1.{i}" if change == "image" else "nginx:1")
                    if change == "annotation":
                        body["metadata"]["annotations"]["revision"] = str(i)
                    status, out = cl.call(
                        "PATCH", f"/apis/apps/v1/namespaces/bench/deployments/{name}"
                        "?fieldManager=gitsync&force=true", json.dumps(body).encode(),
                        "application/apply-patch+yaml")
                    assert status in (200, 201), out[:300]
                return apply

            parallel(2, 50, host, applier("none"))  # create them first
            if kubectl:
                manifest = Path(tmpdir) / "d.yaml"
                manifest.write_text(yaml.safe_dump(deployment("kubectl-web", "nginx:1")))
                k_apply = kubectl_time(kubeconfig, "apply", "--server-side",
                                       "--force-conflicts", "-f", str(manifest))
            else:
                k_apply = float("nan")
            for change, what in (("none", "unchanged (steady-state sync)"),
                                 ("annotation", "changed metadata"),
                                 ("image", "changed image: a rollout each")):
                total = args.applies if change != "image" else args.applies // 10
                rate = parallel(2, total, host, applier(change))
                rows.append((f"server-side apply of a Deployment, {what}", f"{rate:,.0f} req/s",
                             ">= 500 req/s" if change != "image" else "",
                             f"kubectl apply --server-side: {k_apply * 1000:.0f} ms per call"
                             if change == "none" else ""))

            def create_cm(cl: Client, i: int) -> None:
                status, out = cl.call("POST", "/api/v1/namespaces/bench/configmaps", {
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": f"cm-{i:05d}", "labels": {"gitsync.io/app": "bench"}},
                    "data": {"config.yaml": "x" * 200, "index": str(i)}})
                assert status == 201, out[:300]

            parallel(2, args.list_size, host, create_cm)
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                _, body = c.call("GET", "/api/v1/namespaces/bench/configmaps"
                                      "?labelSelector=gitsync.io%2Fapp%3Dbench")
                json.loads(body)
                best = min(best, time.perf_counter() - start)
            n = len(json.loads(body)["items"])
            k_list = kubectl_time(kubeconfig, "get", "cm", "-n", "bench", "-l",
                                  "gitsync.io/app=bench", "-o", "json") if kubectl else float(
                                      "nan")
            rows.append((f"LIST of {n:,} objects (fetch + parse)", f"{best:.3f} s", "< 0.5 s",
                         f"kubectl get -o json: {k_list:.2f} s"))

            extra = args.stored - args.list_size - 52
            parallel(2, max(extra, 0) // 2 * 2, host,
                     lambda cl, i: create_cm(cl, i + args.list_size))
            _, body = c.call("GET", "/api/v1/configmaps?limit=1")
            meta = json.loads(body)["metadata"]
            stored = meta.get("remainingItemCount", 0) + 1 + 50  # + the applied Deployments
            rows.append((f"memory with ~{stored:,} stored objects", f"{rss_mb(proc.pid):.0f} MB",
                         "< 500 MB", ""))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'sandbox':>14}  {'target':>16}  kubectl, same run")
    for what, fig, target, side in rows:
        print(f"{what.ljust(width)}  {fig:>14}  {target:>16}  {side}")
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
