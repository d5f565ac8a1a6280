"""Repository URLs: local or remote, scrubbed of credentials, hashed for the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitsync.source.urls import cache_key, is_local, normalise, scrub


@pytest.mark.parametrize(("text", "expected"), [
    ("https://user:s3cret@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://token@github.com/o/r.git", "https://github.com/o/r.git"),
    ("ssh://git@host:22/r.git", "ssh://host:22/r.git"),
    ("fatal: unable to access 'https://u:p@h/r/': 403",
     "fatal: unable to access 'https://h/r/': 403"),
    ("https://github.com/o/r.git", "https://github.com/o/r.git"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git"),
])
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(("url", "local"), [
    ("/srv/repo", True), ("./repo", True), ("repo", True), ("../a:b", True),
    ("C:\\repos\\x", True), ("file:///srv/repo", False), ("https://h/r", False),
    ("git@github.com:o/r.git", False), ("github.com:o/r", False)])
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_normalise_makes_paths_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert normalise("repo/") == str(tmp_path / "repo")
    assert normalise("https://h/r/") == "https://h/r"


def test_cache_key_ignores_credentials() -> None:
    assert cache_key("https://u:p@h/r") == cache_key("https://h/r")
    assert cache_key("https://h/r") != cache_key("https://h/other")
    assert len(cache_key("https://h/r")) == 64
