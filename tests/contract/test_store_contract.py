"""The same cases on every graph store (see conftest.py for which stores run)."""

from __future__ import annotations

from typing import Any

import pytest
from store_rows import AWKWARD, EXPECTED_CREATED, LONG, SAMPLE_ROWS, assertion

from kg.errors import StoreError
from kg.relations import REGISTRY
from kg.store import dialect as d
from kg.store.base import GraphStore, WriteSummary
from kg.store.cypher_files import cypher_names, load_cypher

PACKAGE = "kg.store.cypher"


def load_all(store: GraphStore) -> dict[str, WriteSummary]:
    return {name: store.write_rows(load_cypher(PACKAGE, name, store.dialect), rows, batch_size=1)
            for name, rows in SAMPLE_ROWS.items()}


def count(store: GraphStore, query: str, params: dict[str, Any] | None = None) -> int:
    return int(store.read(query, params)[0]["c"])


def test_every_cypher_file_has_sample_rows() -> None:
    assert set(cypher_names(PACKAGE)) == set(SAMPLE_ROWS) == set(EXPECTED_CREATED)


def test_schema_is_idempotent(store: GraphStore) -> None:
    store.ensure_schema(4)
    store.ensure_schema(4)
    store.ensure_schema(None)
    with pytest.raises(StoreError):
        store.write("CREATE (:Post {id: 'dup'}) CREATE (:Post {id: 'dup'})")
    assert count(store, "MATCH (p:Post) RETURN count(p) AS c") == 0


def test_upserts_create_then_match(store: GraphStore) -> None:
    first = load_all(store)
    for name, (nodes, edges) in EXPECTED_CREATED.items():
        created = (first[name].nodes_created, first[name].relationships_created)
        assert created == (nodes, edges), name
        assert first[name].rows == len(SAMPLE_ROWS[name])
    second = load_all(store)
    for name, summary in second.items():
        assert (summary.nodes_created, summary.relationships_created) == (0, 0), name
    assert count(store, "MATCH (n) RETURN count(n) AS c") == sum(
        n for n, _ in EXPECTED_CREATED.values())
    assert count(store, "MATCH ()-[r]->() RETURN count(r) AS c") == sum(
        e for _, e in EXPECTED_CREATED.values())


def test_upserted_properties_round_trip(store: GraphStore) -> None:
    load_all(store)
    post = store.read("MATCH (p:Post {id: $id}) RETURN p", {"id": "twitter:1"})[0]["p"]
    assert post["text"] == AWKWARD
    assert post["clean_text"] == LONG
    assert post["keywords"] == ["warm", "socks"]
    assert post["key_emotion"] == "joy"
    product = store.read("MATCH (p:Product {id: 'B001'}) RETURN p.feature_description AS f, "
                         "p.price AS price")[0]
    assert product == {"f": "wool socks", "price": 9.99}
    owners = store.read("MATCH (o)-[:HAS_IMAGE]->(i:Image) RETURN o.id AS o, i.id AS i "
                        "ORDER BY o")
    assert owners == [{"o": "B001", "i": "image:2"}, {"o": "twitter:1", "i": "image:1"}]
    abstract = store.read("MATCH (:Intention {id: 'intention:warm'})-[:INSTANCE_OF]->(a) "
                          "RETURN a.abstract AS abstract, a.id AS id")
    assert abstract == [{"abstract": True, "id": "intention:warmth"}]
    chain = store.read("MATCH (:Intention)-[:ABOUT]->(c:Concept)-[:IS_A]->(p:Concept) "
                       "RETURN c.gloss AS gloss, p.name AS parent")
    assert chain == [{"gloss": AWKWARD, "parent": "temperature"}]


@pytest.mark.parametrize("relation", sorted(REGISTRY))
def test_assertion_edge_for_every_relation(store: GraphStore, relation: str) -> None:
    rel = REGISTRY[relation]
    load_all(store)
    subject = "twitter:1" if rel.domain == "post" else "cobuy:1"
    query = d.assertion_edge_query(relation, rel.domain)
    rows = [assertion(1, subject, "intention:warm", relation=relation),
            assertion(2, subject, "intention:warm", relation=relation, text="stay warm"),
            assertion(3, subject, "intention:missing", relation=relation)]
    first = store.write_rows(query, rows)
    assert (first.nodes_created, first.relationships_created) == (0, 2)
    again = store.write_rows(query, rows)
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    found = store.read(f"MATCH (s {{id: $s}})-[r:{rel.graph_type}]->(i:Intention) "
                       "RETURN r.id AS id, r.raw_text AS raw, r.keep AS keep ORDER BY id",
                       {"s": subject})
    assert found == [{"id": "assertion:1", "raw": AWKWARD, "keep": True},
                     {"id": "assertion:2", "raw": AWKWARD, "keep": True}]


