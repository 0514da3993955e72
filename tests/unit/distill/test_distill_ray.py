"""``distill.engine = "ray"`` on a real local Ray cluster: the same rows as the local engine.

One cluster for the whole session (``ray_cluster``, tests/conftest.py); skipped when
the ``ray`` extra is not installed, except the missing-extra test, which simulates it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import shutil
import sqlite3
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from testkit.raycluster import CLIENT_RESOURCE
from typer.testing import CliRunner

from distill.ray_engine import PostWorker, RayWorkers
from distill.replay_tools import build_replay
from distill.report import DistillReport
from distill.run import run_distill
from intentkg.main import app
from kg.errors import MissingExtraError
from kg.io import read_records
from kg.records import ImageDescription, IntentionAssertion, KeyInfo
from kg.settings import Settings

POST_RELS = ["xIntent", "xNeed", "oReact"]  # the relations of conftest's answers
COBUY_RELS = ["usedFor", "isA"]
RELS = POST_RELS + COBUY_RELS
DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"
REPLAY: dict[str, Any] = {"backend": "replay", "replay_file": DEMO / "replay.jsonl"}
OUTPUTS = (("assertions", IntentionAssertion), ("image_descriptions", ImageDescription),
           ("key_info", KeyInfo))


def _ingest_example(workdir: Path) -> None:
    spec = importlib.util.spec_from_file_location("demo_make_replay", DEMO / "make_replay.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ingest_example(workdir)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, ingested once (its distill outputs are never written here)."""
    workdir = tmp_path_factory.mktemp("example")
    _ingest_example(workdir)
    return workdir


@pytest.fixture(scope="module")
def local_example(example: Path, tmp_path_factory: pytest.TempPathFactory,
                  ) -> tuple[Path, DistillReport]:
    """The example distilled once by the local engine with the demo's replay answers."""
    workdir = _copy(example, tmp_path_factory.mktemp("local"))
    return workdir, run_distill(workdir, _settings(workdir, "local", **REPLAY))


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src / "ingest", dst / "ingest")
    return dst


def _settings(workdir: Path, engine: str, **llm: Any) -> Settings:
    base = Settings(workdir=workdir)
    return base.model_copy(update={
        "llm": base.llm.model_copy(update=llm),
        "distill": base.distill.model_copy(update={"engine": engine}),
        "ray": base.ray.model_copy(update={"num_workers": 2, "batch_size": 8,
                                           "cpus_per_worker": 0.25})})


def _rows(workdir: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: [r.model_dump() for r in read_records(workdir / "distill" / f"{name}.parquet",
                                                        cls)]
            for name, cls in OUTPUTS}


def _counts(report: DistillReport) -> dict[str, Any]:
    return {"stages": {k: (v.items, v.ok, v.failed, v.calls + v.cached)
                       for k, v in report.stages.items()},
            "relations": {k: v.model_dump() for k, v in report.relations.items()},
            "written": report.written, "failures": len(report.failures),
            "prompts": sorted(report.prompt_versions), "text_only": report.text_only}


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    settings = _settings(workdir, "ray", **REPLAY)
    with pytest.raises(MissingExtraError, match=r"pip install 'intention-kg\[ray\]'"):
        run_distill(workdir, settings)
    assert not (workdir / "distill" / "assertions.parquet").exists()
    res = CliRunner().invoke(app, ["distill", "-w", str(workdir), "--engine", "ray",
                                   "--backend", "replay", "--replay-file",
                                   str(DEMO / "replay.jsonl")])
    assert res.exit_code == 1
    assert "needs the Python package 'ray'" in res.output
    assert "pip install 'intention-kg[ray]'" in res.output


def test_ray_and_local_write_the_same_rows_on_the_example(
        ray_cluster: Any, example: Path, local_example: tuple[Path, DistillReport],
        tmp_path: Path) -> None:
    local_dir, local = local_example
    ray_dir = _copy(example, tmp_path / "ray")
    on_ray = run_distill(ray_dir, _settings(ray_dir, "ray", **REPLAY))
    assert on_ray.engine == "ray" and on_ray.calls == local.calls > 200 and on_ray.cached == 0
    assert _rows(ray_dir) == _rows(local_dir)
    assert _counts(on_ray) == _counts(local)
    for name, _ in OUTPUTS:  # the files themselves, byte for byte
        path = Path("distill") / f"{name}.parquet"
        assert (ray_dir / path).read_bytes() == (local_dir / path).read_bytes(), name
    report = json.loads((ray_dir / "distill" / "report.json").read_text())
    assert report["stage"] == "distill" and report["engine"] == "ray"


