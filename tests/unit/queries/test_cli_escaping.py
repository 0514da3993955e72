"""Stored text printed by ``intentkg query`` is shown, never interpreted (Rich markup, ESC)."""

from __future__ import annotations

import json

import pytest

from intentkg.common import printable
from intentkg.query_cmd import _show
from queries import ScoredIntention

HOSTILE = [
    "stay [/] warm",
    "[link=https://evil.example]click[/link] here",
    "[bold red]loud[/]",
    "clear \x1b[2J\x1b]8;;https://evil.example\x07screen\x1b]8;;\x07",
    "bell\x07 and C1 \x9b31m csi",
]


def _rows() -> list[ScoredIntention]:
    return [ScoredIntention(id=f"i{n}", text=t, score=1.0, support=1)
            for n, t in enumerate(HOSTILE)]


def test_table_shows_markup_literally_and_strips_controls(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    _show(_rows(), False, ["text", "id"], "title with [/] and \x1b[31m")
    out = capsys.readouterr().out
    assert "stay [/] warm" in out
    assert "[link=https://evil.example]click[/link] here" in out
    assert "[bold red]loud[/]" in out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "title with [/] and" in out


def test_json_escapes_every_control(capsys: pytest.CaptureFixture[str]) -> None:
    _show(_rows(), True, [], "")
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert [r["text"] for r in json.loads(out)] == HOSTILE  # the data itself is unchanged


def test_printable_keeps_tabs_newlines_and_unicode() -> None:
    assert printable("a\tb\nc é 雪 ❄") == "a\tb\nc é 雪 ❄"
    assert printable("a\x00b\x1bc\x7f") == "a\ufffdb\ufffdc\ufffd"
