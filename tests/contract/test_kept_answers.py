"""The answers kept per (concept, depth) (kg.store.answers) equal the live queries.

On a generated graph: 40 concepts in a random IS_A forest plus a chain of seven
levels, 150 intentions, co-buys with filter scores (some rejected) and posts.
Checked for every concept, every depth and several pages, after the first load,
after a load of new rows (assertions under the bottom of the chain, a new ABOUT
link, a new IS_A edge) and after a re-load of the same rows.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from kg.ids import pair_id
from kg.records import Concept, Intention
from kg.relations import COBUY_RELATIONS, POST_RELATIONS
from kg.store import ANSWER_ROWS, SCOPE_DEPTH, GraphStore, load_cypher, refresh_stats
from kg.store.dialect import ASSERTION_PROPERTIES, assertion_edge_query
from queries._base import read
from queries.models import IntentionHit, ProductHit, RelationGroup
from queries.rankings import kept_products, ranked_by_concept

CHAIN = 7
CHAINED = 140
"""Intentions from here on are about the chain (one each), the others about the forest."""
PAGES = [(0, ANSWER_ROWS), (0, 1), (0, 3), (2, 5), (ANSWER_ROWS - 1, 1)]


def _concept(k: int) -> str:
    return Concept.make_id("wordnet", f"kept{k}")


def _chain(k: int) -> str:
    return Concept.make_id("wordnet", f"chain{k}")


class Generated:
    """A random graph written through the store's own Cypher."""

    def __init__(self, seed: int = 11) -> None:
        self.rng = np.random.default_rng(seed)
        self.concepts = [_concept(k) for k in range(40)]
        self.chain = [_chain(k) for k in range(CHAIN)]  # chain[0] is the top
        self.texts = [f"kept intention {k}" for k in range(150)]
        self.intentions = [Intention.make_id(t) for t in self.texts]
        self.products = [f"K{k:03d}" for k in range(60)]
        pairs: set[tuple[str, str]] = set()
        while len(pairs) < 150:
            a, b = sorted(self.rng.choice(len(self.products), 2, replace=False).tolist())
            pairs.add((self.products[a], self.products[b]))
        self.pairs = sorted(pairs)
        self.posts = [f"kept:{k}" for k in range(40)]
        self.n = 0

    def write(self, store: GraphStore, name: str, rows: list[dict[str, Any]]) -> None:
        store.write_rows(load_cypher("kg.store.cypher", name, store.dialect), rows)

    def assertion(self, subject: str, kind: str, relation: str, k: int,
                  score: float | None, keep: bool) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(ASSERTION_PROPERTIES)
        row.update(id=f"assertion:kept:{self.n}", subject_id=subject, relation=relation,
                   intention_id=self.intentions[k], text=self.texts[k], filter_score=score,
                   keep=keep, model="m", prompt_version="v1", _kind=kind)
        self.n += 1
        return row

    def assert_rows(self, store: GraphStore, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row = dict(row)
            kind = row.pop("_kind")
            store.write_rows(assertion_edge_query(row["relation"], kind), [row])

    def load(self, store: GraphStore) -> list[dict[str, Any]]:
        rng = self.rng
        self.write(store, "products", [{"id": p, "title": f"product {p}", "category": "c",
                                        "brand": None, "price": None, "description": None}
                                       for p in self.products])
        self.write(store, "posts", [{"id": p, "source": "kept", "source_id": p[5:],
                                     "text": p, "clean_text": p, "lang": "en",
                                     "created_at": "2024-01-01T00:00:00+00:00", "author": None,
                                     "label": None, "hashtags": []} for p in self.posts])
        self.write(store, "cobuys", [{"id": pair_id(a, b), "product_a": a, "product_b": b,
                                      "source": "kept", "category": "c"} for a, b in self.pairs])
        self.write(store, "intentions", [
            {"id": i, "text": t, "aliases": [], "support": 1 + k % 4, "abstract": False,
             "embedding": None} for k, (i, t) in enumerate(zip(self.intentions, self.texts,
                                                                 strict=True))])
        self.write(store, "concepts", [{"id": c, "name": c[-6:], "source": "wordnet",
                                        "synset": None, "gloss": None}
                                       for c in self.concepts + self.chain])
        is_a = [{"source_id": self.concepts[k], "target_id": self.concepts[int(rng.integers(k))],
                 "score": 1.0} for k in range(3, len(self.concepts))]
        is_a += [{"source_id": self.chain[k + 1], "target_id": self.chain[k], "score": 1.0}
                 for k in range(CHAIN - 1)]
        self.write(store, "is_a", is_a)
        about = [{"source_id": i, "target_id": self.concepts[int(c)],
                  "score": round(float(rng.uniform(0.2, 1.0)), 3)}
                 for i in self.intentions
                 for c in set(rng.integers(0, len(self.concepts), 2).tolist())]
        about += [{"source_id": self.intentions[CHAINED + k], "target_id": self.chain[k],
                   "score": 0.5} for k in range(CHAIN)]
        self.write(store, "about", about)
        rows = []
        for a, b in self.pairs:
            for rel in rng.choice(len(COBUY_RELATIONS), 2, replace=False).tolist():
                score = round(float(rng.uniform(0.1, 1.0)), 3)
                rows.append(self.assertion(pair_id(a, b), "cobuy", COBUY_RELATIONS[rel],
                                           int(rng.integers(0, CHAINED)), score, score > 0.3))
        for p in self.posts:
            for rel in rng.choice(len(POST_RELATIONS), 3, replace=False).tolist():
                rows.append(self.assertion(p, "post", POST_RELATIONS[rel],
                                           int(rng.integers(0, CHAINED)), None, True))
        for k in range(CHAIN):  # the chain's own intentions, from subjects no later load has
            rows.append(self.assertion(self.posts[-1], "post", "xWant", CHAINED + k, None, True))
            rows.append(self.assertion(pair_id(*self.pairs[-1]), "cobuy", "usedFor",
                                       CHAINED + k, 0.6, True))
        self.assert_rows(store, rows)
        refresh_stats(store)
        return rows

    def new_rows(self, store: GraphStore) -> list[dict[str, Any]]:
        """A later load: assertions on the intention about the bottom of the chain (five
        IS_A hops below the concept the test watches; nothing else of the chain is
        touched) and elsewhere, a new ABOUT link to the bottom and a new IS_A edge below
        it; the assertion rows, to load again."""
        bottom = CHAINED + CHAIN - 1
        rows = [self.assertion(pair_id(*self.pairs[j]), "cobuy", "usedFor", bottom, 0.9,
                               True) for j in range(5)]
        rows += [self.assertion(pair_id(*self.pairs[j]), "cobuy", "capableOf", 41, 0.7, True)
                 for j in range(5, 8)]
        rows.append(self.assertion(self.posts[0], "post", "xWant", bottom, None, True))
        self.assert_rows(store, rows)
        self.more_links(store)
        return rows

    def more_links(self, store: GraphStore) -> None:
        self.write(store, "about", [{"source_id": self.intentions[41],
                                     "target_id": self.chain[CHAIN - 1], "score": 0.8}])
        self.write(store, "is_a", [{"source_id": self.concepts[39],
                                    "target_id": self.chain[CHAIN - 1], "score": 1.0}])


def _answer_nodes(g: GraphStore) -> dict[str, dict[str, Any]]:
    return {r["p"]["id"]: r["p"] for r in g.read(
        "MATCH (a:ConceptAnswer) RETURN properties(a) AS p")}


def _dump(rows: list[Any]) -> str:
    return json.dumps([r.model_dump() for r in rows], indent=1)


def _live_intentions(g: GraphStore, concept: str, depth: int, skip: int, limit: int
                     ) -> list[RelationGroup]:
    params = {"concept_ids": [concept], "depth": depth, "relations": None,
              "include_rejected": False, "min_score": 0.0, "accepted_only": False,
              "skip": skip, "limit": limit}
    return [RelationGroup(relation=row["relation"], total=row["total"], items=[
        IntentionHit(relation=row["relation"], **item) for item in row["items"] or []])
        for row in read(g, "intentions_by_concept", params)]


def _live_products(g: GraphStore, concept: str, depth: int, skip: int, limit: int
                   ) -> list[ProductHit]:
    scope = [r["id"] for r in read(g, "concept_scope", {"concept_ids": [concept],
                                                        "depth": depth})]
    params = {"scope": scope, "relations": None, "include_rejected": False, "min_score": 0.0,
              "accepted_only": False, "skip": skip, "limit": limit}
    return [ProductHit(**row) for row in read(g, "products_for_concept", params)]


def _check_every_concept(g: GraphStore, graph: Generated) -> int:
    """Kept answers equal the live queries for every concept, depth and page; returns
    how many of them were not empty."""
    answered = 0
    for concept in graph.concepts + graph.chain:
        for depth in range(SCOPE_DEPTH + 1):
            for skip, limit in PAGES:
                kw: dict[str, Any] = {"depth": depth, "relations": None,
                                      "include_rejected": False, "skip": skip, "limit": limit}
                groups = ranked_by_concept(g, concept, **kw)
                products = kept_products(g, concept, **kw)
                assert groups is not None and products is not None, (concept, depth)
                assert _dump(groups) == _dump(
                    _live_intentions(g, concept, depth, skip, limit)), (concept, depth, skip)
                assert _dump(products) == _dump(
                    _live_products(g, concept, depth, skip, limit)), (concept, depth, skip)
                answered += bool(groups) + bool(products)
    return answered


@pytest.fixture
def graph(store: GraphStore) -> Generated:
    generated = Generated()
    generated.load(store)
    return generated


def test_kept_answers_equal_the_live_queries(store: GraphStore, graph: Generated) -> None:
    assert _check_every_concept(store, graph) > 500
    nodes = _answer_nodes(store)
    # one node per depth at which a scope grows: a leaf keeps depth 0 only
    assert {n["depth"] for n in nodes.values() if n["concept_id"] == graph.chain[-1]} == {0}
    assert {n["depth"] for n in nodes.values()
            if n["concept_id"] == graph.chain[0]} == set(range(SCOPE_DEPTH + 1))


def test_other_parameters_are_not_answered_from_the_kept_answers(
        store: GraphStore, graph: Generated) -> None:
    base: dict[str, Any] = {"depth": 2, "relations": None, "include_rejected": False,
                            "skip": 0, "limit": ANSWER_ROWS}
    top = graph.concepts[0]
    assert kept_products(store, top, **base) is not None
    for other in ({"relations": ["usedFor"]}, {"include_rejected": True},
                  {"skip": 1, "limit": ANSWER_ROWS}):
        assert kept_products(store, top, **{**base, **other}) is None
    store.write_rows("UNWIND $rows AS row MATCH (a:ConceptAnswer {concept_id: row.c}) "
                     "DETACH DELETE a", [{"c": top}])
    assert kept_products(store, top, **base) is None  # nothing kept: the helper runs live


def test_a_load_of_new_rows_updates_every_ancestor(store: GraphStore, graph: Generated) -> None:
    top, bottom = graph.chain[CHAIN - 1 - SCOPE_DEPTH], graph.chain[-1]
    kw: dict[str, Any] = {"depth": SCOPE_DEPTH, "relations": None, "include_rejected": False,
                          "skip": 0, "limit": ANSWER_ROWS}
    before = (_dump(ranked_by_concept(store, top, **kw) or []),
              _dump(kept_products(store, top, **kw) or []))
    rows = graph.new_rows(store)
    summary = refresh_stats(store)
    assert summary["stats:ConceptAnswer"].rows > 0
    after = (_dump(ranked_by_concept(store, top, **kw) or []),
             _dump(kept_products(store, top, **kw) or []))
    # the change five hops below reached the top's deepest answers
    assert after[0] != before[0] and after[1] != before[1]
    assert _dump(kept_products(store, bottom, **kw) or []) != "[]"
    _check_every_concept(store, graph)
    incremental = _answer_nodes(store)
    assert sum(s.rows for s in refresh_stats(store, full=True).values()) == 0
    assert _answer_nodes(store) == incremental
    # the same rows loaded again: nothing marked, nothing recomputed or written
    graph.assert_rows(store, rows)
    graph.more_links(store)
    assert sum(s.rows for s in refresh_stats(store).values()) == 0
    assert _answer_nodes(store) == incremental


def test_answers_missing_are_computed_by_the_next_refresh(store: GraphStore,
                                                          graph: Generated) -> None:
    kept = _answer_nodes(store)
    store.write_rows("UNWIND $rows AS row MATCH (a:ConceptAnswer {id: row.id}) DETACH DELETE a",
                     [{"id": i} for i in kept])
    summary = refresh_stats(store)
    assert summary["stats:ConceptAnswer"].rows == len(kept)
    assert _answer_nodes(store) == kept
