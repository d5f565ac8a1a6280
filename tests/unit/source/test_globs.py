"""Argo CD's glob syntax (gobwas/glob without separators)."""

from __future__ import annotations

import pytest

from gitsync.source.globs import GlobError, compile_glob, glob_match


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("*.yaml", "a.yaml", True),
    ("*.yaml", "sub/a.yaml", True),
    ("*.yaml", "a.yml", False),
    ("**/*.yaml", "sub/a.yaml", True),
    ("sub/*", "sub/deeper/a.yaml", True),
    ("?.yaml", "a.yaml", True),
    ("?.yaml", "ab.yaml", False),
    ("{a,b}.yaml", "b.yaml", True),
    ("{a,b}.yaml", "c.yaml", False),
    ("{config.json,deployment.yaml}", "deployment.yaml", True),
    ("{*.json,sub/{x,y}.yaml}", "sub/y.yaml", True),
    ("{*.json,sub/{x,y}.yaml}", "sub/z.yaml", False),
    ("[a-c]*", "b.yaml", True),
    ("[!a-c]*", "b.yaml", False),
    ("[!a-c]*", "d.yaml", True),
    ("a\\*.yaml", "a*.yaml", True),
    ("a\\*.yaml", "ab.yaml", False),
    ("a.yaml", "xa.yaml", False),
    ("(x).yaml", "(x).yaml", True),
    ("{a,}b", "b", True),
])
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


@pytest.mark.parametrize(("pattern", "message"), [
    ("{a,b", '"{a,b": unclosed "{"'),
    ("[abc", '"[abc": unclosed "["'),
    ("[]", '"[]": empty character class'),
    ("a\\", '"a\\": ends with a lone backslash'),
])
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(GlobError) as info:
        compile_glob(pattern)
    assert str(info.value) == message
