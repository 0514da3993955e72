"""The SQLite call log: group commit inside an event loop, immediate commit outside."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from distill.backends import ChatRequest, ChatResponse, Message
from distill.cache import _MIGRATIONS, SCHEMA_VERSION, LLMCache
from kg.errors import DistillError


def _req(i: int) -> ChatRequest:
    return ChatRequest(model="m", messages=(Message.text("user", f"q{i}"),), stage="s",
                       subject=f"x{i}")


def _committed(path: Path) -> int:
    with sqlite3.connect(path) as other:  # another connection sees committed rows only
        return int(other.execute("SELECT count(*) FROM calls").fetchone()[0])


def test_rows_of_one_loop_turn_are_committed_together_at_the_next(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = LLMCache(path)
    keys = [("b", "m", "v1", f"h{i}") for i in range(5)]

    async def run() -> None:
        for i, key in enumerate(keys):
            cache.put(key, _req(i), ChatResponse(texts=[f"a{i}"], tokens_in=3), 0.1)
        cache.set_parsed(keys[0], {"answer": "a0"})
        assert _committed(path) == 0  # still this turn: pending, but readable
        got = cache.get(keys[4])
        assert got is not None and got.texts == ["a4"]
        await asyncio.sleep(0)
        assert _committed(path) == 5

    asyncio.run(run())
    cache.set_parsed(keys[1], ["late"])  # committed rows are updated in place
    cache.close()
    db = sqlite3.connect(path)
    parsed = dict(db.execute("SELECT request_hash, parsed FROM calls").fetchall())
    assert parsed == {"h0": '{"answer": "a0"}', "h1": '["late"]', "h2": None, "h3": None,
                      "h4": None}
    assert db.execute("SELECT tokens_in, stage, subject FROM calls WHERE request_hash='h3'"
                      ).fetchone() == (3, "s", "x3")


def test_outside_a_loop_each_row_commits_at_once_and_close_flushes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = LLMCache(path)
    cache.put(("b", "m", "v1", "h"), _req(0), ChatResponse(texts=["a"]), 0.1)
    assert _committed(path) == 1

    async def pending_at_close() -> None:
        cache.put(("b", "m", "v1", "h2"), _req(1), ChatResponse(texts=["b"]), 0.1)
        cache.close()  # the run ends inside the loop turn: nothing is lost

    asyncio.run(pending_at_close())
    assert _committed(path) == 2
    reopened = LLMCache(path)
    hit = reopened.get(("b", "m", "v1", "h2"))
    assert hit is not None and hit.texts == ["b"] and reopened.count() == 2
    reopened.close()


def test_each_answer_keeps_the_request_it_answered(tmp_path: Path) -> None:
    cache = LLMCache(tmp_path / "c.sqlite")
    request = _req(7)
    cache.put(("b", "m", "v1", "h"), request, ChatResponse(texts=["a"]), 0.1)
    assert cache.request(("b", "m", "v1", "h")) == request.canonical()
    assert cache.request(("b", "m", "v1", "nope")) is None
    cache.close()


def test_an_older_cache_is_migrated_and_keeps_its_answers(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    old = sqlite3.connect(path)  # a schema-2 file, as the previous release wrote it
    old.execute(_MIGRATIONS[0])
    old.execute(_MIGRATIONS[1])
    old.execute("INSERT INTO calls VALUES ('b','m','v1','h','s','x','{\"texts\": [\"a\"]}',"
                "NULL,1,1,0.1,0,NULL)")
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    cache = LLMCache(path)
    hit = cache.get(("b", "m", "v1", "h"))
    assert hit is not None and hit.texts == ["a"]
    assert cache.request(("b", "m", "v1", "h")) is None  # written before requests were kept
    cache.put(("b", "m", "v1", "h2"), _req(2), ChatResponse(texts=["b"]), 0.1)
    assert cache.request(("b", "m", "v1", "h2")) == _req(2).canonical()
    cache.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_cache_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    LLMCache(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DistillError, match=r"schema version \d+, newer than"):
        LLMCache(path)
