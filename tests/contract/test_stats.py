"""Aggregates kept at load time (kg.store.stats) on every store, over the sample graph."""

from __future__ import annotations

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
              "skip": 0, "limit": 100, "top": "*|all|", **kw}
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
