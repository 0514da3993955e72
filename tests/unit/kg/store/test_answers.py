"""The answers kept per (concept, depth) (kg.store.answers), pure part; the contract
tests (tests/contract/test_kept_answers.py) hold them equal to the live queries."""

from __future__ import annotations

from kg.store.answers import (
    AnswerInputs,
    answers,
    decode_intentions,
    decode_products,
    distances_above,
    encode_intentions,
    encode_products,
    levels,
    round9,
)
from kg.store.stats import IntentionCells

# a <- b <- c <- d, a <- e
CHILDREN = {"a": ["b", "e"], "b": ["c"], "c": ["d"]}
PARENTS = {"b": ["a"], "e": ["a"], "c": ["b"], "d": ["c"]}


def test_levels_and_distances_above() -> None:
    assert levels("a", CHILDREN) == {"a": 0, "b": 1, "e": 1, "c": 2, "d": 3}
    assert levels("d", CHILDREN) == {"d": 0}
    assert distances_above(["d", "e"], PARENTS) == {"d": 0, "e": 0, "c": 1, "b": 2, "a": 1}


def _inputs() -> AnswerInputs:
    cells = {i: IntentionCells(subjects={"usedFor": [n + 1, n]})
             for n, i in enumerate(["i0", "i1", "i2"])}
    return AnswerInputs(
        about={"a": [("i1", 0.5)], "c": [("i2", 0.9), ("i0", None)], "d": [("i1", 1.0)]},
        cells=cells, children=CHILDREN, names={"a": "alpha", "c": "gamma", "d": "delta"},
        cobuys={"i1": [("cb1", 0.5)], "i2": [("cb1", 0.25), ("cb2", 1.0)]},
        products_of={"cb1": ["P1", "P2"], "cb2": ["P2", "P3"]})


def test_answers_are_kept_where_the_scope_grows_and_rank_as_the_live_queries() -> None:
    computed = {(c, d): (i, p) for c, d, i, p in answers(_inputs(), {"a": 0, "b": 2})}
    assert sorted(computed) == [("a", 0), ("a", 1), ("a", 2), ("a", 3), ("b", 2)]
    groups, products = computed[("a", 2)]
    # i2 (2 kept subjects) before i1; i0 has none kept; i2's score: 0.9 two hops down
    assert [(g["relation"], g["total"]) for g in groups] == [("usedFor", 2)]
    assert [(x["id"], x["subjects"], x["score"]) for x in groups[0]["items"]] == [
        ("i2", 2, round9(0.9 / 3)), ("i1", 1, 0.5)]
    assert groups[0]["items"][1]["concepts"] == ["alpha"]
    # cb1: 0.5 + 0.25, cb2: 1.0 -> P2 1.75 (2 co-buys), P3 1.0, P1 0.75
    assert [(p["id"], p["cobuys"], p["score"]) for p in products] == [
        ("P2", 2, 1.75), ("P3", 1, 1.0), ("P1", 1, 0.75)]
    assert computed[("a", 0)][1] == [
        {"id": "P1", "cobuys": 1, "score": 0.5, "intentions": [("i1", 0.5)]},
        {"id": "P2", "cobuys": 1, "score": 0.5, "intentions": [("i1", 0.5)]}]


def test_the_kept_text_decodes_to_the_rows() -> None:
    groups = [{"relation": "usedFor", "total": 1, "items": [
        {"id": "i", "text": 'say "hi":', "subjects": 2, "support": 1, "score": 0.5,
         "concepts": ["x"]}]}]
    products = [{"id": "P", "title": None, "category": "c", "cobuys": 1, "score": 0.5,
                 "intentions": ["t"]}]
    assert decode_intentions(encode_intentions(groups)) == groups
    assert decode_products(encode_products(products)) == products
    assert round9(0.1 + 0.2) == round9(0.3) == 0.3
