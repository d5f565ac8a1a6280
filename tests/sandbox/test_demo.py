"""``gitsync sandbox demo``: the README's first command, at time scale 0."""

from __future__ import annotations

from typer.testing import CliRunner

from gitsync.cli.main import app

ENV = {"NO_COLOR": "1", "COLUMNS": "200", "CI": "", "TERM": "dumb"}


def test_demo_runs_the_whole_story() -> None:
    result = CliRunner().invoke(app, ["sandbox", "demo", "--time-scale", "0"], env=ENV)
    assert result.exit_code == 0, result.output
    out = result.stdout
    commands = [line for line in out.splitlines() if line.startswith("$ gitsync app ")]
    assert commands == [
        "$ gitsync app list",
        "$ gitsync app sync shop-staging --dry-run",
        "$ gitsync app sync shop-staging -m first release",
        "$ gitsync app diff shop-staging",
        "$ gitsync app sync shop-staging -m api 1.4.1",
        "$ gitsync app sync shop-staging --prune -m retire the old frontend",
        "$ gitsync app history shop-staging",
        "$ gitsync app rollback shop-staging 1 -m back to 1.4.0",
        "$ gitsync app history shop-staging",
    ]
    # the drift is attributed to whoever made it
    assert "# spec.replicas: 5 → 2 (changed in the cluster by kubectl-scale)" in out
    # waves ran in order, hooks included
    progress = result.stderr
    lines = progress.splitlines()
    order = [lines.index(s) for s in ("PreSync ▸ wave 0", "Sync ▸ wave -5", "Sync ▸ wave 0",
                                      "Sync ▸ wave 1", "Sync ▸ wave 2", "PostSync ▸ wave 0")]
    assert order == sorted(order)
    assert "Job/shop-staging/shop-migrate  Succeeded" in progress
    # the prune and the final history
    assert "Deployment    shop-staging   frontend           Pruned" in out
    history = out.split("$ gitsync app history shop-staging")[-1].splitlines()
    # ID DATE REVISION ("main (sha7)") INITIATOR MESSAGE
    rows = [line.split(None, 5) for line in history if line[:1].isdigit()]
    assert [(r[0], r[5]) for r in rows] == [
        ("1", "first release"), ("2", "api 1.4.1"), ("3", "retire the old frontend"),
        ("4", "rollback to 1: back to 1.4.0")]
    assert rows[3][3] == rows[0][3]  # the rollback re-deployed the first revision
