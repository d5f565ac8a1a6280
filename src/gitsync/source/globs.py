"""Argo CD's include/exclude globs (gobwas/glob without separators), compiled to regexes.

``*`` and ``**`` match any text, slashes included (Argo CD passes no separator), ``?`` one
character, ``[abc]``/``[a-z]``/``[!a-z]`` a class, ``{a,b}`` alternatives (nestable),
``\\`` escapes the next character. Patterns match the whole path relative to the app folder.
"""

from __future__ import annotations

import re
from functools import lru_cache


class GlobError(ValueError):
    """A pattern that does not compile."""


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regex that matches exactly what ``pattern`` matches."""
    body, _ = _translate(pattern, 0, in_braces=False)
    return re.compile(body, re.DOTALL)


def glob_match(pattern: str, path: str) -> bool:
    """True when ``pattern`` matches all of ``path``."""
    return compile_glob(pattern).fullmatch(path) is not None


def _translate(p: str, i: int, *, in_braces: bool) -> tuple[str, int]:
    out: list[str] = []
    alternatives: list[str] = []
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 == len(p):
                raise GlobError(f'"{p}": ends with a lone backslash')
            out.append(re.escape(p[i + 1]))
            i += 2
        elif c == "*":
            while i < len(p) and p[i] == "*":
                i += 1
            out.append(".*")
        elif c == "?":
            out.append(".")
            i += 1
        elif c == "[":
            cls, i = _char_class(p, i)
            out.append(cls)
        elif c == "{":
            group, i = _translate(p, i + 1, in_braces=True)
            out.append(group)
        elif in_braces and c == ",":
            alternatives.append("".join(out))
            out = []
            i += 1
        elif in_braces and c == "}":
            alternatives.append("".join(out))
            return "(?:" + "|".join(alternatives) + ")", i + 1
        else:
            out.append(re.escape(c))
            i += 1
    if in_braces:
        raise GlobError(f'"{p}": unclosed "{{"')
    return "".join(out), i


def _char_class(p: str, start: int) -> tuple[str, int]:
    end = p.find("]", start + 1)
    if end < 0:
        raise GlobError(f'"{p}": unclosed "["')
    body = p[start + 1:end]
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    if not body:
        raise GlobError(f'"{p}": empty character class')
    parts = []
    for j, ch in enumerate(body):
        is_range = ch == "-" and 0 < j < len(body) - 1
        parts.append("-" if is_range else re.escape(ch))
    return "[" + ("^" if negate else "") + "".join(parts) + "]", end + 1
