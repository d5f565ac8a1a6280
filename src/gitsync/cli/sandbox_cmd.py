"""``gitsync sandbox``: run the embedded Kubernetes API server, or a guided demo on it.

The demo talks to the sandbox through ``gitsync.kube``, as every command talks to a cluster.
"""

from __future__ import annotations

import asyncio
import errno
import math
import signal
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitsync.cli.console import Console
from gitsync.cli.options import default_kubeconfig, global_options, help_without_command
from gitsync.errors import InvalidInputError, OperationFailedError

if TYPE_CHECKING:
    from gitsync.kube import Cluster
    from gitsync.sandbox.runtime import Sandbox

app = typer.Typer(help="The embedded Kubernetes API server, for demos and tests.")

DEMO_NAMESPACE = "demo"
DEMO_DEPLOYMENT = "web"
DEMO_MANAGER = "gitsync-demo"
#: how long one rollout may take at time scale 1; scaled up with slower time scales
ROLLOUT_TIMEOUT = 30.0


@app.callback(invoke_without_command=True)
def sandbox(ctx: typer.Context) -> None:
    """The embedded Kubernetes API server, for demos and tests."""
    help_without_command(ctx)


def _check_time_scale(value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise typer.BadParameter(f"{value:g} is not a number >= 0 (0 = instant, 1 = realistic)")
    return value


TimeScale = Annotated[
    float,
    typer.Option(
        "--time-scale",
        metavar="X",
        callback=_check_time_scale,
        help="Multiply simulated durations (rollouts, Jobs) by X; 0 makes them instant.",
    ),
]


@app.command()
def serve(
    ctx: typer.Context,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on; 0 picks a free one.")
    ] = 6443,
    kubeconfig: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Kubeconfig to add the sandbox context to (default: --kubeconfig of gitsync, "
            "$KUBECONFIG, ~/.kube/config).",
        ),
    ] = None,
    context: Annotated[
        str | None, typer.Option(help="Name of the context to write (default: gitsync-sandbox).")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Load objects from FILE at start; save them on change and exit."
        ),
    ] = None,
    time_scale: TimeScale = 1.0,
    faults: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Fault injection rules (YAML or JSON list; see docs/sandbox.md)."
        ),
    ] = None,
) -> None:
    """Serve a sandbox Kubernetes API in the foreground until Ctrl-C or SIGTERM."""
    options = global_options(ctx)
    console = Console.for_options(options)
    from gitsync.sandbox.runtime import CONTEXT, Sandbox, SandboxConfig  # lazy: fast --help

    sandbox = Sandbox(
        SandboxConfig(address=address, port=port, time_scale=time_scale, state_file=state)
    )
    if faults is not None:
        try:
            sandbox.faults.load(faults)
        except (OSError, ValueError, TypeError) as exc:
            raise InvalidInputError(
                f"cannot load fault rules from {faults}: {exc}",
                hint="see 'Fault injection' in docs/sandbox.md",
            ) from exc
    explicit = kubeconfig or options.kubeconfig
    # name the file in the usage example only when kubectl would not find it by itself
    kubectl = "kubectl" if explicit is None else f"kubectl --kubeconfig {explicit}"
    asyncio.run(_serve(sandbox, default_kubeconfig(explicit), context or CONTEXT, kubectl, console))


async def _serve(
    sandbox: Sandbox, kubeconfig: Path, context: str, kubectl: str, console: Console
) -> None:
    import yaml

    from gitsync.sandbox.runtime import StateError

    config = sandbox.config
    try:
        await sandbox.serve_async()
    except StateError as exc:
        raise InvalidInputError(
            str(exc), hint="fix the file, or move it away to start empty"
        ) from exc
    except OSError as exc:
        raise InvalidInputError(
            f"cannot listen on {config.address}:{config.port}: {_os_reason(exc)}",
            hint="choose another --port, or --port 0 for a free one",
        ) from exc
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        try:
            sandbox.write_kubeconfig(kubeconfig, context)
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidInputError(
                f"cannot write kubeconfig {kubeconfig}: {exc}",
                hint="point --kubeconfig at a writable file",
            ) from exc
        console.result(f"Sandbox Kubernetes API listening on {sandbox.url}")
        console.result(f"Kubeconfig: {kubeconfig} (context {context})")
        if config.state_file is not None:
            console.result(f"State: {config.state_file} (saved on every change and on exit)")
        console.result(f"Try: {kubectl} --context {context} get ns")
        console.result("Stop with Ctrl-C.")
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await sandbox.close_async()
    console.info(
        "Sandbox stopped"
        + (f"; state saved to {config.state_file}" if config.state_file is not None else "")
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "address already in use"
    return exc.strerror or str(exc)


@app.command()
def demo(ctx: typer.Context, time_scale: TimeScale = 1.0) -> None:
    """Start a throwaway sandbox, deploy to it with server-side apply, watch it roll out."""
    console = Console.for_options(global_options(ctx))
    from gitsync.sandbox.runtime import Sandbox, SandboxConfig  # lazy: fast --help

    timeout = ROLLOUT_TIMEOUT * max(1.0, time_scale)
    with (
        tempfile.TemporaryDirectory(prefix="gitsync-demo-") as tmp,
        Sandbox(SandboxConfig(time_scale=time_scale)) as sandbox,
    ):
        kubeconfig = sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")
        console.info(
            f"Started a sandbox Kubernetes API at {sandbox.url} (time scale {time_scale:g})"
        )
        _run_demo(kubeconfig, console, timeout)
    console.info(
        "Done. Keep a sandbox running with 'gitsync sandbox serve', then try "
        "'kubectl --context gitsync-sandbox get ns'."
    )


def _run_demo(kubeconfig: Path, console: Console, timeout: float) -> None:
    from gitsync.kube import ClusterOptions, connect  # lazy: fast --help

    ns, name = DEMO_NAMESPACE, DEMO_DEPLOYMENT
    # the sandbox is thrown away, so is its discovery cache
    options = ClusterOptions(cache_dir=kubeconfig.parent / "cache")
    with connect(kubeconfig=kubeconfig, options=options) as cluster:
        cluster.apply(_namespace(ns), manager=DEMO_MANAGER)
        console.info(f"namespace/{ns} serverside-applied")
        cluster.apply(_deployment(ns, name, 3), manager=DEMO_MANAGER)
        console.info(f"deployment.apps/{name} serverside-applied")
        _wait_for_rollout(cluster, ns, name, console, timeout)
        # scaling is applying the new replica count: the demo's manager owns that field
        cluster.apply(_deployment(ns, name, 5), manager=DEMO_MANAGER)
        console.info(f"deployment.apps/{name} scaled to 5 replicas")
        _wait_for_rollout(cluster, ns, name, console, timeout)
        _show_tables(cluster, ns, console)


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _deployment(namespace: str, name: str, replicas: int) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                        }
                    ]
                },
            },
        },
    }


