"""Upsert throughput of the embedded FalkorDB store, and the cost of a no-op re-load.

Generates posts, intentions (with embeddings) and assertion edges, writes them
with the project's own Cypher (``kg/store/cypher`` + ``dialect.assertion_edge_query``)
through ``FalkorStore.write_rows`` and prints rows/s per step. Then writes the
same rows again (every MERGE matches; nothing is created) and prints that time.

Besides wall-clock rows/s each step shows the CPU seconds of this process
(building parameters) and of the server (parsing + writing): on a shared machine
wall-clock swings with the neighbours' load, CPU time much less. ``--repeat``
runs everything on fresh graphs N times and prints min/median/max per step.
``--client official`` sends batches the way the store did before
(``falkordb`` client's own parameter writer, one batch at a time) for comparison.

    .venv/bin/python bench/bench_load.py            # 200k posts/intentions, 1M edges
    .venv/bin/python bench/bench_load.py --quick    # 20k posts, 10k intentions, 50k edges
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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


Step = tuple[str, float, float, float]  # name, wall s, client CPU s, server CPU s


def server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system, all threads) the server process has used."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_official(store: FalkorStore, query: str, rows: Iterator[dict[str, Any]],
                   batch: int) -> WriteSummary:
    """The store's write path before falkordb_params: the client formats parameters."""
    total, buf = WriteSummary(), list(rows)
    for i in range(0, len(buf), batch):
        part = buf[i:i + batch]
        res = store._graph.query(query, {"rows": part})
        total.add(WriteSummary(len(part), int(res.nodes_created),
                               int(res.relationships_created), int(res.properties_set)))
    return total


def timed(store: FalkorStore, name: str, query: str, rows: Iterator[dict[str, Any]],
          args: argparse.Namespace) -> tuple[WriteSummary, Step]:
    rows_list = list(rows)  # generating rows is not part of the load
    pid = store.server.pid if store.server is not None else None
    s0, c0, t0 = server_cpu(pid), time.process_time(), time.perf_counter()
    if args.client == "official":
        summary = write_official(store, query, iter(rows_list), args.batch)
    else:
        summary = store.write_rows(query, rows_list, batch_size=args.batch)
    secs, cpu, srv = (time.perf_counter() - t0, time.process_time() - c0,
                      server_cpu(pid) - s0)
    n = max(summary.rows, 1)
    print(f"  {name:22} {summary.rows:>9} rows {secs:7.2f} s {n / secs:>9,.0f} rows/s | "
          f"CPU us/row client {1e6 * cpu / n:6.1f} server {1e6 * srv / n:6.1f} | "
          f"created {summary.nodes_created} nodes, {summary.relationships_created} edges")
    return summary, (name, secs, cpu, srv)


def run_all(store: FalkorStore, args: argparse.Namespace) -> list[tuple[int, Step]]:
    n_posts, n_int, n_edges = args.posts, args.intentions, args.edges
    per_rel = n_edges // len(POST_RELATIONS)
    steps: list[tuple[str, str, Iterator[dict[str, Any]]]] = [
        ("posts", load_cypher("kg.store.cypher", "posts", "falkordb"), posts(n_posts)),
        (f"intentions (dim {args.dim})", load_cypher("kg.store.cypher", "intentions",
                                                     "falkordb"),
         intentions(n_int, args.dim, 1)),
    ]
    for k, rel in enumerate(POST_RELATIONS):
        steps.append((f"edges {rel}", d.assertion_edge_query(rel, "post"),
                      edges(per_rel, n_posts, n_int, rel, 100 + k)))
    return [(summary.rows, step) for summary, step in
            (timed(store, name, query, rows, args) for name, query, rows in steps)]


def report(label: str, results: list[tuple[int, Step]]) -> dict[str, float]:
    """Print per-kind totals of one pass; return rows/s per kind."""
    kinds: dict[str, list[float]] = {}
    for rows, (name, secs, cpu, srv) in results:
        kind = name.split()[0]
        acc = kinds.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        for i, v in enumerate((rows, secs, cpu, srv)):
            acc[i] += v
    rates: dict[str, float] = {}
    for kind, (n, secs, cpu, srv) in kinds.items():
        rates[kind] = n / secs
        # Client and server overlap (one batch in flight): the slower of the two
        # bounds throughput when each has a core to itself.
        bound = n / max(cpu, srv, 1e-9)
        print(f"  {label} {kind:11} {int(n):>9,} rows {rates[kind]:>9,.0f} rows/s wall; "
              f"CPU-bound estimate {bound:>9,.0f} rows/s")
    upserts = [r for r, (name, *_rest) in results if not name.startswith("intentions")]
    up_secs = sum(st[1] for _r, st in results if not st[0].startswith("intentions"))
    rates["node/edge upserts"] = sum(upserts) / up_secs
    verdict = "met" if rates["node/edge upserts"] >= TARGET_ROWS_PER_S else "NOT met"
    print(f"  {label} node/edge upserts {rates['node/edge upserts']:,.0f} rows/s "
          f"(target >= {TARGET_ROWS_PER_S:,}: {verdict})")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (about a minute)")
    parser.add_argument("--batch", type=int, default=2000, help="rows per UNWIND query")
    parser.add_argument("--dim", type=int, default=384, help="embedding dimensions (0: none)")
    parser.add_argument("--appendfsync", choices=("everysec", "always"), default="always")
    parser.add_argument("--repeat", type=int, default=1, help="independent runs (fresh graphs)")
    parser.add_argument("--client", choices=("store", "official"), default="store",
                        help="store: FalkorStore.write_rows; official: the old path")
    args = parser.parse_args()
    args.posts, args.intentions, args.edges = ((20_000, 10_000, 50_000) if args.quick
                                               else (200_000, 200_000, 1_000_000))
    summary: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        from kg.store.falkordb_server import FalkorServer

        server = FalkorServer(Path(tmp) / "db", appendfsync=args.appendfsync).start()
        store = FalkorStore(server.socket_path, graph="bench", server=server)
        try:
            for run in range(args.repeat):
                store.clear()
                store.ensure_schema(args.dim or None)
                print(f"run {run + 1}/{args.repeat} first load (client={args.client}, "
                      f"appendfsync={args.appendfsync}, batch={args.batch}):")
                for kind, rate in report("first ", run_all(store, args)).items():
                    summary.setdefault(f"first  {kind}", []).append(rate)
                print("re-load of the same rows (no-op):")
                for kind, rate in report("reload", run_all(store, args)).items():
                    summary.setdefault(f"reload {kind}", []).append(rate)
        finally:
            store.close()
    print(f"summary over {args.repeat} run(s), wall-clock rows/s (min / median / max):")
    for key, rates in summary.items():
        print(f"  {key:26} {min(rates):>9,.0f} / {statistics.median(rates):>9,.0f} / "
              f"{max(rates):>9,.0f}")


if __name__ == "__main__":
    main()
