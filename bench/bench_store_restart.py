"""Restart time and kill -9 safety of the embedded FalkorDB store.

Loads the graph of ``bench_load.py`` (posts, intentions with embeddings, assertion
edges; 200k/200k/1M by default) through ``FalkorStore`` in a child process, as
``intentkg load`` does (the child starts its own server, which a guard stops when
the child goes away). Scenarios, each on a fresh data dir:

- ``clean``: load to the end; restart after the guard stopped the server, and
  after a ``kill -9`` of a server that was idle after the load.
- ``loader``: ``kill -9`` the loader at a random point; restart (the guard has
  compacted and stopped the server); load again to the end.
- ``server``: ``kill -9`` the server at a random point; the loader restarts it and
  goes on to the end.
- ``both``: ``kill -9`` loader and server at once; restart (the server replays the
  part of its append-only file written since the last rewrite); load to the end.

"Restart" is the wall time from opening the store to the first query's answer.
Every scenario ends with a checksum over all node ids per label and all edges
(type, ends, id) compared with the clean load's: 0 lost, 0 duplicated.

    .venv/bin/python bench/bench_store_restart.py             # 1M edges
    .venv/bin/python bench/bench_store_restart.py --quick     # 50k edges
    .venv/bin/python bench/bench_store_restart.py --edges 200000 --dim 384
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.fspath(Path(__file__).resolve().parent))
from bench_load import edges, intentions, posts

from kg.relations import POST_RELATIONS, resolve
from kg.store import dialect as d
from kg.store.cypher_files import load_cypher
from kg.store.falkordb import FalkorStore
from kg.store.falkordb_server import stop_server

BATCH = 2000


def sizes(n_edges: int) -> tuple[int, int, int]:
    """Posts, intentions, edges in bench_load's proportions (1M edges: 200k, 200k)."""
    return n_edges // 5, n_edges // 5, n_edges


def child_load(data_dir: Path, n_edges: int, dim: int) -> None:
    """The loader: everything in batches, then a checkpoint (as ``kg.load`` ends)."""
    n_posts, n_int, _ = sizes(n_edges)
    store = FalkorStore.open(data_dir, graph="bench", start_timeout_s=60)
    try:
        store.ensure_schema(dim or None)
        store.write_rows(load_cypher("kg.store.cypher", "posts", "falkordb"), posts(n_posts),
                         BATCH)
        store.write_rows(load_cypher("kg.store.cypher", "intentions", "falkordb"),
                         intentions(n_int, dim, 1), BATCH)
        per_rel = n_edges // len(POST_RELATIONS)
        for k, rel in enumerate(POST_RELATIONS):
            store.write_rows(d.assertion_edge_query(rel, "post"),
                             edges(per_rel, n_posts, n_int, rel, 100 + k), BATCH)
        store.checkpoint()
    finally:
        store.close()


def spawn_loader(data_dir: Path, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--child", os.fspath(data_dir),
                             "--edges", str(args.edges), "--dim", str(args.dim)])


def server_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "server.pid").read_text())
    except (OSError, ValueError):
        return None