def _wait_for_rollout(
    cluster: Cluster, namespace: str, name: str, console: Console, timeout: float
) -> None:
    """Watch the Deployment until its rollout completes, reporting each change of status."""
    subject = f"Deployment/{namespace}/{name}"
    last = ""
    with console.waiting(f"Waiting for {subject} to roll out"):
        events = cluster.watch(
            ("apps", "Deployment"),
            namespace,
            timeout=timeout,
            field_selector=f"metadata.name={name}",
        )
        for event in events:
            if event.type == "DELETED":
                raise OperationFailedError(f"{subject} was deleted during its rollout")
            done, message = rollout_status(event.object)
            if message != last:
                console.event(subject, "Available" if done else "Progressing", message)
                last = message
            if done:
                return
    raise OperationFailedError(
        f"{subject} did not become available within {timeout:g}s (last status: {last})",
        hint="the sandbox's controllers finish this rollout in seconds: please report this, "
        "with the output of 'gitsync -v sandbox demo'",
    )


def rollout_status(deployment: dict[str, Any]) -> tuple[bool, str]:
    """(done, message) of a Deployment's rollout, judged as ``kubectl rollout status`` does.

    Done additionally requires the ``Available`` condition, so a finished rollout is a usable one.
    """
    metadata = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    if status.get("observedGeneration", 0) < metadata.get("generation", 0):
        return False, "Waiting for the controller to observe the new spec"
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    if (conditions.get("Progressing") or {}).get("reason") == "ProgressDeadlineExceeded":
        raise OperationFailedError(
            f"Deployment {metadata.get('name')} exceeded its progress deadline",
            hint="look at its Pods' events and status",
        )
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    total = status.get("replicas", 0)
    available = status.get("availableReplicas", 0)
    if updated < wanted:
        return False, f"{updated} of {wanted} new replicas have been updated"
    if total > updated:
        return False, f"{total - updated} old replicas are pending termination"
    if available < updated:
        return False, f"{available} of {updated} updated replicas are available"
    if (conditions.get("Available") or {}).get("status") != "True":
        return False, "Waiting for the Available condition"
    return True, f"{available} of {wanted} replicas available"


def _show_tables(cluster: Cluster, namespace: str, console: Console) -> None:
    """``kubectl get deployments,replicasets,pods`` of the namespace, from raw LIST answers."""
    now = datetime.now(UTC)

    def items(group: str, kind: str) -> list[dict[str, Any]]:
        return cluster.list_objects((group, kind), namespace=namespace).items

    def age(obj: dict[str, Any]) -> str:
        return _age(now, obj["metadata"].get("creationTimestamp"))

    sections = [
        (
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            [
                [
                    f"deployment.apps/{d['metadata']['name']}",
                    f"{_status(d, 'readyReplicas')}/{(d.get('spec') or {}).get('replicas', 1)}",
                    str(_status(d, "updatedReplicas")),
                    str(_status(d, "availableReplicas")),
                    age(d),
                ]
                for d in items("apps", "Deployment")
            ],
        ),
        (
            ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            [
                [
                    f"replicaset.apps/{r['metadata']['name']}",
                    str((r.get("spec") or {}).get("replicas", 1)),
                    str(_status(r, "replicas")),
                    str(_status(r, "readyReplicas")),
                    age(r),
                ]
                for r in items("apps", "ReplicaSet")
            ],
        ),
        (
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            [
                [
                    f"pod/{p['metadata']['name']}",
                    _pod_ready(p),
                    (p.get("status") or {}).get("phase", "Unknown"),
                    str(_pod_restarts(p)),
                    age(p),
                ]
                for p in items("", "Pod")
            ],
        ),
    ]
    for headers, rows in sections:
        if rows:
            console.result("")
            console.table(headers, rows)


def _status(obj: dict[str, Any], field: str) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def _pod_ready(pod: dict[str, Any]) -> str:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _pod_restarts(pod: dict[str, Any]) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return sum(int(s.get("restartCount") or 0) for s in statuses)


def _age(now: datetime, timestamp: str | None) -> str:
    """kubectl's short age: 45s, 12m, 5h, 3d."""
    if not timestamp:
        return "<unknown>"
    seconds = max(0, int((now - datetime.fromisoformat(timestamp)).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 3 * 3600:
        return f"{seconds // 60}m"
    if seconds < 48 * 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
