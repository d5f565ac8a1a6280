"""Developer sessions: ``nox`` runs tests, lint and typecheck; ``nox -s bench`` the benchmarks.

Each session installs the project editable into its own virtualenv; ``nox -R`` reuses them.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_venv = "yes"

ROOT = Path(__file__).parent


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite; extra arguments go to pytest (``nox -s tests -- tests/unit -x``)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, and the import-linter contracts of pyproject.toml (DESIGN.md section 3)."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, as configured in pyproject.toml."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Every ``benchmarks/*.py``, one after the other; each prints its own figures."""
    session.install("-e", ".[dev]")
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    if not scripts:
        session.skip("no benchmarks/*.py")
    for script in scripts:
        session.run("python", str(script.relative_to(ROOT)))