def test_vector_knn_order(store: GraphStore) -> None:
    load_all(store)
    rows = store.read(d.vector_query(store.dialect), {"vector": [0.9, 0.1, 0.0, 0.0], "k": 3})
    assert [r["id"] for r in rows] == ["intention:warm", "intention:mid", "intention:cook"]
    sims = [r["similarity"] for r in rows]
    assert sims == sorted(sims, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in sims)
    exact = store.read(d.vector_query(store.dialect), {"vector": [0.0, 2.0, 0.0, 0.0], "k": 1})
    assert exact[0]["id"] == "intention:cook"
    assert exact[0]["similarity"] == pytest.approx(1.0, abs=1e-4)
    opposite = store.read(d.vector_query(store.dialect), {"vector": [0.0, -1.0, 0.0, 0.0],
                                                          "k": 3})
    assert opposite[-1]["id"] == "intention:cook"
    assert opposite[-1]["similarity"] == pytest.approx(0.0, abs=1e-4)


def test_fulltext_search(store: GraphStore) -> None:
    load_all(store)
    query = d.fulltext_query(store.dialect)
    hits = store.read(query, {"query": d.fulltext_terms("winter (hikes)!", store.dialect),
                              "limit": 10})
    assert [h["id"] for h in hits] == ["intention:warm"]
    both = store.read(query, {"query": d.fulltext_terms("dinner OR: winter", store.dialect),
                              "limit": 10})
    assert {h["id"] for h in both} == {"intention:warm", "intention:cook"}
    none = store.read(query, {"query": d.fulltext_terms("zzzqqq", store.dialect), "limit": 10})
    assert none == []


def test_read_is_read_only(store: GraphStore) -> None:
    with pytest.raises(StoreError):
        store.read("CREATE (:Post {id: 'sneaky'})")
    assert count(store, "MATCH (n) RETURN count(n) AS c") == 0
    assert store.read("MATCH (n:Post) RETURN n.id AS id") == []


@pytest.mark.parametrize("value", [
    AWKWARD, LONG, "'", '"', "\\", "\\'", "'\\", "\\\\\"", "", "\t\r\n", "🧣" * 3000,
    "MATCH (n) DETACH DELETE n //", "$rows", "null",
])
def test_awkward_parameters_round_trip(store: GraphStore, value: str) -> None:
    short_id = value[:200].strip() or "blank"
    summary = store.write("MERGE (p:Post {id: $id}) SET p.text = $text",
                          {"id": short_id, "text": value})
    assert summary.nodes_created == 1
    got = store.read("MATCH (p:Post {id: $id}) RETURN p.text AS text", {"id": short_id})
    assert got == [{"text": value}]


def test_overlong_ids_are_refused(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="over the"):
        store.write("MERGE (p:Post {id: $id})", {"id": LONG})
    with pytest.raises(StoreError, match="over the"):
        store.write_rows(load_cypher(PACKAGE, "posts", store.dialect),
                         [{**SAMPLE_ROWS["posts"][1], "id": "é" * 2001}])
    assert count(store, "MATCH (n) RETURN count(n) AS c") == 0


@pytest.mark.parametrize("bad", ["", " ", "\t", " a", "a ", "\ra", "a\n"])
def test_blank_or_padded_ids_are_refused(store: GraphStore, bad: str) -> None:
    with pytest.raises(StoreError, match="whitespace"):
        store.write("MERGE (p:Post {id: $id})", {"id": bad})
    with pytest.raises(StoreError, match="whitespace"):
        store.write_rows(d.assertion_edge_query("xIntent", "post"),
                         [assertion(1, "twitter:1", bad)])
    store.write("MERGE (p:Post {id: $id})", {"id": "still alive"})
    assert count(store, "MATCH (n) RETURN count(n) AS c") == 1


def test_parameter_maps_and_lists(store: GraphStore) -> None:
    rows = [{"id": f"p{i}", "text": AWKWARD * (i + 1), "hashtags": [AWKWARD, LONG]}
            for i in range(50)]
    summary = store.write_rows("UNWIND $rows AS row MERGE (p:Post {id: row.id}) "
                               "SET p.text = row.text, p.hashtags = row.hashtags", rows,
                               batch_size=7)
    assert (summary.rows, summary.nodes_created) == (50, 50)
    got = store.read("MATCH (p:Post {id: 'p49'}) RETURN p.text AS t, p.hashtags AS h")
    assert got == [{"t": AWKWARD * 50, "h": [AWKWARD, LONG]}]


def test_bad_query_raises_store_error(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="rejected"):
        store.read("MATCH (n RETURN n")
    with pytest.raises(StoreError):
        store.write_rows("UNWIND $rows AS row RETURN row", [{"a": 1}], batch_size=0)


def test_vector_knn_survives_reloads_and_updates(store: GraphStore) -> None:
    load_all(store)
    load_all(store)
    store.write("MATCH (n:Intention) SET n.touched = true")
    for vector, best in (([1.0, 0.0, 0.0, 0.0], "intention:warm"),
                         ([0.0, 1.0, 0.0, 0.0], "intention:cook")):
        rows = store.read(d.vector_query(store.dialect), {"vector": vector, "k": 1})
        assert [r["id"] for r in rows] == [best]
    rows = store.read(d.vector_query(store.dialect), {"vector": [0.5, 0.5, 0.0, 0.0], "k": 3})
    assert len(rows) == 3
