"""``gitsync sandbox demo``: the README's first command, at time scale 0."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gitsync.cli import sandbox_cmd
from gitsync.cli.main import app

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "CI": "", "TERM": "dumb"}


def test_demo_rolls_out_scales_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_cmd, "ROLLOUT_TIMEOUT", 5.0)  # instant at time scale 0
    result = CliRunner().invoke(app, ["sandbox", "demo", "--time-scale", "0"], env=ENV)
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert progress[1:3] == [
        "namespace/demo serverside-applied",
        "deployment.apps/web serverside-applied",
    ]
    assert "Deployment/demo/web  Available  3 of 3 replicas available" in progress
    assert "deployment.apps/web scaled to 5 replicas" in progress
    assert progress[-2] == "Deployment/demo/web  Available  5 of 5 replicas available"
    tables = result.stdout.splitlines()
    assert tables[1].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert tables[2].split()[:4] == ["deployment.apps/web", "5/5", "5", "5"]
    pods = [line for line in tables if line.startswith("pod/web-")]
    assert len(pods) == 5 and all(line.split()[1:3] == ["1/1", "Running"] for line in pods)
