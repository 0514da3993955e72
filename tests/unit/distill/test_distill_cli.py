"""The thin CLI over run_distill and build_replay."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner


def _app() -> typer.Typer:
    from intentkg.main import app  # the real root: its error boundary prints `error: ...`

    return app


def test_replay_then_distill(workdir: Path, answers: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    replay = tmp_path / "r.jsonl"
    rels = "xIntent,xNeed,oReact,usedFor,isA"
    res = runner.invoke(_app(), ["distill-replay", str(answers), str(replay), "-w",
                                 str(workdir), "--relations", rels])
    assert res.exit_code == 0, res.output
    assert "recorded 17 requests" in res.output
    args = ["distill", "-w", str(workdir), "--backend", "replay", "--replay-file", str(replay),
            "--relations", rels, "--no-progress"]
    res = runner.invoke(_app(), args)
    assert res.exit_code == 0, res.output
    assert "assertions written: 13 (12 kept, 1 rejected" in res.output
    res = runner.invoke(_app(), args)
    assert "model calls: 0 made, 17 from cache" in res.output


def test_errors_are_one_line(workdir: Path) -> None:
    res = CliRunner().invoke(_app(), ["distill", "-w", str(workdir), "--relations", "bogus",
                                      "--backend", "replay", "--replay-file", "/nonexistent"])
    assert res.exit_code == 1
    assert res.output.count("\n") == 1 and res.output.startswith("error: ")
