"""Filter score and human acceptance (``min_score``, ``accepted_only``) on every store.

The sample graph (testkit.sample) has co-buy filter scores 0.1..0.95, posts without
a filter (null score: counts as 1) and four judged assertions (``SAMPLE_JUDGED``).
"""

from __future__ import annotations

import pytest
from queries_fixtures import load
from testkit.sample import SAMPLE_JUDGED

import queries as q
from kg.errors import QueryError
from kg.store.base import GraphStore
from queries._base import read


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    return load(store)


def _groups(groups: list[q.RelationGroup]) -> dict[str, list[tuple[str, int]]]:
    return {x.relation: [(i.text, i.subjects) for i in x.items] for x in groups}


def test_the_edge_count_agrees_with_the_kept_rankings(g: GraphStore) -> None:
    # 0.05 passes every assertion but the rejected one (0.1 is rejected anyway), so
    # the live edge count must give exactly what the kept rankings give
    for rejected in (False, True):
        kept = q.intentions_by_concept(g, "condition", include_rejected=rejected)
        live = q.intentions_by_concept(g, "condition", include_rejected=rejected,
                                       min_score=0.05)
        assert live == kept


@pytest.mark.parametrize("kw", [
    {}, {"depth": 0}, {"depth": 5}, {"include_rejected": True}, {"skip": 1, "limit": 1},
    {"relations": ["usedFor", "xWant"]}])
def test_the_edge_query_with_no_filter_is_the_stat_query(g: GraphStore,
                                                        kw: dict[str, object]) -> None:
    ids = [r["id"] for r in g.read("MATCH (c:Concept) RETURN c.id AS id ORDER BY id")]
    for concept_id in ids:
        params = {"concept_ids": [concept_id], "depth": 2, "relations": None,
                  "include_rejected": False, "min_score": 0.0, "accepted_only": False,
                  "skip": 0, "limit": 20, **kw}
        assert read(g, "intentions_by_concept_edges", params) == read(
            g, "intentions_by_concept", params), concept_id


def test_intentions_by_concept_min_score(g: GraphStore) -> None:
    groups = _groups(q.intentions_by_concept(g, "condition", min_score=0.9))
    # co-buys below 0.9 drop out (cozy 0.8, heat 0.75); posts have no score and stay
    assert groups == {"usedFor": [("stay warm outdoors", 2)],
                      "xWant": [("stay warm outdoors", 1)],
                      "oReact": [("feel cozy at home", 1)]}
    above = _groups(q.intentions_by_concept(g, "condition", min_score=0.92))
    assert above["usedFor"] == [("stay warm outdoors", 1)]  # only the 0.95 co-buy
    # a rejected assertion counts with include_rejected when its score passes
    low = _groups(q.intentions_by_concept(g, "warmth", depth=0, min_score=0.05,
                                          include_rejected=True))
    assert low["usedFor"][0] == ("stay warm outdoors", 3)
    assert _groups(q.intentions_by_concept(g, "warmth", depth=0, min_score=0.2,
                                           include_rejected=True))["usedFor"][0] == (
        "stay warm outdoors", 2)


def test_intentions_by_concept_accepted_only(g: GraphStore) -> None:
    groups = q.intentions_by_concept(g, "condition", accepted_only=True)
    assert _groups(groups) == {"usedFor": [("stay warm outdoors", 1), ("feel cozy at home", 1)],
                               "xWant": [("stay warm outdoors", 1)]}
    assert [x.total for x in groups] == [2, 1]
    both = q.intentions_by_concept(g, "condition", accepted_only=True, min_score=0.85)
    assert _groups(both) == {"usedFor": [("stay warm outdoors", 1)],
                             "xWant": [("stay warm outdoors", 1)]}


def test_products_for_concept_and_intention(g: GraphStore) -> None:
    every = {p.id: (p.cobuys, round(p.score, 2)) for p in q.products_for_concept(g, "warmth")}
    assert every == {"B01": (3, 2.65), "B03": (2, 1.7), "B07": (2, 1.55), "B02": (1, 0.9)}
    high = {p.id: (p.cobuys, round(p.score, 2))
            for p in q.products_for_concept(g, "warmth", min_score=0.85)}
    assert high == {"B01": (2, 1.85), "B03": (1, 0.95), "B02": (1, 0.9)}
    accepted = q.products_for_concept(g, "warmth", accepted_only=True)
    assert [(p.id, round(p.score, 2)) for p in accepted] == [
        ("B01", 1.7), ("B02", 0.9), ("B07", 0.8)]
    assert set(accepted[2].intentions) == {"feel cozy at home"}

    warm = q.products_for_intention(g, "stay warm outdoors")
    assert [p.id for p in warm.products] == ["B01", "B03", "B02"]
    judged = q.products_for_intention(g, "stay warm outdoors", accepted_only=True)
    assert [(p.id, p.cobuys) for p in judged.products] == [("B01", 1), ("B02", 1)]
    assert q.products_for_intention(g, "stay warm outdoors", min_score=0.96).products == []


