"""Upsert throughput of the embedded FalkorDB store, and the cost of a no-op re-load.

Generates posts, intentions (with embeddings) and assertion edges, writes them
with the project's own Cypher (``kg/store/cypher`` + ``dialect.assertion_edge_query``)
through ``FalkorStore.write_rows`` and prints rows/s per step. Then writes the
same rows again (every MERGE matches; nothing is created) and prints that time.

    .venv/bin/python bench/bench_load.py            # 200k intentions, 1M edges
    .venv/bin/python bench/bench_load.py --quick    # 10k intentions, 50k edges
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.records import Intention
from kg.relations import POST_RELATIONS
from kg.store import dialect as d
from kg.store.base import WriteSummary
from kg.store.cypher_files import load_cypher
from kg.store.falkordb import FalkorStore

TARGET_ROWS_PER_S = 35_000


def posts(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"id": f"bench:{i}", "source": "bench", "source_id": str(i),
               "text": f"post {i} about winter hikes", "clean_text": f"post {i}",
               "lang": "en", "created_at": None, "author": None, "label": None, "hashtags": []}


def intentions(n: int, dim: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        text = f"intention number {i}"
        emb = [round(rng.uniform(-1, 1), 6) for _ in range(dim)] if dim else None
        yield {"id": Intention.make_id(text), "text": text, "aliases": [], "support": 1,
               "abstract": None, "embedding": emb}


def edges(n: int, n_posts: int, n_int: int, relation: str, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        row: dict[str, Any] = {p: None for p in d.ASSERTION_PROPERTIES}
        j = rng.randrange(n_int)
        row.update(id=f"assertion:{relation}:{i}", subject_id=f"bench:{rng.randrange(n_posts)}",
                   intention_id=Intention.make_id(f"intention number {j}"), relation=relation,
                   text=f"intention number {j}", raw_text=f"intention number {j}", keep=True,
                   plausibility=0.5, model="bench", prompt_version="v1")
        yield row


def timed(store: FalkorStore, name: str, query: str, rows: Iterator[dict[str, Any]],
          batch: int) -> tuple[WriteSummary, float]:
    t0 = time.perf_counter()
    summary = store.write_rows(query, rows, batch_size=batch)
    secs = time.perf_counter() - t0
    print(f"  {name:22} {summary.rows:>9} rows {secs:8.2f} s {summary.rows / secs:>10,.0f} rows/s"
          f"  created {summary.nodes_created} nodes, {summary.relationships_created} edges")
    return summary, secs


def run_all(store: FalkorStore, args: argparse.Namespace) -> tuple[int, float]:
    n_posts, n_int, n_edges = args.posts, args.intentions, args.edges
    per_rel = n_edges // len(POST_RELATIONS)
    total_rows, total_s = 0, 0.0
    steps: list[tuple[str, str, Iterator[dict[str, Any]]]] = [
        ("posts", load_cypher("kg.store.cypher", "posts", "falkordb"), posts(n_posts)),
        (f"intentions (dim {args.dim})", load_cypher("kg.store.cypher", "intentions",
                                                     "falkordb"),
         intentions(n_int, args.dim, 1)),
    ]
    for k, rel in enumerate(POST_RELATIONS):
        steps.append((f"edges {rel}", d.assertion_edge_query(rel, "post"),
                      edges(per_rel, n_posts, n_int, rel, 100 + k)))
    for name, query, rows in steps:
        summary, secs = timed(store, name, query, rows, args.batch)
        total_rows += summary.rows
        total_s += secs
    return total_rows, total_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (about a minute)")
    parser.add_argument("--batch", type=int, default=2000, help="rows per UNWIND query")
    parser.add_argument("--dim", type=int, default=384, help="embedding dimensions (0: none)")
    parser.add_argument("--appendfsync", choices=("everysec", "always"), default="everysec")
    args = parser.parse_args()
    args.posts, args.intentions, args.edges = ((20_000, 10_000, 50_000) if args.quick
                                               else (200_000, 200_000, 1_000_000))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        from kg.store.falkordb_server import FalkorServer

        server = FalkorServer(Path(tmp) / "db", appendfsync=args.appendfsync).start()
        store = FalkorStore(server.socket_path, graph="bench", server=server)
        try:
            store.ensure_schema(args.dim or None)
            print(f"first load (appendfsync={args.appendfsync}, batch={args.batch}):")
            rows, secs = run_all(store, args)
            rate = rows / secs
            verdict = "met" if rate >= TARGET_ROWS_PER_S else "NOT met"
            print(f"  TOTAL {rows:,} rows in {secs:.1f} s = {rate:,.0f} rows/s "
                  f"(target >= {TARGET_ROWS_PER_S:,}: {verdict})")
            print("re-load of the same rows (no-op):")
            rows2, secs2 = run_all(store, args)
            print(f"  TOTAL {rows2:,} rows in {secs2:.1f} s = {rows2 / secs2:,.0f} rows/s")
        finally:
            store.close()


if __name__ == "__main__":
    main()
