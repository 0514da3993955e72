"""``intentkg store start|status|stop`` and ``intentkg load`` through a Typer app."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from kg.io import write_records
from kg.records import Post


def make_app() -> typer.Typer:
    from intentkg.main import app  # the real root: its error boundary prints `error: ...`

    return app


def test_start_status_stop(tmp_path: Path) -> None:
    runner, app = CliRunner(), make_app()
    args = ["--workdir", str(tmp_path)]
    assert runner.invoke(app, ["store", "status", *args]).exit_code == 1
    started = runner.invoke(app, ["store", "start", *args])
    assert started.exit_code == 0, started.output
    assert started.output.startswith("started")
    try:
        again = runner.invoke(app, ["store", "start", *args])
        assert again.output.startswith("already running")
        status = runner.invoke(app, ["store", "status", *args])
        assert status.exit_code == 0 and "running" in status.output
    finally:
        stopped = runner.invoke(app, ["store", "stop", *args])
    assert stopped.output.strip() == "stopped"
    assert runner.invoke(app, ["store", "status", *args]).exit_code == 1
    assert runner.invoke(app, ["store", "stop", *args]).output.strip() == "no server was running"


def test_load_twice_creates_nothing_the_second_time(tmp_path: Path) -> None:
    runner, app = CliRunner(), make_app()
    write_records(tmp_path / "ingest" / "posts.parquet",
                  [Post(id="t:1", source="t", source_id="1", text="hi", clean_text="hi")])
    first = runner.invoke(app, ["load", "--workdir", str(tmp_path), "--batch-size", "10"])
    assert first.exit_code == 0, first.output
    assert "loaded 1 rows into falkordb: 1 nodes, 0 edges created" in first.output
    second = runner.invoke(app, ["load", "--workdir", str(tmp_path)])
    assert "0 nodes, 0 edges created" in second.output


def test_load_error_is_one_line(tmp_path: Path) -> None:
    runner, app = CliRunner(), make_app()
    (tmp_path / "falkordb").mkdir()
    (tmp_path / "falkordb" / "appendonlydir").write_text("not a directory")
    result = runner.invoke(app, ["load", "--workdir", str(tmp_path)])
    assert result.exit_code == 1
    assert "error:" in result.output
