"""Full-text and vector search and the neighbourhood view on every store."""

from __future__ import annotations

import pytest
from queries_fixtures import KeywordEncoder, cid, iid, load

import queries as q
from kg.errors import QueryError
from kg.store.base import GraphStore


@pytest.fixture
def g(store: GraphStore) -> GraphStore:
    return load(store)


def test_search_intentions_full_text(g: GraphStore) -> None:
    hits = q.search_intentions(g, "warm")
    assert [h.text for h in hits] == ["stay warm outdoors"]
    assert hits[0].support >= 1 and hits[0].score > 0
    many = q.search_intentions(g, "cozy OR dinner; \"gift\"")  # operators are not syntax
    assert {h.text for h in many} == {"feel cozy at home", "cook dinner for friends",
                                      "give a birthday gift"}
    assert len(q.search_intentions(g, "cozy dinner gift", skip=1, limit=1)) == 1
    with pytest.raises(QueryError, match="word"):
        q.search_intentions(g, "!!!")
    with pytest.raises(QueryError, match="empty"):
        q.search_intentions(g, "   ")


def test_similar_intentions_vector_index(g: GraphStore) -> None:
    hits = q.similar_intentions(g, KeywordEncoder(), "a meal in a pan", limit=3)
    assert hits[0].text == "cook dinner for friends"
    assert hits[0].score == pytest.approx(1.0, abs=1e-3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    second = q.similar_intentions(g, KeywordEncoder(), "a meal in a pan", skip=1, limit=2)
    assert [h.id for h in second] == [h.id for h in hits[1:3]]
    with pytest.raises(QueryError, match="embedder"):
        q.similar_intentions(g, None, "warm")


def test_neighbourhood_of_an_intention(g: GraphStore) -> None:
    view = q.neighbourhood(g, "intention", iid("stay warm outdoors"))
    kinds = {n.id: n.kind for n in view.nodes}
    assert kinds[cid("warmth")] == "concept" and kinds[cid("condition")] == "concept"
    assert kinds["twitter:1"] == "post" and kinds["B03"] == "product"
    assert "B06" not in kinds  # only the rejected assertion links B05/B06
    types = {(e.source, e.type, e.target) for e in view.edges}
    assert (cid("warmth"), "IS_A", cid("condition")) in types
    assert ("twitter:1", "X_WANT", iid("stay warm outdoors")) in types
    assert all(e.source in kinds and e.target in kinds for e in view.edges)


def test_neighbourhood_of_concept_product_post(g: GraphStore) -> None:
    concept = q.neighbourhood(g, "concept", cid("warmth"))
    names = {n.label for n in concept.nodes}
    assert {"warmth", "condition", "body heat", "stay warm outdoors", "feel cozy at home"} == names
    product = q.neighbourhood(g, "product", "B04")
    assert {n.label for n in product.nodes if n.kind == "product"} == {
        "camping stove", "hiking boots", "cast iron pan"}
    post = q.neighbourhood(g, "post", "twitter:2", limit=1)
    assert sum(e.type != "ABOUT" for e in post.edges) == 1
    lonely = q.neighbourhood(g, "product", "B404")
    assert lonely.edges == [] and [n.id for n in lonely.nodes] == ["B404"]
    with pytest.raises(QueryError, match="kind"):
        q.neighbourhood(g, "cobuy", "x")  # type: ignore[arg-type]
