"""The root `intentkg` command: every command group is there; errors are one line."""

from pathlib import Path

import pytest

from intentkg.main import main


def _help_rows(out: str) -> set[str]:
    """First words of the rows of the help's command table (``│ name   summary │``)."""
    rows = set()
    for line in out.splitlines():
        cells = line.strip("│ ").split()
        if line.startswith("│") and cells:
            rows.add(cells[0])
    return rows


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from intentkg.main import app

    registered = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"ingest", "distill", "build", "load", "query", "serve", "run", "demo", "export",
            "store"} <= registered
    assert main(["--help"]) == 0
    rows = _help_rows(capsys.readouterr().out)
    # every registered command has its own row in the command table, not just a mention
    assert registered <= rows, registered - rows


def test_bad_input_is_one_clear_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "nothing.txt"
    bogus.write_text("this is not any known format\n")
    code = main(["ingest", "auto", str(bogus), "--out", str(tmp_path / "w"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert str(bogus) in err
    assert "Traceback" not in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--no-such-flag"]) == 2


def test_set_overrides_any_setting_below_command_flags() -> None:
    import typer

    from intentkg.common import parse_set_options, settings_from
    from intentkg.main import app

    assert parse_set_options(["llm.concurrency=8", "canon.threshold=0.8", "llm.model=x"]) == {
        "llm": {"concurrency": 8, "model": "x"}, "canon": {"threshold": 0.8}}
    seen = {}

    @app.command("probe-settings", hidden=True)
    def _probe(ctx: typer.Context) -> None:
        seen["s"] = settings_from(ctx, workdir=Path("flag-wins"))

    try:
        assert main(["--set", "llm.concurrency=3", "--set", "workdir=from-set",
                     "probe-settings"]) == 0
    finally:
        app.registered_commands.pop()
    assert seen["s"].llm.concurrency == 3 and seen["s"].workdir == Path("flag-wins")


def test_bad_set_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    from intentkg.common import parse_set_options
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match=r"section\.key=value"):
        parse_set_options(["llm.concurrency"])
    assert main(["--set", "nosuch.key=1", "query", "relation-stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_work_dir_files_are_private_under_umask_022(tmp_path: Path) -> None:
    import os
    import stat

    src = tmp_path / "posts.jsonl"
    src.write_text('{"id": "p1", "text": "snow day, time for tea", "image": null}\n')
    old = os.umask(0o022)
    try:
        assert main(["ingest", "miko", str(src), "--out", str(tmp_path / "w"),
                     "--no-progress"]) == 0
    finally:
        os.umask(old)
    made = [p for p in (tmp_path / "w").rglob("*")]
    assert any(p.suffix == ".parquet" for p in made)
    for path in [tmp_path / "w", *made]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_only_ctrl_c_is_130(monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    import intentkg.main as cli

    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    def eof(**_: object) -> None:  # what click does with an EOFError it catches
        import typer
        raise typer.Abort() from EOFError("Compressed file ended before the end-of-stream "
                                          "marker was reached")

    monkeypatch.setattr(cli, "app", interrupted)
    assert main([]) == 130
    monkeypatch.setattr(cli, "app", eof)
    assert main([]) == 1
    assert "end-of-stream" in capsys.readouterr().err


def test_one_error_boundary_for_every_command(tmp_path: Path) -> None:
    """A project error from a command of a sub-group is one ``error:`` line, exit 1."""
    from typer.testing import CliRunner

    from intentkg.main import app

    res = CliRunner().invoke(app, ["export", "parquet", "--workdir", str(tmp_path / "none")])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "intentkg build" in lines[0]
    assert "Traceback" not in res.output


def test_no_command_catches_project_errors_itself() -> None:
    """The commands let IntentKGError through to the root's boundary (intentkg.common)."""
    import re

    root = Path(__file__).resolve().parents[3] / "intentkg"
    catching = [p.name for p in sorted(root.glob("*_cmd.py"))
                if re.search(r"except\s*\(?[^)\n]*IntentKGError", p.read_text(encoding="utf-8"))]
    assert catching == []


def test_the_work_dir_flag_is_spelled_the_same_on_every_command() -> None:
    import typer

    from intentkg.main import app

    def commands(group: object, path: str) -> list[tuple[str, object]]:
        found = []
        for name, cmd in getattr(group, "commands", {}).items():
            found.append((f"{path} {name}".strip(), cmd))
            found += commands(cmd, f"{path} {name}")
        return found

    every = commands(typer.main.get_command(app), "")
    with_workdir = {name: next(p for p in cmd.params if p.name == "workdir")  # type: ignore[attr-defined]
                    for name, cmd in every
                    if any(p.name == "workdir" for p in getattr(cmd, "params", []))}
    assert {"ingest", "distill", "build", "load", "run", "demo", "eval canon"} <= set(with_workdir)
    wrong = {name: p.opts for name, p in with_workdir.items()
             if not {"--workdir", "-w"} <= set(p.opts)}
    assert wrong == {}