class _FakeOpenAI(BaseHTTPRequestHandler):
    """A deterministic OpenAI-compatible server: every answer is a function of the request
    (schema-shaped JSON, or Yes/No log-probabilities for the filter)."""

    protocol_version = "HTTP/1.1"
    calls = 0
    lock = threading.Lock()

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._send(404, b"{}")

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            type(self).calls += 1
        digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
        choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant"}}
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        if schema is not None:
            choice["message"]["content"] = json.dumps(_instance(schema, digest[:8]))
        else:
            p_yes = 0.05 + 0.9 * int(digest[:4], 16) / 0xFFFF
            choice["message"]["content"] = "Yes" if p_yes >= 0.5 else "No"
            choice["logprobs"] = {"content": [{"token": "Yes", "logprob": math.log(p_yes),
                                               "top_logprobs": [
                                                   {"token": "Yes", "logprob": math.log(p_yes)},
                                                   {"token": "No",
                                                    "logprob": math.log(1 - p_yes)}]}]}
        self._send(200, json.dumps({"choices": [choice], "usage": {
            "prompt_tokens": 100, "completion_tokens": 20}}).encode())

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _instance(schema: dict[str, Any], seed: str) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return {k: _instance(v, f"{seed} {k}") for k, v in schema["properties"].items()}
    if kind == "array":
        return [_instance(schema["items"], seed)]
    if kind == "number":
        return 0.5
    return f"answer {seed}"[:schema.get("maxLength", 100)]


@pytest.fixture
def fake_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_ray_and_local_agree_against_an_http_server_and_resume_each_other(
        ray_cluster: Any, workdir: Path, tmp_path: Path, fake_server: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    http = {"backend": "openai", "base_url": fake_server, "model": "fake-vl", "concurrency": 4}
    other = _copy(workdir, tmp_path / "other")
    local = run_distill(workdir, _settings(workdir, "local", **http), relations=RELS)
    # the other work dir starts from a local run over its posts: the Ray run resumes it
    posts_only = run_distill(other, _settings(other, "local", **http), relations=POST_RELS)
    calls = _FakeOpenAI.calls
    on_ray = run_distill(other, _settings(other, "ray", **http), relations=RELS)
    assert on_ray.cached == posts_only.calls > 0
    assert _FakeOpenAI.calls - calls == on_ray.calls == local.calls - posts_only.calls > 5
    assert _rows(other) == _rows(workdir)
    assert _counts(on_ray) == _counts(local)
    assert {a["subject_kind"] for a in _rows(other)["assertions"]} == {"post", "cobuy"}
    # and the local engine resumes what the Ray workers paid for
    calls = _FakeOpenAI.calls
    again = run_distill(other, _settings(other, "local", **http), relations=RELS)
    assert again.calls == 0 == _FakeOpenAI.calls - calls and again.cached == local.calls


class _DiesOnce(PostWorker):
    """Kills its own process (os._exit, as a lost node would) in the middle of its first
    batch, after the first post's answers were committed; Ray restarts it and runs the
    batch again."""

    marker: Path

    async def one(self, ctx: Any, item: Any) -> Any:
        result = await super().one(ctx, item)
        if not self.marker.exists():
            self.cache.flush()
            self.marker.write_text(str(os.getpid()))
            os._exit(1)
        return result


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
        ray_cluster: Any, workdir: Path, answers: Path, tmp_path: Path) -> None:
    replay = tmp_path / "replay.jsonl"
    build_replay(workdir, Settings(workdir=workdir), answers, replay,
                 relations=RELS)
    llm = {"backend": "replay", "replay_file": replay}
    local_dir = _copy(workdir, tmp_path / "local")
    local = run_distill(local_dir, _settings(local_dir, "local", **llm), relations=POST_RELS)
    # the workers cannot import this test module: send its classes by value
    ray_cluster.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    dies = type("DiesOnce", (_DiesOnce,), {"marker": tmp_path / "died"})
    settings = _settings(workdir, "ray", **llm)
    settings.ray.batch_size = 2  # 3 posts: two batches, the first one dies after one post
    settings.ray.worker_resources = {CLIENT_RESOURCE: 1}  # pinned to the node that has it
    report = run_distill(workdir, settings, relations=POST_RELS,
                         ray_workers=RayWorkers(post=dies))
    assert (tmp_path / "died").is_file()  # a worker did die
    assert _rows(workdir) == _rows(local_dir)  # 0 lost, 0 duplicated
    ids = [a["id"] for a in _rows(workdir)["assertions"]]
    assert len(ids) == len(set(ids)) == local.written["assertions"] > 0
    assert report.stages["posts"].items == local.stages["posts"].items == 3
    assert report.calls + report.cached == local.calls  # the dead batch's answers were reused
    assert report.cached > 0
    with sqlite3.connect(workdir / "distill" / "llm_cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == local.calls
