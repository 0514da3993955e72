"""Recommender helpers on every store, over the sample graph (testkit.sample)."""

from __future__ import annotations

import pytest
from queries_fixtures import iid, load

import queries as q
from kg.errors import QueryError
from kg.ids import pair_id
from kg.store.base import GraphStore


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    return load(store)


def test_similar_products_ranks_direct_and_shared_paths(g: GraphStore) -> None:
    recs = q.similar_products(g, "B01", via_concepts=True)
    assert [r.id for r in recs] == ["B02", "B03", "B07", "B04"]
    assert [r.direct for r in recs] == [True, True, True, False]  # B04 shares "go hiking"
    top = recs[0]
    assert top.direct and top.title == "hiking boots"
    # direct: 0.9 (warm) + 0.8 (hike); shared "stay warm outdoors" via B01-B03: 0.5*0.95*0.9;
    # shared concept "hiking" (warm <-> hike) and "warmth" (cozy <-> warm) paths add the rest
    assert top.score > 0.9 + 0.8 + 0.5 * 0.95 * 0.9
    assert top.explanations[0].intention == "stay warm outdoors"
    assert top.explanations[0].weight == pytest.approx(0.9 + 0.5 * 0.95 * 0.9)
    plain = q.similar_products(g, "B01")[0]
    # direct 0.9 + 0.8; "stay warm" shared with B01-B03; "go hiking" shared with B02-B04
    assert plain.score == pytest.approx(0.9 + 0.8 + 0.5 * 0.95 * 0.9 + 0.5 * 0.8 * 0.7)
    assert plain.paths == 4
    weights = [e.weight for e in top.explanations]
    assert weights == sorted(weights, reverse=True) and len(weights) <= 3


def test_similar_products_reaches_further_through_concepts(g: GraphStore) -> None:
    plain = {r.id: r for r in q.similar_products(g, "B04")}
    assert set(plain) == {"B01", "B02", "B05"}
    assert plain["B01"].direct is False
    assert plain["B01"].explanations[0].intention == "go hiking in winter"
    wide = {r.id: r for r in q.similar_products(g, "B04", via_concepts=True)}
    assert "B03" in wide  # only "hiking" links the stove's hike intention to the gloves
    assert wide["B03"].explanations[0].concept == "hiking"
    assert wide["B03"].explanations[0].intention == "stay warm outdoors"
    assert wide["B03"].score == pytest.approx(0.25 * 0.7 * 0.95 * 0.9 * 0.5)


def test_similar_products_skip_rejected_and_page(g: GraphStore) -> None:
    assert {r.id for r in q.similar_products(g, "B05", via_concepts=False)} == {"B04", "B06"}
    wide = {r.id for r in q.similar_products(g, "B05", via_concepts=False,
                                             include_rejected=True)}
    assert {"B01", "B02", "B03"} <= wide
    all_recs = q.similar_products(g, "B01")
    assert q.similar_products(g, "B01", skip=1, limit=1) == all_recs[1:2]
    assert q.similar_products(g, "B404") == []
    with pytest.raises(QueryError, match="decay"):
        q.similar_products(g, "B01", decay=0)


def test_similar_products_follow_only_asked_relations(g: GraphStore) -> None:
    recs = q.similar_products(g, "B02", relations=["capableOf"], via_concepts=False)
    assert [r.id for r in recs] == ["B04"]


def test_why_bought_together_direct_and_shared(g: GraphStore) -> None:
    why = q.why_bought_together(g, "B02", "B01")
    assert why.bought_together and why.cobuy_id == pair_id("B01", "B02")
    assert [a.intention for a in why.direct] == ["stay warm outdoors", "go hiking in winter"]
    apart = q.why_bought_together(g, "B02", "B03")
    assert not apart.bought_together and apart.direct == []
    assert [e.intention for e in apart.shared] == ["stay warm outdoors"]
    assert apart.shared[0].weight == pytest.approx(0.9 * 0.95)
    with pytest.raises(QueryError, match="two different products"):
        q.why_bought_together(g, "B01", "B01")


