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
