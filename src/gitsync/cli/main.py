"""The ``gitsync`` command: root options, the command groups, and where errors become exit codes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from gitsync import __version__
from gitsync.cli import app as app_cmd
from gitsync.cli import sandbox_cmd
from gitsync.cli.console import Console
from gitsync.cli.options import GlobalOptions, color_wanted, help_without_command
from gitsync.errors import EXIT_INTERRUPTED, GitsyncError, OperationFailedError, UsageError

# Typer raises Click's parse errors; newer Typer vendors Click, so find the class through a public
# name rather than importing a module that only some versions have.
_ClickException: type[Exception] = next(
    k for k in typer.BadParameter.__mro__ if k.__name__ == "ClickException"
)

EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 differences found (app diff), 2 invalid input or usage, "
    "11 cluster or Git unreachable, 20 operation failed."
)


def report_error(exc: BaseException, options: GlobalOptions) -> int:
    """Print ``exc`` as one ``error:`` line plus a ``hint:`` line and return its exit code.

    The only place that maps exceptions to exit codes; the traceback is shown with ``-v`` only.
    """
    console = Console.for_options(options)
    if isinstance(exc, typer.Abort):
        console.error("aborted")
        return EXIT_INTERRUPTED
    if isinstance(exc, GitsyncError):
        error = exc
    elif isinstance(exc, _ClickException):
        error = UsageError(_click_message(exc), hint=_usage_hint(exc))
    else:
        error = OperationFailedError(
            f"unexpected {type(exc).__name__}: {exc}",
            hint="this is a bug in gitsync; run again with -v and report the traceback",
        )
    console.error(error.message, error.hint)
    if options.verbose:
        console.traceback(exc)
    return error.exit_code


def _click_message(exc: Exception) -> str:
    format_message = getattr(exc, "format_message", None)
    return str(format_message()) if callable(format_message) else str(exc)


def _usage_hint(exc: Exception) -> str:
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "") or "gitsync"
    return f"run '{path} --help' for usage"


class _RootGroup(TyperGroup):
    """Runs every command under :func:`report_error`, whichever way it is invoked."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, KeyboardInterrupt):
            raise
        except Exception as exc:  # every error is reported the same way
            options = ctx.find_object(GlobalOptions) or _options_from_params(ctx.params)
            raise typer.Exit(report_error(exc, options)) from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(
                args,
                prog_name or "gitsync",
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except Exception as exc:  # raised while parsing the root options
            code = report_error(exc, GlobalOptions(color=color_wanted(False)))
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _options_from_params(params: dict[str, Any]) -> GlobalOptions:
    """Root options from parsed values, for errors raised before the root callback ran."""
    return GlobalOptions(
        verbose=bool(params.get("verbose")), color=color_wanted(bool(params.get("no_color")))
    )


app = typer.Typer(
    name="gitsync",
    cls=_RootGroup,
    help="Argo CD-style GitOps sync from the command line, without a server.",
    epilog=EXIT_CODES_HELP,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(app_cmd.app, name="app")
app.add_typer(sandbox_cmd.app, name="sandbox")


def _print_version(value: bool) -> None:
    if value:
        Console().result(f"gitsync {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
    kubeconfig: Annotated[
        Path | None,
        typer.Option(
            "--kubeconfig",
            metavar="FILE",
            help="Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        ),
    ] = None,
    context: Annotated[
        str | None,
        typer.Option("--context", help="Kubeconfig context (default: the current context)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Show tracebacks of errors.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours in output (also when NO_COLOR is set).")
    ] = False,
) -> None:
    """Argo CD-style GitOps sync from the command line, without a server."""
    ctx.obj = GlobalOptions(
        kubeconfig=kubeconfig, context=context, verbose=verbose, color=color_wanted(no_color)
    )
    help_without_command(ctx)


def run() -> NoReturn:
    """Console-script entry point: run the CLI and exit with its status."""
    sys.exit(app(prog_name="gitsync", standalone_mode=False))