def test_the_product_and_post_views(g: GraphStore) -> None:
    rows = q.intentions_of_product(g, "B01", min_score=0.9)
    assert [(a.partner, a.filter_score) for a in rows] == [("B03", 0.95), ("B02", 0.9)]
    assert [a.accepted for a in rows] == [False, True]  # the verdict is shown
    assert {(a.partner, a.intention) for a in q.intentions_of_product(
        g, "B01", accepted_only=True)} == {("B02", "stay warm outdoors"),
                                           ("B07", "feel cozy at home")}
    post = q.intentions_of_post(g, "twitter:1", min_score=1.0)  # no filter ran: both stay
    assert [(a.relation, a.accepted) for a in post] == [("xIntent", None), ("xWant", True)]
    assert [a.relation for a in q.intentions_of_post(g, "twitter:1", accepted_only=True)] == [
        "xWant"]
    judged_cobuys = [k for k in SAMPLE_JUDGED if k[0].startswith("B")]
    assert sum(a.accepted is not None for p in ("B01", "B02", "B03", "B07")
               for a in q.intentions_of_product(g, p)) == 2 * len(judged_cobuys)  # both ends


def test_top_concepts_count_only_passing_assertions(g: GraphStore) -> None:
    high = {c.name: c.assertions for c in q.top_concepts(g, min_score=0.9)}
    assert high == {"hiking": 4, "warmth": 4, "cooking": 1, "gift": 1, "comfort": 1}
    accepted = {c.name: c.assertions for c in q.top_concepts(g, accepted_only=True)}
    assert accepted == {"warmth": 3, "hiking": 2, "comfort": 1}
    assert {c.name: c.assertions for c in q.top_concepts(g, min_score=0.05)} == {
        c.name: c.assertions for c in q.top_concepts(g)}  # the cells and the edges agree


def test_recommenders_follow_only_passing_assertions(g: GraphStore) -> None:
    assert [r.id for r in q.similar_products(g, "B01", accepted_only=True)] == ["B02", "B07"]
    high = q.similar_products(g, "B01", min_score=0.9)
    assert [r.id for r in high] == ["B03", "B02"]
    assert high[0].score == pytest.approx(0.95 + 0.5 * 0.9 * 0.95)
    assert q.recommend_for_basket(g, ["B01", "B02"])
    assert q.recommend_for_basket(g, ["B01", "B02"], accepted_only=True) == []


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_bad_min_score_is_a_query_error(g: GraphStore, bad: object) -> None:
    with pytest.raises(QueryError, match=r"min_score must be a number in 0\.\.1"):
        q.intentions_by_concept(g, "condition", min_score=bad)  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="min_score"):
        q.products_for_concept(g, "condition", min_score=bad)  # type: ignore[arg-type]


def test_concept_children_count_only_passing_assertions(g: GraphStore) -> None:
    for concept in ("condition", "activity", "warmth"):
        for rejected in (False, True):  # the live count agrees with the cells
            assert q.concept_children(g, concept, include_rejected=rejected, min_score=0.05) == \
                q.concept_children(g, concept, include_rejected=rejected), concept
    high = {c.name: (c.assertions, c.intentions, c.children)
            for c in q.concept_children(g, "condition", min_score=0.9)}
    # warmth: warm from B01/B02, B01/B03 and twitter:1, cozy from twitter:2
    assert high == {"warmth": (4, 2, 1), "comfort": (1, 1, 0)}
    accepted = q.concept_children(g, "condition", accepted_only=True)
    assert [(c.name, c.assertions) for c in accepted] == [("warmth", 3), ("comfort", 1)]
    assert [(c.name, c.assertions) for c in q.concept_children(
        g, "activity", accepted_only=True)] == [("hiking", 2), ("cooking", 0)]
