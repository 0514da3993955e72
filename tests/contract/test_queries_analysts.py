"""Analyst helpers on every store, over the sample graph (testkit.sample)."""

from __future__ import annotations

import pytest
from queries_fixtures import cid, iid, load

import queries as q
from kg.errors import QueryError
from kg.store.base import GraphStore


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    return load(store)


def _group(groups: list[q.RelationGroup], relation: str) -> q.RelationGroup:
    (found,) = [x for x in groups if x.relation == relation]
    return found


def test_intentions_by_concept_descends_is_a_and_ranks_by_subjects(g: GraphStore) -> None:
    groups = q.intentions_by_concept(g, "condition", depth=2)
    assert groups[0].relation == "usedFor"  # largest group first
    used = _group(groups, "usedFor")
    assert [i.text for i in used.items] == [
        "stay warm outdoors", "feel cozy at home", "keep body heat on cold nights"]
    assert used.items[0].subjects == 2
    # two IS_A hops below "condition": ABOUT 0.7 / (1 + 2)
    assert used.items[2].score == pytest.approx(0.7 / 3)
    assert used.items[2].concepts == ["body heat"]
    assert {x.relation for x in groups} == {"usedFor", "xWant", "oReact"}


def test_intentions_by_concept_depth_bounds_the_descent(g: GraphStore) -> None:
    texts = {i.text for x in q.intentions_by_concept(g, "condition", depth=1) for i in x.items}
    assert "keep body heat on cold nights" not in texts
    assert "stay warm outdoors" in texts
    assert q.intentions_by_concept(g, "condition", depth=0) == []


def test_intentions_by_concept_filters_relations_and_rejected(g: GraphStore) -> None:
    only = q.intentions_by_concept(g, "activity", relations=["XINTENT"])
    assert [x.relation for x in only] == ["xIntent"]
    assert {i.text for i in only[0].items} == {"go hiking in winter", "cook dinner for friends"}
    kept = _group(q.intentions_by_concept(g, cid("warmth"), depth=0), "usedFor")
    everything = _group(q.intentions_by_concept(g, cid("warmth"), depth=0,
                                                 include_rejected=True), "usedFor")
    assert kept.items[0].subjects == 2
    assert everything.items[0].subjects == 3  # plus the rejected B05/B06 assertion


def test_intentions_by_concept_pages_inside_each_group(g: GraphStore) -> None:
    first = _group(q.intentions_by_concept(g, "condition", limit=1), "usedFor")
    second = _group(q.intentions_by_concept(g, "condition", skip=1, limit=1), "usedFor")
    assert first.total == second.total == 3
    assert [i.text for i in first.items] == ["stay warm outdoors"]
    assert [i.text for i in second.items] == ["feel cozy at home"]


def test_intentions_by_concept_unknown_name_is_not_found(g: GraphStore) -> None:
    with pytest.raises(q.NotFoundError, match="search-concepts"):
        q.intentions_by_concept(g, "no such concept")


def test_top_concepts_per_relation_and_category(g: GraphStore) -> None:
    top = q.top_concepts(g)
    assert top[0].name == "hiking" and top[0].assertions == 6
    clothing = q.top_concepts(g, category="Clothing")
    assert {c.name for c in clothing} == {"warmth", "hiking", "comfort", "body heat"}
    gifts = q.top_concepts(g, relations=["cobuyOpen"])
    assert [(c.name, c.assertions) for c in gifts] == [("gift", 1)]
    assert len(q.top_concepts(g, limit=2)) == 2


def test_concept_and_relation_stats(g: GraphStore) -> None:
    stats = {c.name: c for c in q.concept_stats(g, limit=100)}
    assert stats["condition"].children == 2 and stats["condition"].intentions == 0
    assert stats["warmth"].intentions == 2 and stats["warmth"].children == 1
    rel = {r.relation: r for r in q.relation_stats(g)}
    assert (rel["usedFor"].assertions, rel["usedFor"].kept, rel["usedFor"].intentions) == (7, 6, 5)
    assert rel["xIntent"].mean_filter_score is None
    assert rel["capableOf"].mean_filter_score == pytest.approx(0.7)


def test_search_concepts_is_case_insensitive(g: GraphStore) -> None:
    hits = q.search_concepts(g, "WAR")
    assert [(h.name, h.intentions, h.synset) for h in hits] == [("warmth", 2, "warmth.n.01")]
    assert q.search_concepts(g, "zzz") == []


def test_intentions_of_post_carry_provenance(g: GraphStore) -> None:
    rows = q.intentions_of_post(g, "twitter:1")
    assert [(a.relation, a.intention) for a in rows] == [
        ("xIntent", "go hiking in winter"), ("xWant", "stay warm outdoors")]
    first = rows[0]
    assert first.model == "sample-vlm" and first.prompt_version == "sample-v1"
    assert first.image_description == "a snowy mountain trail at dawn"
    assert first.intention_id == iid("go hiking in winter")
    assert q.intentions_of_post(g, "twitter:404") == []


def test_intentions_of_product_name_partners_and_hide_rejected(g: GraphStore) -> None:
    rows = q.intentions_of_product(g, "B01")
    assert rows[0].partner == "B03" and rows[0].filter_score == pytest.approx(0.95)
    assert {a.partner for a in rows} == {"B02", "B03", "B07"}
    assert [a.intention for a in q.intentions_of_product(g, "B06")] == ["give a birthday gift"]
    with_rejected = q.intentions_of_product(g, "B06", include_rejected=True)
    assert {(a.intention, a.keep) for a in with_rejected} == {
        ("give a birthday gift", True), ("stay warm outdoors", False)}


def test_bad_relation_names_are_query_errors(g: GraphStore) -> None:
    with pytest.raises(QueryError, match="unknown relation"):
        q.intentions_of_post(g, "twitter:1", relations=["wantsTo"])
