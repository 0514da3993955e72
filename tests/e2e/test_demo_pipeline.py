"""End to end: `intentkg demo` and `intentkg run` on the bundled example, embedded FalkorDB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "demo"
pytestmark = pytest.mark.slow


def _intentkg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTENTKG_")}
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "intentkg.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("demo")
    proc = _intentkg("demo", "--workdir", str(workdir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return workdir, proc.stdout


def test_demo_says_where_model_answers_come_from(demo_run: tuple[Path, str]) -> None:
    _, out = demo_run
    assert "Model answers come from the recorded file" in out
    assert "--base-url" in out and "--model" in out


def test_demo_prints_real_answers_to_the_helper_queries(demo_run: tuple[Path, str]) -> None:
    _, out = demo_run
    # intentions by concept: coffee intentions found under the hypernym "beverage"
    assert 'concept "beverage"' in out and "pour-over coffee" in out
    # intentions of a post, with what the model wrote
    assert "Intentions of post twitter:1073941289759993066" in out
    assert "put on warm socks and waterproof boots" in out
    # recommender: hand warmers reachable from the gloves, explained by an intention
    assert "Products reachable from B07JHL5RT9" in out
    assert "HotPocket Air-Activated Hand Warmers" in out
    assert "keeping hands warm in freezing weather" in out
    # vector search over intentions
    assert 'Intentions like "stay warm outdoors"' in out and "stay warm" in out


def test_demo_stage_outputs_exist(demo_run: tuple[Path, str]) -> None:
    workdir, _ = demo_run
    for rel in ("ingest/posts.parquet", "ingest/products.parquet", "ingest/cobuys.parquet",
                "distill/assertions.parquet", "distill/llm_cache.sqlite",
                "graph/intentions.parquet", "graph/concepts.parquet", "graph/merges.parquet"):
        assert (workdir / rel).is_file(), rel


def test_run_again_is_a_no_op_for_the_graph(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    workdir, _ = demo_run
    raw = [str(EXAMPLE / "raw" / n) for n in
           ("tweets_v1.jsonl", "tweets_v2.jsonl", "mmsd.txt", "meta_Demo.json")]
    proc = _intentkg("run", *raw, "--workdir", str(workdir), "--backend", "replay",
                     "--replay-file", str(EXAMPLE / "replay.jsonl"),
                     "--image-map", str(EXAMPLE / "images" / "index.json"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "0 answered from the replay file, 222 cached" in proc.stderr
    assert "0 nodes and 0 relationships created" in proc.stderr, proc.stderr[-1500:]


def test_run_reports_a_replay_miss_as_one_clear_line(tmp_path: Path) -> None:
    raw = tmp_path / "posts.jsonl"
    shutil.copy(EXAMPLE / "raw" / "tweets_v1.jsonl", raw)
    empty = tmp_path / "empty_replay.jsonl"
    empty.write_text("")
    proc = _intentkg("run", str(raw), "--workdir", str(tmp_path / "w"), "--backend", "replay",
                     "--replay-file", str(empty))
    assert proc.returncode != 0
    assert "error:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_exports_hold_the_graph_the_store_holds(demo_run: tuple[Path, str],
                                                tmp_path: Path) -> None:
    """Parity: after the demo, every label and relationship type has the same count in
    the store, in the neo4j-admin CSV files, the Parquet files and the GraphML file."""
    import csv
    from collections import Counter

    import networkx as nx
    import pyarrow.parquet as pq

    from kg.export import export_graphml, export_neo4j_import, export_parquet
    from kg.schema import node_labels, relationship_types
    from kg.settings import Settings
    from kg.store import open_store

    workdir, _ = demo_run
    store = open_store(Settings(workdir=workdir))
    try:
        in_store = Counter({f"node:{r['label']}": r["n"] for r in store.read(
            "MATCH (n) RETURN labels(n)[0] AS label, count(n) AS n")})
        in_store.update({f"rel:{r['type']}": r["n"] for r in store.read(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n")})
        answers = {r["id"]: (r["intentions"], r["products"]) for r in store.read(
            "MATCH (a:ConceptAnswer) RETURN a.id AS id, a.intentions AS intentions, "
            "a.products AS products")}
    finally:
        store.close()
    assert answers
    assert in_store["node:Image"] == 45 and in_store["rel:HAS_IMAGE"] == 45
    assert set(in_store) <= {f"node:{x}" for x in node_labels()} | {
        f"rel:{x}" for x in relationship_types()}

    def csv_counts(out: Path) -> Counter[str]:
        counts: Counter[str] = Counter()
        for path in out.glob("*.csv"):
            with path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            kind = "node" if rows[0][-1] == ":LABEL" else "rel"
            counts.update(f"{kind}:{row[-1]}" for row in rows[1:])
        return counts

    export_neo4j_import(workdir, tmp_path / "neo4j")
    assert csv_counts(tmp_path / "neo4j") == in_store

    parquet: Counter[str] = Counter()
    for path in export_parquet(workdir, tmp_path / "pq"):
        kind, _, name = path.stem.partition("_")
        name = name if kind == "nodes" else next(
            t for t in relationship_types() if name == t or (name.startswith(t + "_")
            and name[len(t) + 1:] in node_labels()))
        parquet[f"{'node' if kind == 'nodes' else 'rel'}:{name}"] += pq.read_metadata(path).num_rows
    assert parquet == in_store

    g = nx.read_graphml(export_graphml(workdir, tmp_path / "g.graphml"))
    graphml = Counter(f"node:{d['labels'][1:]}" for _, d in g.nodes(data=True))
    graphml.update(f"rel:{d['type']}" for _, _, d in g.edges(data=True))
    assert graphml == in_store

    # the kept answers are the store's, computed from the files
    exported = pq.read_table(tmp_path / "pq" / "nodes_ConceptAnswer.parquet").to_pylist()
    assert {a["id"]: (a["intentions"], a["products"]) for a in exported} == answers

    # what the old export dropped is there: post key information, hashtags, features
    posts = pq.read_table(tmp_path / "pq" / "nodes_Post.parquet").to_pylist()
    assert any(p["key_action"] for p in posts) and any(p["hashtags"] for p in posts)
    products = pq.read_table(tmp_path / "pq" / "nodes_Product.parquet").to_pylist()
    assert any(p["feature_description"] for p in products)
