"""JSON pointers (RFC 6901) as ``ignoreDifferences[].jsonPointers`` uses them: delete a path."""

from __future__ import annotations

from typing import Any

__all__ = ["parse_pointer", "remove_pointer"]


def parse_pointer(text: str) -> tuple[str, ...]:
    """The reference tokens of ``/a/b~1c`` (``~1`` is ``/``, ``~0`` is ``~``); ValueError if bad."""
    if not text.startswith("/"):
        raise ValueError('a JSON pointer starts with "/" ("" would ignore the whole object)')
    tokens = []
    for raw in text[1:].split("/"):
        rest = raw.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise ValueError(f'"~" must be followed by 0 or 1 (in "{raw}")')
        # RFC 6901 order: ~1 first, then ~0, so "~01" is "~1" and not "/"
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tuple(tokens)


def _index(token: str, size: int) -> int | None:
    # RFC 6901: decimal digits without leading zeros; "-" (past the end) names nothing to delete
    if not token.isdigit() or not token.isascii() or (token != "0" and token[0] == "0"):
        return None
    i = int(token)
    return i if i < size else None


def remove_pointer(obj: Any, tokens: tuple[str, ...]) -> None:
    """Delete the value at ``tokens`` in place; a path that does not exist is ignored."""
    node = obj
    for depth, token in enumerate(tokens):
        last = depth == len(tokens) - 1
        if isinstance(node, dict):
            if token not in node:
                return
            if last:
                del node[token]
                return
            node = node[token]
        elif isinstance(node, list):
            i = _index(token, len(node))
            if i is None:
                return
            if last:
                del node[i]
                return
            node = node[i]
        else:
            return