def test_products_for_intention_by_text_or_id(g: GraphStore) -> None:
    res = q.products_for_intention(g, "Stay warm outdoors.")
    assert res.intention_id == iid("stay warm outdoors")
    assert [(p.id, p.cobuys) for p in res.products] == [("B01", 2), ("B03", 1), ("B02", 1)]
    assert res.products[0].score == pytest.approx(0.9 + 0.95)
    by_id = q.products_for_intention(g, iid("stay warm outdoors"), include_rejected=True)
    assert {p.id for p in by_id.products} == {"B01", "B02", "B03", "B05", "B06"}
    assert q.products_for_intention(g, "mend torn clothes").products == []
    # a phrase the build merged into another intention finds that intention (its alias)
    assert q.products_for_intention(g, "To keep warm outdoors.").intention_id == \
        iid("stay warm outdoors")
    with pytest.raises(q.NotFoundError):
        q.products_for_intention(g, "fly to the moon")


def test_products_for_concept_descends_is_a(g: GraphStore) -> None:
    hits = q.products_for_concept(g, "condition")
    # "feel cozy at home" is about comfort and warmth, both under condition: it counts once
    # (B01: warm 0.9 + 0.95, cozy 0.8; B03: warm 0.95, heat 0.75; B07: cozy 0.8, heat 0.75)
    assert [(h.id, round(h.score, 6)) for h in hits][:3] == [
        ("B01", 2.65), ("B03", 1.7), ("B07", 1.55)]
    assert hits[0].cobuys == 3
    shallow = {h.id for h in q.products_for_concept(g, "condition", depth=1)}
    deep = {h.id for h in q.products_for_concept(g, "warmth", depth=1)}
    assert "B07" in shallow and deep == {"B01", "B02", "B03", "B07"}
    assert q.products_for_concept(g, "gift", limit=1)[0].intentions == ["give a birthday gift"]


def test_similar_products_do_not_pass_through_hubs(g: GraphStore) -> None:
    # "go hiking in winter" has 3 incoming edges (two co-buys and a post)
    assert {r.id for r in q.similar_products(g, "B04", via_concepts=False,
                                             max_degree=3)} == {"B01", "B02", "B05"}
    capped = q.similar_products(g, "B04", via_concepts=False, max_degree=2)
    assert {r.id for r in capped} == {"B02", "B05"} and all(r.direct for r in capped)
    with pytest.raises(QueryError, match="max_degree"):
        q.similar_products(g, "B04", max_degree=0)


def test_recommend_for_basket_follows_the_intentions_the_basket_shares(g: GraphStore) -> None:
    recs = q.recommend_for_basket(g, ["B01", "B04"])
    assert [r.id for r in recs] == ["B02"]  # only "go hiking in winter" is shared
    (b02,) = recs
    assert b02.score == pytest.approx(0.8 * 0.8 + 0.8 * 0.7) and b02.paths == 2
    assert {e.intention for e in b02.explanations} == {"go hiking in winter"}
    assert {e.relation for e in b02.explanations} == {"usedFor", "capableOf"}
    assert all(e.via == ["B01", "B04"] for e in b02.explanations)


def test_recommend_for_basket_of_one_and_its_bounds(g: GraphStore) -> None:
    recs = q.recommend_for_basket(g, ["B01"])
    assert "B01" not in {r.id for r in recs}
    assert {"B02", "B03", "B04", "B07"} <= {r.id for r in recs}
    assert q.recommend_for_basket(g, ["B01", "B01"]) == recs  # duplicates count once
    assert q.recommend_for_basket(g, ["B404", "B405"]) == []
    with pytest.raises(QueryError, match="at least one"):
        q.recommend_for_basket(g, [])
    with pytest.raises(QueryError, match="at most"):
        q.recommend_for_basket(g, [f"B{k}" for k in range(q.MAX_BASKET + 1)])
