"""Aggregates kept at load time (kg.store.stats) on every store, over the sample graph."""

from __future__ import annotations

import json

import pytest
from queries_fixtures import cid, iid, load

import queries as q
from kg.records import CoBuy
from kg.store import refresh_stats
from kg.store.base import GraphStore
from kg.store.dialect import ASSERTION_PROPERTIES, assertion_edge_query
from queries._base import read


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    return load(store)


def _live(g: GraphStore, **kw: object) -> list[q.ConceptCount]:
    params = {"relations": None, "category": None, "source": None, "include_rejected": False,
              "min_score": 0.0, "accepted_only": False, "skip": 0, "limit": 100,
              "top": "*|all|", **kw}
    return [q.ConceptCount(**row) for row in read(g, "top_concepts_live", params)]


@pytest.mark.parametrize("kw", [
    {}, {"include_rejected": True}, {"category": "Clothing"}, {"source": "twitter"},
    {"source": "sample", "include_rejected": True}, {"relations": ["usedFor"]},
    {"relations": ["xIntent"]}, {"relations": ["usedFor"], "include_rejected": True}])
def test_top_concepts_from_aggregates_equal_the_edge_count(g: GraphStore,
                                                         kw: dict[str, object]) -> None:
    agg = q.top_concepts(g, limit=100, **kw)  # type: ignore[arg-type]
    assert agg, kw
    assert agg == _live(g, **kw)


def test_top_concepts_name_their_children(g: GraphStore) -> None:
    top = {c.name: c.children for c in q.top_concepts(g, limit=100)}
    assert top["warmth"] == 1 and top["hiking"] == 0


def test_relation_and_concept_stats_equal_their_definitions(g: GraphStore) -> None:
    live = {r["relation"]: r for r in g.read(
        "MATCH ()-[r]->(i:Intention) WHERE r.relation IS NOT NULL "
        "RETURN r.relation AS relation, count(r) AS assertions, count(DISTINCT i) AS n")}
    stats = {r.relation: r for r in q.relation_stats(g)}
    assert {k: (v.assertions, v.intentions) for k, v in stats.items()} == {
        k: (v["assertions"], v["n"]) for k, v in live.items()}
    linked = {r["id"]: r["n"] for r in g.read(
        "MATCH (c:Concept) OPTIONAL MATCH (c)<-[:ABOUT]-(i) RETURN c.id AS id, count(i) AS n")}
    assert {c.id: c.intentions for c in q.concept_stats(g, limit=100)} == linked


def test_refresh_is_idempotent_and_adds_new_rows(g: GraphStore) -> None:
    again = refresh_stats(g)
    assert sum(s.rows for s in again.values()) == 0  # nothing changed, nothing written
    before = {c.name: c for c in q.top_concepts(g, limit=100)}
    cobuy = CoBuy.of("B02", "B03").id
    g.write_rows("UNWIND $rows AS row MERGE (c:CoBuy {id: row.id}) SET c.source = 'sample', "
                 "c.category = 'Shoes' WITH c, row MATCH (a:Product {id: row.a}), "
                 "(b:Product {id: row.b}) MERGE (c)-[:OF]->(a) MERGE (c)-[:OF]->(b)",
                 [{"id": cobuy, "a": "B02", "b": "B03"}])
    row: dict[str, object] = {p: None for p in ASSERTION_PROPERTIES}
    row.update(id="assertion:new", subject_id=cobuy, intention_id=iid("go hiking in winter"),
               relation="usedFor", text="go hiking in winter", keep=True, filter_score=0.9)
    g.write_rows(assertion_edge_query("usedFor", "cobuy"), [row])
    summary = refresh_stats(g)
    assert sum(s.rows for s in summary.values()) > 0
    after = {c.name: c for c in q.top_concepts(g, limit=100)}
    assert after["hiking"].assertions == before["hiking"].assertions + 1
    assert after["gift"] == before["gift"]
    assert after == {c.name: c for c in _live(g)}
    assert sum(s.rows for s in refresh_stats(g).values()) == 0


def test_trend_counts_posts_per_month(g: GraphStore) -> None:
    assert q.intentions_trend(g, "hiking") == [
        q.TrendPoint(period="2024-01", assertions=2, intentions=2)]
    cooking = q.intentions_trend(g, cid("cooking"))
    assert [(p.period, p.assertions) for p in cooking] == [("2024-02", 1)]
    assert q.intentions_trend(g, "body heat") == []  # only co-buys: no time


def test_concept_children_drill_down(g: GraphStore) -> None:
    children = q.concept_children(g, "condition")
    assert [c.name for c in children] == ["warmth", "comfort"]
    warmth = children[0]
    assert warmth.children == 1 and warmth.intentions == 2
    assert [c.name for c in q.concept_children(g, "warmth")] == ["body heat"]
    assert q.concept_children(g, "gift") == []


def test_graph_summary_counts_nodes_and_assertions(g: GraphStore) -> None:
    s = q.graph_summary(g)
    assert (s.posts, s.products, s.cobuys, s.intentions, s.concepts) == (3, 7, 7, 7, 8)
    assert (s.assertions, s.kept) == (14, 13)


