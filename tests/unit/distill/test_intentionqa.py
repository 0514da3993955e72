"""IntentionQA: the benchmark's files, answer parsing, and a run through a replay backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distill.intentionqa import (
    QAQuestion,
    difficulty_levels,
    load_questions,
    parse_choice,
    record_replay,
)
from intentkg.main import main
from kg.errors import ConfigError
from kg.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / ".." / "shared" / "samples" / "intentionqa"
TASK1 = SAMPLES / "QA_fullInfo_task1.sample.jsonl"
TASK2 = SAMPLES / "QA_fullInfo_task2.sample.jsonl"
BY_RELATION = SAMPLES / "QA_fullInfo_task1_byRelation.sample.jsonl"
needs_samples = pytest.mark.skipif(not TASK1.is_file(), reason="../shared/samples is absent")
OPTIONS = {"A": "because they both are used for hiking in snow.",
           "B": "because they both are a type of coffee filter.",
           "C": "because the person can walk the dog at night.",
           "D": "because they both are made of wool."}


@pytest.mark.parametrize(("text", "expected"), [
    ("B", "B"), ("b", "B"), ("(C)", "C"), ("**D**", "D"), ("A.", "A"), ("Answer: C", "C"),
    ("The answer is B.", "B"), ('{"answer": "D"}', "D"), ("I think option A is right", "A"),
    ("C) because the person can walk the dog at night.", "C"),
    ("because they both are made of wool", "D"),
    ("Sure! because they both are a type of coffee filter, clearly", "B"),
    ("A customer would buy them for hiking", None), ("The answer is a good one", None),
    ("", None), ("E", None), ("no idea", None),
])
def test_parse_choice(text: str, expected: str | None) -> None:
    assert parse_choice(text, OPTIONS) == expected


@needs_samples
def test_load_both_tasks_and_relations_of_the_by_relation_file() -> None:
    qs = load_questions([TASK1, TASK2, BY_RELATION])
    tasks = {q.task for q in qs}
    assert tasks == {1, 2}
    by_id = {q.id: q for q in qs}
    # FS_1 is in both task-1 files; the byRelation file labels it isA, FS_8 cause
    assert by_id["t1:FS_1"].relation == "isA"
    assert by_id["t1:FS_8"].relation == "cause"
    assert by_id["t1:FS_2"].relation == "cobuyOpen"  # "other"
    assert len([q for q in qs if q.task == 1]) == 30 + 10  # 10 byRelation ids are new
    t2 = by_id["t2:FS_1"]
    assert t2.options[t2.gold].startswith("Cable Matters")
    assert t2.option_ids[t2.gold] == t2.item_b_id == "B00N9HRTFU"
    assert set(t2.option_ids) == set("ABCD")
    assert all("&amp;" not in v for q in qs for v in q.options.values())
    assert not t2.assertion.startswith("PersonX")
    levels = difficulty_levels(qs)
    assert set(levels.values()) == {"easy", "medium", "hard"}


def test_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "qa.jsonl"
    good = {"id": "FS_1", "item_a_id": "A1", "item_b_id": "B1", "item_a_name": "a",
            "item_b_name": "b", "relation": "all", "assertion": "because x",
            "options": {"A": "because x", "B": "y"}, "gold_ind": "A",
            "distractors_score": [0.5]}
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "gold_ind": "E"}) + "\n")
    with pytest.raises(ConfigError, match=r"qa.jsonl:2: .*gold_ind 'E'"):
        load_questions([bad])
    missing = {k: v for k, v in good.items() if k != "options"}
    bad.write_text(json.dumps(missing) + "\n")
    with pytest.raises(ConfigError, match=r"qa.jsonl:1: .*missing field 'options'"):
        load_questions([bad])
    bad.write_text("not json\n")
    with pytest.raises(ConfigError, match=r"qa\.jsonl:1: not JSON"):
        load_questions([bad])


def _answers(qs: list[QAQuestion]) -> dict[str, str]:
    """Gold for most, a wrong letter for every 4th, free text for every 7th."""
    out = {}
    for i, q in enumerate(qs):
        wrong = next(k for k in "ABCD" if k != q.gold)
        out[q.id] = ("I am not sure" if i % 7 == 3 else wrong if i % 4 == 0
                     else f"Answer: {q.gold}")
    return out


@needs_samples
def test_cli_runs_both_tasks_through_a_replay(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    qs = load_questions([TASK1, TASK2])
    answers = _answers(qs)
    model = Settings().llm.model
    replay = tmp_path / "replay.jsonl"
    assert record_replay([(q, [], answers[q.id]) for q in qs], model, replay) == len(qs)
    wd = tmp_path / "w"
    argv = ["eval", "intentionqa", str(TASK1), str(TASK2), "-w", str(wd), "--backend",
            "replay", "--replay-file", str(replay), "--model", model]
    assert main(argv) == 0
    out = capsys.readouterr().out
    correct = sum(1 for q in qs if parse_choice(answers[q.id], q.options) == q.gold)
    unparsed = sum(1 for q in qs if parse_choice(answers[q.id], q.options) is None)
    assert 0 < correct < len(qs) and unparsed > 0
    assert (f"IntentionQA accuracy: {correct / len(qs):.3f} ({correct}/{len(qs)})"
            in out)
    assert f"unparsed answers: {unparsed}" in out
    t1 = [q for q in qs if q.task == 1]
    c1 = sum(1 for q in t1 if parse_choice(answers[q.id], q.options) == q.gold)
    assert f"| task 1 | {c1 / len(t1):.3f} ({c1}/{len(t1)})" in out
    saved = json.loads((wd / "eval" / "intentionqa.json").read_text())
    assert saved["without_kg"]["all"]["all"] == [correct, len(qs)]
    # answered from the cache the second time: an empty replay file still works
    replay.write_text("")
    assert main(argv) == 0
    assert f"({correct}/{len(qs)})" in capsys.readouterr().out


@needs_samples
def test_a_replay_miss_fails_with_one_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "replay.jsonl"
    empty.write_text("")
    code = main(["eval", "intentionqa", str(TASK2), "-w", str(tmp_path / "w"), "--backend",
                 "replay", "--replay-file", str(empty)])
    err = capsys.readouterr().err
    assert code == 1
    assert "all 30 IntentionQA questions failed" in err and "replay miss" in err
