"""Latency of the query helpers on a generated graph in the embedded FalkorDB store.

Usage:
    .venv/bin/python bench/bench_queries.py            # ~1M edges
    .venv/bin/python bench/bench_queries.py --quick    # ~100k edges

Generates a graph shaped like a real build (Zipf-popular intentions, a concept
hierarchy, co-buys with two assertions each, posts with three), loads it through
the store's own upsert Cypher, then calls every helper on random anchors and
prints p50/p95/p99 latency in milliseconds, plus FalkorDB's GRAPH.EXPLAIN plan
of the main queries (look for "Node By Index Scan" on the anchors). Vector search
is timed with a pre-computed query vector (model encoding is reported apart).

The aggregates (kg.store.stats) are refreshed after the load, as ``intentkg load`` does,
and timed (then refreshed again: nothing changed, nothing is written; then 100 and 1,000
new assertions are written and each incremental refresh is timed, also after a re-load of
the same rows). The refresh logs how long its kept answers (kg.store.answers) took.

Targets: p95 <= 10 ms for single-hop helpers, <= 25 ms for intentions_by_concept and
products_for_concept, <= 50 ms for the other two-hop recommendations and for every
analyst aggregate (relation mix, top concepts, concept stats, trends).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import queries as q
from kg.ids import pair_id
from kg.records import Concept, Intention
from kg.relations import COBUY_RELATIONS, POST_RELATIONS
from kg.store import load_cypher, refresh_stats
from kg.store.dialect import ASSERTION_PROPERTIES, assertion_edge_query
from kg.store.falkordb import FalkorStore

Rows = list[dict[str, Any]] | Iterator[dict[str, Any]]
VERBS = ("stay", "keep", "go", "cook", "give", "feel", "mend", "clean", "build", "carry", "grow",
         "paint", "store", "wear", "play", "fix", "read", "plan", "share", "protect")
NOUNS = ("warm", "dry", "hiking", "dinner", "gift", "cozy", "clothes", "kitchen", "garden",
         "music", "camping", "baby", "office", "travel", "winter", "party", "pets", "books",
         "fitness", "coffee")


def zipf_choice(rng: np.random.Generator, n: int, size: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** a
    order = rng.permutation(n)
    return order[rng.choice(n, size=size, p=weights / weights.sum())]


class Graph:
    """Ids of the generated graph (the anchors the benchmark queries from)."""

    def __init__(self, scale: float, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.n_concepts = int(2000 * scale)
        self.n_intentions = int(50_000 * scale)
        self.n_products = int(60_000 * scale)
        self.n_cobuys = int(200_000 * scale)
        self.n_posts = int(50_000 * scale)
        self.concepts = [Concept.make_id("wordnet", f"concept{k}") for k in range(self.n_concepts)]
        self.texts = [f"{VERBS[k % 20]} {NOUNS[(k // 20) % 20]} {k}"
                      for k in range(self.n_intentions)]
        self.intentions = [Intention.make_id(t) for t in self.texts]
        self.products = [f"P{k:07d}" for k in range(self.n_products)]
        self.posts = [f"bench:{k}" for k in range(self.n_posts)]
        a = self.rng.integers(0, self.n_products, self.n_cobuys)
        b = (a + 1 + self.rng.integers(0, self.n_products - 1, self.n_cobuys)) % self.n_products
        self.pairs = [(self.products[x], self.products[y]) for x, y in zip(a, b, strict=True)]
        self.edges = 0

    def rows(self, dim: int) -> Iterator[tuple[str, Rows]]:
        rng = self.rng
        yield "products", [{"id": p, "title": f"product {p}", "category": f"cat{k % 20}",
                            "brand": None, "price": None, "description": None}
                           for k, p in enumerate(self.products)]
        yield "posts", [{"id": p, "source": "bench", "source_id": p[6:], "text": f"post {p}",
                         "clean_text": f"post {p}", "lang": "en",
                         "created_at": f"{2023 + k % 2}-{1 + k % 12:02d}-{1 + k % 28:02d}"
                                       f"T{k % 24:02d}:00:00+00:00",
                         "author": None, "label": None, "hashtags": []}
                        for k, p in enumerate(self.posts)]
        yield "cobuys", [{"id": pair_id(a, b), "product_a": min(a, b), "product_b": max(a, b),
                          "source": "bench", "category": f"cat{k % 20}"}
                         for k, (a, b) in enumerate(self.pairs)]
        self.edges += 2 * self.n_cobuys

        def intentions() -> Iterator[dict[str, Any]]:
            for k, text in enumerate(self.texts):
                vec = rng.standard_normal(dim).astype(np.float32)
                yield {"id": self.intentions[k], "text": text, "aliases": [],
                       "support": int(1 + k % 7), "abstract": False,
                       "embedding": (vec / np.linalg.norm(vec)).tolist()}
        yield "intentions", intentions()
        yield "concepts", [{"id": c, "name": f"concept{k}", "source": "wordnet",
                            "synset": None, "gloss": None} for k, c in enumerate(self.concepts)]
        roots = max(1, self.n_concepts // 100)
        yield "is_a", [{"source_id": self.concepts[k],
                        "target_id": self.concepts[int(rng.integers(0, k))], "score": 1.0}
                       for k in range(roots, self.n_concepts)]
        self.edges += self.n_concepts - roots
        about = []
        for k, iid in enumerate(self.intentions):
            for c in set(zipf_choice(rng, self.n_concepts, 1 + k % 2, 0.6).tolist()):
                about.append({"source_id": iid, "target_id": self.concepts[c],
                              "score": float(rng.uniform(0.3, 1.0))})
        self.edges += len(about)
        yield "about", about

    def assertions(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        rng = self.rng
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        subjects = [(pair_id(a, b), "cobuy", COBUY_RELATIONS, 2) for a, b in self.pairs]
        subjects += [(p, "post", POST_RELATIONS, 3) for p in self.posts]
        total = sum(s[3] for s in subjects)
        picks = iter(zipf_choice(rng, self.n_intentions, total, 0.8).tolist())
        n = 0
        for sid, kind, rels, count in subjects:
            for rel in rng.choice(len(rels), size=count, replace=False):
                i = next(picks)
                score = float(rng.uniform(0.2, 1.0))
                row = {p: None for p in ASSERTION_PROPERTIES}
                row.update(id=f"assertion:{n}", subject_id=sid, intention_id=self.intentions[i],
                           relation=rels[rel], text=self.texts[i], raw_text=self.texts[i],
                           filter_score=score if kind == "cobuy" else None,
                           keep=score > 0.35 or kind == "post", model="bench",
                           prompt_version="v1")
                out[(rels[rel], kind)].append(row)
                n += 1
        self.edges += n
        return out

    def new_assertions(self, relation: str, kind: str, count: int) -> list[dict[str, Any]]:
        """``count`` assertions of ``relation`` on random subjects of ``kind`` (a later load)."""
        rows = []
        for _ in range(count):
            i = int(self.rng.integers(0, self.n_intentions))
            subject = (self.posts[int(self.rng.integers(0, self.n_posts))] if kind == "post"
                       else pair_id(*self.pairs[int(self.rng.integers(0, self.n_cobuys))]))
            row = {p: None for p in ASSERTION_PROPERTIES}
            row.update(id=f"assertion:new:{relation}:{self.edges}", subject_id=subject,
                       intention_id=self.intentions[i], relation=relation, text=self.texts[i],
                       raw_text=self.texts[i], keep=True, model="bench", prompt_version="v1",
                       filter_score=0.8 if kind == "cobuy" else None)
            rows.append(row)
            self.edges += 1
        return rows


def load(store: FalkorStore, graph: Graph, dim: int) -> None:
    start = time.perf_counter()
    store.ensure_schema(dim)
    for name, rows in graph.rows(dim):
        t = time.perf_counter()
        s = store.write_rows(load_cypher("kg.store.cypher", name, "falkordb"), rows,
                             batch_size=5000)
        print(f"  loaded {name:<11} {s.rows:>9,} rows in {time.perf_counter() - t:6.1f} s")
    t = time.perf_counter()
    count = 0
    for (rel, kind), rows in graph.assertions().items():
        count += store.write_rows(assertion_edge_query(rel, kind), rows, batch_size=5000).rows
    print(f"  loaded assertions {count:>9,} rows in {time.perf_counter() - t:6.1f} s")
    t = time.perf_counter()
    written = sum(s.rows for s in refresh_stats(store).values())
    print(f"  aggregates        {written:>9,} rows in {time.perf_counter() - t:6.1f} s")
    t = time.perf_counter()
    again = sum(s.rows for s in refresh_stats(store).values())
    print(f"  aggregates again  {again:>9,} rows in {time.perf_counter() - t:6.1f} s "
          "(nothing changed)")
    for count in (100, 1000):
        rows = {(rel, kind): graph.new_assertions(rel, kind, count // 2)
                for rel, kind in (("xWant", "post"), ("usedFor", "cobuy"))}
        for (rel, kind), new in rows.items():
            store.write_rows(assertion_edge_query(rel, kind), new, batch_size=5000)
        t = time.perf_counter()
        summary = refresh_stats(store)
        added = sum(s.rows for s in summary.values())
        print(f"  aggregates after {count:,} new assertions: {added:,} rows in "
              f"{time.perf_counter() - t:6.1f} s (incremental; kept answers "
              f"{summary['stats:ConceptAnswer'].rows:,} rows)")
        for (rel, kind), new in rows.items():
            store.write_rows(assertion_edge_query(rel, kind), new, batch_size=5000)
        t = time.perf_counter()
        again = sum(s.rows for s in refresh_stats(store).values())
        print(f"  aggregates after the same {count:,} again: {again:,} rows in "
              f"{time.perf_counter() - t:6.1f} s (nothing changed)")
    print(f"graph: ~{graph.edges:,} edges, loaded in {time.perf_counter() - start:.1f} s")


def timed(name: str, n: int, call: Callable[[int], Any], budget_s: float = 30.0
          ) -> dict[str, float]:
    """Percentiles over ``n`` calls, or fewer (at least 20) when ``budget_s`` runs out."""
    call(0)  # warm caches and the query plan cache
    samples = []
    start = time.perf_counter()
    for k in range(1, n + 1):
        t = time.perf_counter()
        call(k)
        samples.append((time.perf_counter() - t) * 1000)
        if k >= 20 and time.perf_counter() - start > budget_s:
            break
    samples.sort()
    cut = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": statistics.median(samples), "p95": cut[94], "p99": cut[98],
            "max": samples[-1], "n": len(samples)}


class VectorOnly:
    """A pre-computed unit query vector per call: times the index, not the model."""

    def __init__(self, dim: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        v = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def explain(store: FalkorStore, name: str, params: dict[str, Any]) -> None:
    plan = store._graph.explain(load_cypher("queries.cypher", name, "falkordb"), params)
    print(f"\nGRAPH.EXPLAIN {name}:")
    print("\n".join(f"  {line}" for line in str(plan).splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~100k edges instead of ~1M")
    parser.add_argument("--scale", type=float, default=None,
                        help="graph size as a fraction of ~1M edges (overrides --quick)")
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--only", action="append", default=None, metavar="TEXT",
                        help="time only the helpers whose name contains TEXT (repeatable)")
    args = parser.parse_args()
    logging.basicConfig(format="    %(name)s: %(message)s", level=logging.WARNING)
    logging.getLogger("kg.store.stats_refresh").setLevel(logging.INFO)
    scale = args.scale or (0.1 if args.quick else 1.0)
    n = args.iterations or (100 if args.quick else 200)
    graph = Graph(scale)
    tmp = tempfile.TemporaryDirectory(prefix="bq", dir="/tmp")
    store = FalkorStore.open(args.data_dir or Path(tmp.name) / "db", graph="bench")
    try:
        store.clear()
        load(store, graph, args.dim)
        rng = np.random.default_rng(1)

        def pick(items: list[str]) -> Callable[[int], str]:
            return lambda _k: items[int(rng.integers(0, len(items)))]
        prod, post, inten, conc = (pick(graph.products), pick(graph.posts),
                                   pick(graph.intentions), pick(graph.concepts))
        word = pick(list(NOUNS))
        rels = list(COBUY_RELATIONS)
        vec = VectorOnly(args.dim, 3)
        cases: list[tuple[str, str, Callable[[int], Any]]] = [
            ("single-hop", "intentions_of_post", lambda k: q.intentions_of_post(store, post(k))),
            ("single-hop", "intentions_of_product",
             lambda k: q.intentions_of_product(store, prod(k))),
            ("single-hop", "products_for_intention",
             lambda k: q.products_for_intention(store, inten(k))),
            ("single-hop", "search_intentions", lambda k: q.search_intentions(store, word(k))),
            ("single-hop", "similar_intentions (index only)",
             lambda k: q.similar_intentions(store, vec, "x")),
            ("single-hop", "neighbourhood(intention)",
             lambda k: q.neighbourhood(store, "intention", inten(k))),
            ("single-hop", "neighbourhood(product)",
             lambda k: q.neighbourhood(store, "product", prod(k))),
            ("single-hop", "search_concepts (label scan)",
             lambda k: q.search_concepts(store, f"concept{k % 97}")),
            ("two-hop", "intentions_by_concept(depth=2)",
             lambda k: q.intentions_by_concept(store, conc(k), depth=2)),
            ("two-hop", "products_for_concept(depth=2)",
             lambda k: q.products_for_concept(store, conc(k), depth=2)),
            ("two-hop", "why_bought_together",
             lambda k: q.why_bought_together(
                 store, *graph.pairs[int(rng.integers(0, len(graph.pairs)))])),
            ("two-hop", "similar_products(intentions)",
             lambda k: q.similar_products(store, prod(k), via_concepts=False)),
            ("two-hop", "similar_products(+concepts)",
             lambda k: q.similar_products(store, prod(k), via_concepts=True)),
            ("two-hop", "recommend_for_basket(3)",
             lambda k: q.recommend_for_basket(store, [prod(k), prod(k), prod(k)])),
            ("analytics", "relation_stats", lambda k: q.relation_stats(store)),
            ("analytics", "top_concepts", lambda k: q.top_concepts(store)),
            ("analytics", "top_concepts(relation)",
             lambda k: q.top_concepts(store, relations=[rels[k % len(rels)]])),
            ("analytics", "top_concepts(category)",
             lambda k: q.top_concepts(store, category=f"cat{k % 20}")),
            ("analytics", "concept_stats", lambda k: q.concept_stats(store)),
            ("analytics", "intentions_trend(month)",
             lambda k: q.intentions_trend(store, conc(k))),
            ("analytics", "concept_children", lambda k: q.concept_children(store, conc(k))),
            ("analytics", "graph_summary", lambda k: q.graph_summary(store)),
        ]
        print(f"\n{'kind':<11} {'helper':<34} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} "
              f"{'calls':>6}  (ms)")
        for kind, name, call in cases:
            if args.only and not any(text in name for text in args.only):
                continue
            r = timed(name, n, call)
            print(f"{kind:<11} {name:<34} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} "
                  f"{r['max']:8.2f} {r['n']:6.0f}")
        try:
            if args.only:
                raise RuntimeError("--only given")
            from kg.embed import SentenceTransformerEmbedder

            model = SentenceTransformerEmbedder()
            r = timed("encode", 50, lambda k: model.encode([f"stay warm outdoors {k}"]))
            print(f"{'model':<11} {'MiniLM encode (1 query)':<34} {r['p50']:8.2f} {r['p95']:8.2f} "
                  f"{r['p99']:8.2f} {r['max']:8.2f}")
        except Exception as exc:  # the model is optional for this benchmark
            print(f"model encode not timed: {exc}")
        base = {"relations": None, "include_rejected": False, "min_score": 0.0,
                "accepted_only": False, "skip": 0, "limit": 20}
        explain(store, "intentions_of_post", {**base, "id": graph.posts[0]})
        explain(store, "products_for_intention", {**base, "intention_id": graph.intentions[0]})
        explain(store, "intentions_by_concept",
                {**base, "concept_ids": [graph.concepts[0]], "depth": 2})
        explain(store, "concept_scope", {"concept_ids": graph.concepts[:1], "depth": 2})
        explain(store, "products_for_concept",
                {**base, "scope": graph.concepts[:3]})
        explain(store, "similar_products_intention",
                {"product_id": graph.products[0], "relations": None, "include_rejected": False,
                 "min_score": 0.0, "accepted_only": False, "decay": 0.5,
                 "max_degree": q.DEFAULT_MAX_DEGREE, "candidates": 200})
        explain(store, "why_shared", {"a": graph.pairs[0][0], "b": graph.pairs[1][0],
                                      "cobuy_id": pair_id(*graph.pairs[0]),
                                      "include_rejected": False, "limit": 10})
    finally:
        store.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
