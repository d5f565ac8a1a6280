"""Evaluates ``del(...)`` jq programs; run as a child process so that a runaway one can be killed.

The jq binding holds the GIL while it runs, so no thread can interrupt it: a time limit needs a
process. This file is also imported in-process (for runs without a time limit) and must then
import nothing beyond the standard library and ``jq``.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

# jq reports a path through a missing list as an error; like Argo CD, that means "no match"
_MISSING = ("Cannot iterate over null",)


class EvalError(Exception):
    """A jq program failed on a document."""


def evaluate(program: Any, doc: Any) -> Any:
    """Run one compiled ``del(...)`` program on ``doc``; the document, unchanged if no match."""
    try:
        results = program.input_text(json.dumps(doc, default=str)).all()
    except ValueError as err:
        message = str(err)
        if message.startswith(_MISSING):
            return doc
        raise EvalError(message) from None
    if len(results) != 1:
        raise EvalError(f"returned {len(results)} values instead of exactly one")
    return results[0]


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()


def main() -> None:
    """Read programs, then one request per line: {"programs": [i...], "doc": ...}."""
    jq = importlib.import_module("jq")  # the binding ships no type information
    programs = [jq.compile(text) for text in json.loads(sys.stdin.readline())]
    _send({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        doc = request["doc"]
        for i in request["programs"]:
            _send({"start": i})
            try:
                doc = evaluate(programs[i], doc)
            except EvalError as err:
                _send({"error": str(err), "program": i})
                break
        else:
            _send({"doc": doc})


if __name__ == "__main__":
    main()
