"""``intentkg eval canon``: labelled pairs clustered as the build merges, figures and evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intentkg.main import main
from kg.canon.evaluate import LabelledPair, read_pairs
from kg.errors import ConfigError

PAIRS = """text_a\ttext_b\tlabel
To keep warm on winter hikes.\tkeep warm during winter hikes\t1
keep warm on winter hikes\tplan more winter hikes\t0
the person wants his wife to wear the ring\tthe person wants his girlfriend to wear it\t0
PersonX feels ill\tsick\t1
not sit down\tsit down\t0
"""


def test_eval_canon_prints_figures_and_writes_evidence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS, encoding="utf-8")
    out = tmp_path / "out" / "pairs.json"
    assert main(["eval", "canon", str(pairs), "-w", str(tmp_path / "w"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "5 pairs (2 same)" in printed and "precision" in printed and "recall" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["settings"]["decision"] == "rules"
    by_b = {p["text_b"]: p for p in result["pairs"]}
    warm = by_b["keep warm during winter hikes"]
    assert warm["predicted"] and warm["cluster_a"] == warm["cluster_b"]
    hikes = by_b["plan more winter hikes"]  # the demo's old false merge
    assert not hikes["predicted"] and hikes["rule"] == "unmatched" and "plan" in hikes["detail"]
    assert not by_b["sit down"]["predicted"] and by_b["sit down"]["rule"] == "negation"
    assert result["fp"] == 0 and result["precision"] == 1.0


def test_read_pairs_checks_columns_and_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\tlabel\nx\ty\t1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="text_a"):
        read_pairs(bad)
    bad.write_text("text_a\ttext_b\tlabel\nx\ty\tyes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":2: label"):
        read_pairs(bad)
    assert main(["eval", "canon", str(bad), "-w", str(tmp_path / "w")]) == 1


def test_read_pairs_takes_a_spreadsheet_export(tmp_path: Path) -> None:
    # a byte-order mark, Windows line ends, a capitalised header and an extra column
    path = tmp_path / "pairs.tsv"
    path.write_bytes("\ufeffText_A\t Text_B \tLabel\tnote\r\nkeep warm\tstay warm\t1\t\"x\r\n"
                     "buy a hat\tsell a hat\t0\t\r\n".encode())
    assert read_pairs(path) == [LabelledPair("keep warm", "stay warm", True),
                                LabelledPair("buy a hat", "sell a hat", False)]
    path.write_bytes(b"text_a\ttext_b\tlabel\nkeep warm\tstay \xe9warm\t1\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_pairs(path)
    with pytest.raises(ConfigError, match="does not exist"):
        read_pairs(tmp_path / "missing.tsv")


def test_real_text_splits_are_well_formed() -> None:
    data = Path(__file__).resolve().parents[3] / "bench" / "data"
    dev, test = read_pairs(data / "canon_dev.tsv"), read_pairs(data / "canon_test.tsv")
    assert len(dev) >= 500 and len(test) >= 500
    for split in (dev, test):
        assert 0.08 < sum(p.label for p in split) / len(split) < 0.5  # hard negatives dominate
    assert not {(p.text_a, p.text_b) for p in dev} & {(p.text_a, p.text_b) for p in test}


def test_eval_canon_with_a_model_that_cannot_answer_merges_nothing_more(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS, encoding="utf-8")
    replay = tmp_path / "empty.jsonl"  # answers nothing: every question is a replay miss
    replay.write_text("", encoding="utf-8")
    monkeypatch.setenv("INTENTKG_CANON__MODEL_JUDGE", "true")
    monkeypatch.setenv("INTENTKG_CANON__MODEL_FLOOR", "0.3")
    monkeypatch.setenv("INTENTKG_LLM__BACKEND", "replay")
    monkeypatch.setenv("INTENTKG_LLM__REPLAY_FILE", str(replay))
    out = tmp_path / "pairs.json"
    assert main(["eval", "canon", str(pairs), "-w", str(tmp_path / "w"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    asked = result["settings"]["second_opinion"]["asked"]
    assert asked > 0 and f"{asked} unmatched pairs at cosine >= 0.3 asked" in printed
    assert result["fp"] == 0 and not any(p["rule"] == "model" for p in result["pairs"])
    assert (tmp_path / "w" / "distill" / "llm_cache.sqlite").is_file()
