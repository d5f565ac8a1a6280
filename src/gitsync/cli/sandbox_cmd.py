"""``gitsync sandbox``: run the embedded Kubernetes API server, or a guided demo on it.

The demo talks to the sandbox through ``gitsync.kube``, as every command talks to a cluster.
"""

from __future__ import annotations

import asyncio
import errno
import math
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gitsync.cli.console import Console
from gitsync.cli.options import default_kubeconfig, global_options, help_without_command
from gitsync.errors import InvalidInputError

if TYPE_CHECKING:
    from gitsync.sandbox.runtime import Sandbox

app = typer.Typer(help="The embedded Kubernetes API server, for demos and tests.")


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
    """The shop team's day on a throwaway sandbox: a wave-by-wave sync with hooks, a drift
    and its diff, a new commit, a prune, the history and a rollback."""
    from gitsync.cli.demo import run_demo
    options = global_options(ctx)
    run_demo(Console.for_options(options), time_scale, options.color)
