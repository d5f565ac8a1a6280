"""Repository URLs: telling local paths from remotes, a stable cache key, scrubbed credentials."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# ``scheme://user:pass@host`` (or ``user@host``): the userinfo part never reaches a message
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
# git's scp-like syntax: ``[user@]host:path``, a colon before any slash
_SCP = re.compile(r"^(?:[^@/:\s]+@)?[^/:\s]+:(?!//)")


def scrub(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL in it removed."""
    return _USERINFO.sub(r"\g<scheme>", text)


def is_local(url: str) -> bool:
    """True for a plain filesystem path (git treats ``host:path`` as scp-like, not a path)."""
    if "://" in url:
        return False
    # a Windows drive letter ("C:\repo") looks scp-like to the regex but is a path
    if re.match(r"^[A-Za-z]:[\\/]", url):
        return True
    return not _SCP.match(url)


def normalise(url: str) -> str:
    """The form gitsync works with: local paths made absolute, no trailing slash."""
    url = url.strip()
    if is_local(url):
        return str(Path(url).expanduser().resolve())
    return url.rstrip("/") or url


def cache_key(url: str) -> str:
    """sha256 of the credential-free URL: the folder name of the repository's cache."""
    return hashlib.sha256(scrub(normalise(url)).encode()).hexdigest()
