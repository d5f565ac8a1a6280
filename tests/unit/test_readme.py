"""The README's set-up commands: CI runs the test command exactly as a new user would."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(python3 -m venv .*)\n```", text)


def test_readme_opens_with_two_setup_commands() -> None:
    demo, tests = readme_commands()
    assert demo.endswith("gitsync sandbox demo")
    assert tests.endswith("python -m pytest -q")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert readme_commands()[1] in script.splitlines()
