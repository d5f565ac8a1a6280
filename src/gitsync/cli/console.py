"""The one terminal facade: results on stdout; progress, warnings and errors on stderr.

In a terminal it styles output and shows a spinner while waiting; without one (pipes, CI) it
prints plain, line-per-event text so logs stay readable and tests can assert exact output.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TextIO

from rich.console import Console as RichConsole
from rich.text import Text

from gitsync.cli.options import GlobalOptions
from gitsync.ports import Reporter

#: column gap of ``kubectl get`` tables
_TABLE_GAP = 3

_STATUS_STYLES = {
    "Healthy": "green",
    "Available": "green",
    "Synced": "green",
    "Succeeded": "green",
    "Progressing": "yellow",
    "Pending": "yellow",
    "Suspended": "yellow",
    "OutOfSync": "yellow",
    "Degraded": "red",
    "Failed": "red",
    "Missing": "red",
}


class Console(Reporter):
    """The CLI's :class:`~gitsync.ports.Reporter`; commands print only through it."""

    def __init__(
        self, *, color: bool = True, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        # file=None makes rich look sys.stdout/sys.stderr up at each write, so test runners
        # that swap the streams see the output; no colour system means no escape codes at all
        system: Literal["auto"] | None = "auto" if color else None
        self._out = RichConsole(
            file=stdout, color_system=system, highlight=False, soft_wrap=True, emoji=False
        )
        self._err = RichConsole(
            file=stderr,
            stderr=stderr is None,
            color_system=system,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )
        # the live progress view (a terminal only): resource → (stage, status, message)
        self._live: Any = None
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[str, str, str]] = {}
        self._title = ""
        self._stage = ""

    @classmethod
    def for_options(cls, options: GlobalOptions) -> Console:
        return cls(color=options.color)

    @property
    def interactive(self) -> bool:
        """True when a person watches: stderr is a terminal and this is not a CI job."""
        return self._err.is_terminal and not os.environ.get("CI")

    # --- Reporter -----------------------------------------------------------------------------

    def info(self, message: str) -> None:
        if self._live is not None:
            self._stage = message
            self._refresh()
            return
        self._err.print(message, markup=False)

    def warn(self, message: str) -> None:
        self._err.print(Text.assemble(("warning: ", "bold yellow"), message))

    def event(self, subject: str, status: str, message: str = "") -> None:
        if self._live is not None:
            with self._lock:
                self._rows[subject] = (self._stage, status, message)
            self._refresh()
            return
        line = Text.assemble((subject, "bold"), "  ", (status, _STATUS_STYLES.get(status, "")))
        if message:
            line.append(f"  {message}")
        self._err.print(line)

    # --- live progress ------------------------------------------------------------------------

    @contextmanager
    def progress(self, title: str) -> Iterator[None]:
        """In a terminal, one table updated in place (stage, resource, status, message);
        elsewhere (pipes, CI) the plain line-per-event output."""
        if not self.interactive:
            yield
            return
        from rich.live import Live
        self._rows = {}
        self._title = title
        self._stage = ""
        with Live(self._render(), console=self._err, refresh_per_second=8,
                  transient=False) as live:
            self._live = live
            try:
                yield
            finally:
                self._refresh()
                self._live = None

    def _render(self) -> Any:
        from rich.table import Table
        table = Table(title=f"{self._title}  {self._stage}".rstrip(), title_justify="left",
                      box=None, show_edge=False, pad_edge=False)
        for column in ("RESOURCE", "STATUS", "MESSAGE"):
            table.add_column(column)
        with self._lock:
            rows = list(self._rows.items())
        for subject, (_stage, status, message) in rows:
            table.add_row(subject, Text(status, style=_STATUS_STYLES.get(status, "")),
                          message)
        return table

    def _refresh(self) -> None:
        live = self._live
        if live is not None:
            live.update(self._render())

    # --- results ------------------------------------------------------------------------------

    def result(self, text: str) -> None:
        """A line of the command's result, on stdout."""
        self._out.print(text, markup=False)

    def diff(self, text: str) -> None:
        """A unified diff on stdout: headers bold, removals red, additions green."""
        for line in text.splitlines():
            if line.startswith("=====") or line.startswith(("---", "+++")):
                style = "bold"
            elif line.startswith("@@"):
                style = "cyan"
            elif line.startswith("-"):
                style = "red"
            elif line.startswith("+"):
                style = "green"
            elif line.startswith("#"):
                style = "dim"
            else:
                style = ""
            self._out.print(Text(line, style=style))

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """A ``kubectl get``-style table on stdout."""
        self._out.print(format_table(headers, rows), markup=False)

    # --- errors -------------------------------------------------------------------------------

    def error(self, message: str, hint: str = "") -> None:
        self._err.print(Text.assemble(("error: ", "bold red"), message))
        if hint:
            self._err.print(Text.assemble(("hint: ", "bold"), hint))

    def traceback(self, exc: BaseException) -> None:
        self._err.print("".join(traceback.format_exception(exc)).rstrip(), markup=False)

    # --- waiting ------------------------------------------------------------------------------

    @contextmanager
    def waiting(self, message: str) -> Iterator[None]:
        """A spinner while something runs, in a terminal only; events still print as lines."""
        if not self.interactive:
            yield
            return
        with self._err.status(Text(message)):
            yield


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns padded to their widest cell plus three spaces, as kubectl's tabwriter does."""
    lines = [list(headers), *(list(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    out = []
    for line in lines:
        cells = [cell.ljust(width + _TABLE_GAP) for cell, width in zip(line, widths, strict=True)]
        out.append("".join(cells).rstrip())
    return "\n".join(out)