def test_graph_summary_of_an_empty_graph(store: GraphStore) -> None:
    assert q.graph_summary(store) == q.GraphSummary(
        posts=0, products=0, cobuys=0, intentions=0, concepts=0, assertions=0, kept=0)


def _stat_nodes(g: GraphStore) -> dict[str, dict[str, object]]:
    return {row["p"]["id"]: row["p"] for label in ("IntentionStat", "ConceptStat", "GraphStat")
            for row in g.read(f"MATCH (n:{label}) RETURN properties(n) AS p")}


def _dirty(g: GraphStore) -> int:
    rows = g.read("MATCH (n) WHERE n.stats_dirty = true RETURN count(n) AS n")
    return int(rows[0]["n"])


def test_incremental_refresh_equals_a_full_recompute(g: GraphStore) -> None:
    assert _dirty(g) == 0  # the load's refresh cleared its marks
    row: dict[str, object] = {p: None for p in ASSERTION_PROPERTIES}
    row.update(id="assertion:new-post", subject_id="twitter:1",
               intention_id=iid("cook dinner for friends"), relation="xWant",
               text="cook dinner for friends", keep=True)
    g.write_rows(assertion_edge_query("xWant", "post"), [row])
    g.write_rows(assertion_edge_query("xWant", "post"), [row])  # the same row again
    g.write_rows("UNWIND $rows AS row MATCH (i:Intention {id: row.i}), (c:Concept {id: row.c}) "
                 "MERGE (i)-[r:ABOUT]->(c) ON CREATE SET c.stats_dirty = true "
                 "SET r.score = row.score",
                 [{"i": iid("cook dinner for friends"), "c": cid("warmth"), "score": 0.4}])
    assert _dirty(g) == 2  # one intention, one concept
    summary = refresh_stats(g)
    assert summary["stats:IntentionStat"].rows > 0 and summary["stats:ConceptStat"].rows > 0
    assert _dirty(g) == 0
    incremental = _stat_nodes(g)
    assert sum(s.rows for s in refresh_stats(g, full=True).values()) == 0
    assert _stat_nodes(g) == incremental


def test_a_changed_keep_flag_marks_its_intention(g: GraphStore) -> None:
    rows = g.read("MATCH (:CoBuy)-[r]->(i:Intention) WHERE r.keep = true "
                  "RETURN r.id AS id, r.relation AS relation, i.id AS intention "
                  "ORDER BY id LIMIT 1")
    edge = g.read("MATCH (s:CoBuy)-[r]->(:Intention) WHERE r.id = $id "
                  "RETURN s.id AS subject, properties(r) AS p", {"id": rows[0]["id"]})[0]
    row: dict[str, object] = {p: edge["p"].get(p) for p in ASSERTION_PROPERTIES}
    row.update(id=rows[0]["id"], subject_id=edge["subject"], intention_id=rows[0]["intention"],
               keep=True)
    g.write_rows(assertion_edge_query(rows[0]["relation"], "cobuy"), [row])
    assert _dirty(g) == 0  # unchanged: nothing to recompute
    row["keep"] = False
    g.write_rows(assertion_edge_query(rows[0]["relation"], "cobuy"), [row])
    assert _dirty(g) == 1
    before = {r.relation: r.kept for r in q.relation_stats(g)}
    refresh_stats(g)
    after = {r.relation: r.kept for r in q.relation_stats(g)}
    assert after[rows[0]["relation"]] == before[rows[0]["relation"]] - 1
    incremental = _stat_nodes(g)
    refresh_stats(g, full=True)
    assert _stat_nodes(g) == incremental


def _live_by_concept(g: GraphStore, concept_id: str, **kw: object) -> list[q.RelationGroup]:
    params = {"concept_ids": [concept_id], "depth": 2, "relations": None,
              "include_rejected": False, "min_score": 0.0, "accepted_only": False,
              "skip": 0, "limit": 20, **kw}
    return [q.RelationGroup(relation=row["relation"], total=row["total"], items=[
        q.IntentionHit(relation=row["relation"], **item) for item in row["items"] or []])
        for row in read(g, "intentions_by_concept", params)]


@pytest.mark.parametrize("kw", [
    {}, {"depth": 0}, {"depth": 1}, {"depth": 5}, {"include_rejected": True},
    {"limit": 1}, {"skip": 1, "limit": 1}, {"skip": 2, "limit": 2}, {"limit": 50},
    {"relations": ["usedFor", "xWant"]}, {"depth": 3, "include_rejected": True, "limit": 2}])
def test_kept_rankings_answer_as_the_live_query(g: GraphStore, kw: dict[str, object]) -> None:
    from queries.rankings import ranked_by_concept

    ids = [r["id"] for r in g.read("MATCH (c:Concept) RETURN c.id AS id ORDER BY id")]
    answered = 0
    for concept_id in ids:
        fast = ranked_by_concept(g, concept_id, **{  # type: ignore[arg-type]
            "depth": 2, "relations": None, "include_rejected": False, "skip": 0,
            "limit": 20, **kw})
        assert fast is not None, concept_id
        answered += bool(fast)
        assert json.dumps([x.model_dump() for x in fast], indent=1) == json.dumps([
            x.model_dump() for x in _live_by_concept(g, concept_id, **kw)], indent=1), concept_id
    assert answered >= 3
