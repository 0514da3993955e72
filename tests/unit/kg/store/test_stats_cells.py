"""The pure part of the aggregates (kg.store.stats): cells, rankings, scope counts."""

from __future__ import annotations

import json

from kg.store.stats import (
    ALL,
    IntentionCells,
    cell_id,
    compute_stats,
    facts_of,
    scope_at,
)


def _edge(relation: str, keep: bool = True, score: float | None = None) -> dict[str, object]:
    return {"relation": relation, "keep": keep, "filter_score": score}


POST = {"source": "twitter", "created_at": "2024-01-05T10:00:00+00:00"}
COBUY = {"source": "amazon", "category": "Shoes"}
ASSERTIONS = [
    ("p1", POST, "i1", _edge("xWant")),
    ("p2", POST, "i1", _edge("xWant")),
    ("p1", POST, "i2", _edge("xWant", keep=False)),
    ("c1", COBUY, "i2", _edge("usedFor", score=0.8)),
    ("c1", COBUY, "i3", _edge("usedFor", score=0.4)),
]
ABOUT = [("i1", "a", 0.9), ("i2", "b", 0.5), ("i3", "b", None), ("i3", "c", 0.7)]
IS_A = [("b", "a"), ("c", "b")]  # c IS_A b IS_A a


def _rows() -> dict[str, dict[str, dict[str, object]]]:
    out = compute_stats(facts_of(ASSERTIONS), ABOUT, ["a", "b", "c", "d"], IS_A)
    return {label: {r["id"]: r for r in rows} for label, rows in out.items()}


def test_intention_cells_round_trip_through_their_json() -> None:
    cells = _rows()["IntentionStat"][f"i2|{ALL}"]["cells"]
    parsed = IntentionCells.from_json(str(cells))
    assert parsed.subjects == {"xWant": [1, 0], "usedFor": [1, 1]}
    assert parsed.cells[cell_id("usedFor")] == [1, 1, 1, 0.8]
    assert parsed.cells[cell_id(ALL, "month", "2024-01")] == [1, 0, 0, 0.0]
    assert parsed.to_json() == cells


def test_rankings_order_by_subjects_then_score_then_id() -> None:
    concepts = _rows()["ConceptStat"]
    # b: i2 (0.5) and i3 (no score: 1.0), one co-buy each under usedFor
    assert json.loads(str(concepts[f"b|{cell_id('usedFor')}"]["top"])) == [
        ["i3", 1, 1.0], ["i2", 1, 0.5]]
    # i2's only xWant assertion was rejected: ranked by all subjects, absent when kept
    assert json.loads(str(concepts[f"b|{cell_id('xWant')}"]["top"])) == [["i2", 1, 0.5]]
    assert json.loads(str(concepts[f"b|{cell_id('xWant')}"]["top_kept"])) == []
    assert json.loads(str(concepts[f"a|{cell_id('xWant')}"]["top"])) == [["i1", 2, 0.9]]


def test_scope_counts_distinct_intentions_per_depth() -> None:
    concepts = _rows()["ConceptStat"]
    scope = str(concepts[f"a|{cell_id(ALL)}"]["scope"])
    assert scope_at(scope, 0) == {"xWant": [1, 1]}
    assert scope_at(scope, 1) == {"usedFor": [2, 2], "xWant": [2, 1]}
    # i3 is about b and c: counted once at depth 2, and deeper depths add nothing
    assert scope_at(scope, 2) == scope_at(scope, 5) == {"usedFor": [2, 2], "xWant": [2, 1]}
    leaf = str(concepts[f"d|{cell_id(ALL)}"]["scope"])
    assert scope_at(leaf, 3) == {}


def test_graph_cells_sum_every_intention() -> None:
    graph = _rows()["GraphStat"]
    top = graph[cell_id(ALL)]
    assert (top["assertions"], top["kept"], top["intentions"], top["kept_intentions"]) == (
        5, 4, 3, 3)
    assert (top["filter_scored"], top["filter_sum"]) == (2, 1.2)