def wait_server_gone(data_dir: Path, timeout_s: float = 600) -> float:
    """Seconds until the data dir's server lock is free (the guard stopped the server)."""
    import fcntl

    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        fd = os.open(data_dir / "server.lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return time.monotonic() - start
        except BlockingIOError:
            time.sleep(0.05)
        finally:
            os.close(fd)
    raise SystemExit(f"the server of {data_dir} was not stopped within {timeout_s}s")


def checksum(store: FalkorStore) -> tuple[str, int, int]:
    """sha256 over sorted node ids per label and sorted edges; node and edge counts."""
    h = hashlib.sha256()
    nodes = rels = 0
    for label in ("Post", "Intention"):
        ids = sorted(r["id"] for r in store.read(f"MATCH (n:{label}) RETURN n.id AS id"))
        nodes += len(ids)
        h.update(f"{label}:{len(ids)}\n".encode())
        h.update("\n".join(ids).encode())
    for rel in POST_RELATIONS:
        graph_type = resolve(rel, "post").graph_type
        rows = sorted((r["a"], r["i"], r["b"]) for r in store.read(
            f"MATCH (a:Post)-[r:{graph_type}]->(b:Intention) RETURN a.id AS a, r.id AS i, "
            "b.id AS b"))
        rels += len(rows)
        h.update(f"{graph_type}:{len(rows)}\n".encode())
        h.update("\n".join("|".join(map(str, row)) for row in rows).encode())
    return h.hexdigest(), nodes, rels


def restart(data_dir: Path) -> tuple[float, FalkorStore]:
    """Open the store (starting its server) and answer a first query; seconds taken."""
    t0 = time.perf_counter()
    store = FalkorStore.open(data_dir, graph="bench", start_timeout_s=60)
    store.read("MATCH (p:Post) RETURN count(p) AS n")
    return time.perf_counter() - t0, store


def indexes_ready(store: FalkorStore, took: float) -> str:
    """When the server's index rebuild finished after a restart: every label but the
    vectors' (id lookups stop scanning), then the vector index (kNN is complete)."""
    t0 = time.perf_counter() - took
    ids = vectors = None
    while vectors is None:
        rows = store.read("CALL db.indexes() YIELD label, status RETURN label, status")
        pending = {r["label"] for r in rows if r["status"] != "OPERATIONAL"}
        now = time.perf_counter() - t0
        if ids is None and not pending - {d.VECTOR_LABEL}:
            ids = now
        if not pending:
            vectors = now
        time.sleep(0.2)
    return f"id indexes ready at {ids:.1f} s, vector index at {vectors:.1f} s"


def aof_sizes(data_dir: Path) -> str:
    files = sorted((data_dir / "appendonlydir").glob("*"))
    return ", ".join(f"{f.name.split('.', 2)[-1]} {f.stat().st_size / 1e6:.1f} MB" for f in files
                     if not f.name.endswith("manifest"))


def run_load(data_dir: Path, args: argparse.Namespace) -> float:
    t0 = time.perf_counter()
    code = spawn_loader(data_dir, args).wait()
    if code != 0:
        raise SystemExit(f"the loader exited with code {code}")
    return time.perf_counter() - t0


def verify(name: str, store: FalkorStore, clean: tuple[str, int, int] | None) -> tuple[str, int,
                                                                                       int]:
    got = checksum(store)
    if clean is not None:
        verdict = "identical" if got == clean else f"DIFFERENT (clean: {clean[1:]})"
        print(f"  {name}: {got[1]} nodes, {got[2]} edges; checksum {verdict}", flush=True)
    return got


def scenario_clean(root: Path, args: argparse.Namespace) -> tuple[str, int, int]:
    data_dir = root / "clean"
    secs = run_load(data_dir, args)
    wait_server_gone(data_dir)
    print(f"clean load: {secs:.1f} s; append-only file: {aof_sizes(data_dir)}", flush=True)
    took, store = restart(data_dir)
    print(f"  restart after the load (guard stopped the server): first answer in {took:.1f} s; "
          f"{indexes_ready(store, took)}", flush=True)
    clean = checksum(store)
    print(f"  {clean[1]} nodes, {clean[2]} edges", flush=True)
    pid = server_pid(data_dir)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    store.close()
    took, store = restart(data_dir)
    print(f"  restart after kill -9 of the idle server: first answer in {took:.1f} s; "
          f"{indexes_ready(store, took)}", flush=True)
    verify("after kill -9", store, clean)
    store.close()
    stop_server(data_dir)
    return clean


def scenario_kill(root: Path, args: argparse.Namespace, what: str, at: float,
                  clean: tuple[str, int, int]) -> bool:
    data_dir = root / f"{what}-{at:.0f}"
    loader = spawn_loader(data_dir, args)
    time.sleep(at)
    pid = server_pid(data_dir)
    if loader.poll() is not None:
        print(f"kill -9 {what} at {at:.1f} s: the load had already finished", flush=True)
        return True
    sizes_then = aof_sizes(data_dir)
    if what in ("loader", "both"):
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
    if what in ("server", "both") and pid is not None:
        os.kill(pid, signal.SIGKILL)
    print(f"kill -9 {what} at {at:.1f} s (append-only file then: {sizes_then})", flush=True)
    if what == "server":
        code = loader.wait()
        print(f"  the loader restarted the server and finished (exit code {code})", flush=True)
    else:
        gone = wait_server_gone(data_dir)
        if what == "loader":
            print(f"  the guard compacted and stopped the orphaned server in {gone:.1f} s "
                  f"({aof_sizes(data_dir)})", flush=True)
        took, store = restart(data_dir)
        print(f"  restart: first answer in {took:.1f} s", flush=True)
        store.close()
        wait_server_gone(data_dir)
        secs = run_load(data_dir, args)
        print(f"  load again to the end: {secs:.1f} s", flush=True)
    wait_server_gone(data_dir)
    _, store = restart(data_dir)
    same = verify("after the kill and a complete load", store, clean) == clean
    store.close()
    stop_server(data_dir)
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50k edges")
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384, help="embedding dimensions (0: none)")
    parser.add_argument("--kills", type=int, default=1, help="random kill points per scenario")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scenarios", default="loader,server,both",
                        help="kill scenarios after the clean load (comma-separated)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.edges = 50_000
    if args.child is not None:
        child_load(args.child, args.edges, args.dim)
        return
    rng = random.Random(args.seed)
    n_posts, n_int, n_edges = sizes(args.edges)
    print(f"{n_posts} posts, {n_int} intentions (dim {args.dim}), {n_edges} edges", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-restart-", dir=os.environ.get("BENCH_DIR")) \
            as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        clean = scenario_clean(root, args)
        load_s = time.perf_counter() - t0
        ok = True
        for what in [w for w in args.scenarios.split(",") if w]:
            for _ in range(args.kills):
                ok &= scenario_kill(root, args, what, rng.uniform(0.1, 0.9) * load_s * 0.6,
                                    clean)
    print("all checksums identical: 0 lost, 0 duplicated" if ok else "CHECKSUMS DIFFER")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
