"""Pure parsing: JSON repair, refusals, boilerplate stripping, yes/no scores."""

from __future__ import annotations

import math

import pytest

from distill.cobuy import filter_score
from distill.judge import parse_judgement
from distill.parse import (
    clean_intention,
    extract_json,
    is_refusal,
    parse_yes_no,
    vote_probability,
    yes_probability,
)
from distill.posts import parse_intentions, parse_key_info
from kg.relations import REGISTRY, relations_for


@pytest.mark.parametrize("text", [
    '{"a": 1}',
    '```json\n{"a": 1}\n```',
    'Sure! Here is the JSON:\n{"a": 1}\nHope this helps.',
    "{'a': 1}",
    '{"a": 1,}',
    '```\n{"a": 1, }\n```',
])
def test_extract_json_repairs(text: str) -> None:
    assert extract_json(text) == {"a": 1}


@pytest.mark.parametrize("text", [
    "", "   ", "no json here", "[1, 2]", "{broken", "__import__('os')"])
def test_extract_json_gives_none(text: str) -> None:
    assert extract_json(text) is None


def test_refusals_and_empty() -> None:
    assert is_refusal("") and is_refusal("  \n")
    assert is_refusal("I'm sorry, but I can't help with that.")
    assert is_refusal("As an AI language model, I cannot")
    assert not is_refusal('{"description": "sorry face emoji"}')


USED_FOR = REGISTRY["usedFor"].template
COBUY_TEMPLATES = [r.template for r in relations_for("cobuy")]


@pytest.mark.parametrize(("raw", "template", "want"), [
    ("because they both are used for keeping warm.", USED_FOR, "keeping warm"),
    ("They are bought together because they both are used for hiking", USED_FOR, "hiking"),
    ("The potential co-buy intention for these products could be that they both are used for "
     "camping.", USED_FOR, "camping"),
    ("The potential co-buy intention could be that keeping warm on hikes.", USED_FOR,
     "keeping warm on hikes"),
    ("to keep warm.", REGISTRY["xNeed"].template, "keep warm"),
    ("Before posting this, the user needs to take a photo.", REGISTRY["xNeed"].template,
     "take a photo"),
    ('"Share the news!"', REGISTRY["xIntent"].template, "share the news"),
    ("together time with family", REGISTRY["xIntent"].template, "together time with family"),
    ("USB charging", USED_FOR, "USB charging"),
    ("", USED_FOR, ""),
    ("because.", REGISTRY["cobuyOpen"].template, ""),
    # a small model echoes the prompt's slot instead of filling it (seen with SmolLM2-135M)
    ("[insert action]", REGISTRY["xIntent"].template, ""),
    ("the user needs to [insert reason]", REGISTRY["xNeed"].template, ""),
    ("<your answer here>", USED_FOR, ""),
    ("{intention}", USED_FOR, ""),
    ("keep the [red] scarf", USED_FOR, "keep the [red] scarf"),
    ("<3 the new boots", REGISTRY["xIntent"].template, "<3 the new boots"),
])
def test_clean_intention(raw: str, template: str, want: str) -> None:
    assert clean_intention(raw, template, COBUY_TEMPLATES) == want


def test_yes_probability_normalises_variants() -> None:
    top = [{"Yes": math.log(0.6), " yes": math.log(0.1), "No": math.log(0.2), "Maybe": -1.0}]
    assert yes_probability(top) == pytest.approx(0.7 / 0.9)
    assert yes_probability([{'"': -0.1}, {"No": 0.0}]) == 0.0  # skips a leading quote token
    assert yes_probability([{"Maybe": -0.1}]) is None
    assert yes_probability(None) is None and yes_probability([]) is None
    assert yes_probability([{"Yes": -math.inf, "No": -0.5}]) == 0.0


def test_yes_no_and_votes() -> None:
    assert parse_yes_no("Yes. Both keep you warm.") == (True, "Both keep you warm.")
    assert parse_yes_no("**No**, they are unrelated") == (False, "they are unrelated")
    assert parse_yes_no("Perhaps")[0] is None
    assert vote_probability(["Yes, warm", "No", "yes", "unclear"]) == (2 / 3, "warm")
    assert vote_probability(["hmm", ""]) == (None, "")
    assert filter_score([{"Yes": math.log(0.25), "No": math.log(0.75)}], ["No. meh"]) == (
        pytest.approx(0.25), "meh")
    assert filter_score(None, ["Yes. a", "No. b", "Yes. c", "Yes"]) == (0.75, "a")


def test_parse_intentions_tolerates_shapes() -> None:
    rels = relations_for("post", ["xIntent", "xNeed", "oWant"])
    got = parse_intentions({"XINTENT": {"intention": "share", "rationale": "r"},
                            "xNeed": "cook"}, rels)
    assert got == {"xIntent": ("share", "r"), "xNeed": ("cook", ""), "oWant": ("", "")}
    with pytest.raises(ValueError, match="none of the relations"):
        parse_intentions({"foo": "bar"}, rels)


def test_parse_key_info_and_judgement() -> None:
    got = parse_key_info({"concept": "snow", "keywords": "#snow, cold"})
    assert got["keywords"] == ["snow", "cold"] and got["emotion"] == ""
    with pytest.raises(ValueError):
        parse_key_info({"concept": "", "keywords": []})
    assert parse_judgement({"plausibility": 0.8, "typicality": 5}) == (0.8, 1.0)
    with pytest.raises(ValueError):
        parse_judgement({"plausibility": -2, "typicality": 0.1})
