"""jq programs compiled once and run with a time limit (Argo CD's default: 1 second).

The jq binding never releases the GIL, so a thread cannot time it out; with a limit the
programs run in one long-lived child process (started on first use, compiled there once,
killed and restarted after a timeout). Without a limit they run in-process.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import queue
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from gitsync.diff.jqworker import EvalError, evaluate

__all__ = ["DEFAULT_TIMEOUT", "WORKER", "JqError", "JqPrograms"]

#: seconds one program may run, as Argo CD's ``--ignore-normalizer-jq-execution-timeout``
DEFAULT_TIMEOUT = 1.0
# the worker imports jq and compiles before answering; that is not the program's time
_STARTUP_TIMEOUT = 30.0
_WORKER = Path(__file__).with_name("jqworker.py")


#: ``JqError.program`` when the worker itself failed, not one program
WORKER = -1


class JqError(Exception):
    """A program did not compile, failed, or ran out of time; ``program`` is its index."""

    def __init__(self, program: int, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.program = program
        self.message = message
        self.timed_out = timed_out


def _jq() -> Any:
    # imported lazily (DESIGN.md §5): only runs with jq rules pay for it
    return importlib.import_module("jq")


class JqPrograms:
    """A fixed list of jq programs, compiled once, each run under ``timeout`` seconds."""

    def __init__(self, programs: Sequence[str], *, timeout: float | None = DEFAULT_TIMEOUT):
        self.programs = tuple(programs)
        self.timeout = timeout
        compiled = []
        for i, text in enumerate(self.programs):
            try:
                compiled.append(_jq().compile(text))
            except ValueError as err:
                raise JqError(i, str(err).strip()) from None
        # in-process programs only when there is no limit; the worker compiles its own
        self._compiled = tuple(compiled) if timeout is None else ()
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

    def run(self, doc: Any, programs: Sequence[int]) -> Any:
        """``doc`` after the given programs, in order; JqError names the one that failed."""
        if not programs:
            return doc
        if self.timeout is None:
            for i in programs:
                try:
                    doc = evaluate(self._compiled[i], doc)
                except EvalError as err:
                    raise JqError(i, str(err)) from None
            return doc
        with self._lock:
            if self._worker is None or not self._worker.alive:
                self._worker = _Worker(self.programs)
            return self._worker.run(doc, programs, self.timeout)

    def close(self) -> None:
        """Stop the worker process, if one was started."""
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            # closing flushes, and a dead worker's pipe is broken: nothing left to tell it
            with contextlib.suppress(OSError):
                stream.close()


class _Worker:
    """One child process running ``jqworker.py``; lines of JSON both ways."""

    def __init__(self, programs: Sequence[str]) -> None:
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-u", str(_WORKER)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        except OSError as err:
            raise JqError(WORKER, f"cannot start the jq worker: {err}") from None
        self._finalizer = weakref.finalize(self, _stop, self.proc)
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.stdin: IO[str] = self.proc.stdin
        # a reader thread, so waiting for an answer can time out on every platform
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        self.alive = True
        self._send(programs)
        try:
            self._receive(_STARTUP_TIMEOUT, WORKER, _STARTUP_TIMEOUT)
        except JqError as err:
            raise JqError(WORKER, f"the jq worker did not start: {err.message}") from None

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def _send(self, message: object) -> None:
        try:
            self.stdin.write(json.dumps(message, default=str) + "\n")
            self.stdin.flush()
        except OSError as err:
            self.stop()
            raise JqError(WORKER, f"the jq worker stopped: {err}") from None

    def _receive(self, wait: float, program: int, limit: float) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=wait)
        except queue.Empty:
            self.stop()
            raise JqError(program, f"timed out after {limit:g}s", timed_out=True) from None
        if line is None:
            self.stop()
            raise JqError(program, "the jq worker exited unexpectedly")
        message: dict[str, Any] = json.loads(line)
        return message

    def run(self, doc: Any, programs: Sequence[int], timeout: float) -> Any:
        self._send({"programs": list(programs), "doc": doc})
        current = programs[0]
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(max(deadline - time.monotonic(), 0.0), current, timeout)
            if "start" in message:
                current = int(message["start"])
                deadline = time.monotonic() + timeout
            elif "error" in message:
                raise JqError(int(message["program"]), str(message["error"]))
            else:
                return message["doc"]

    def stop(self) -> None:
        self.alive = False
        self._finalizer()
