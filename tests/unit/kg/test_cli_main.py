"""The root `intentkg` command: every command group is there; errors are one line."""

from pathlib import Path

import pytest

from kg.cli.main import main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("ingest", "distill", "build", "load", "query", "serve", "run", "demo",
                    "export", "store"):
        assert command in out


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
