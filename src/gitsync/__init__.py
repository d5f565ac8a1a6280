"""gitsync: Argo CD-style GitOps sync from the command line, without a server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gitsync")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
