"""The SQLite call log: group commit inside an event loop, immediate commit outside."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from distill.backends import ChatRequest, ChatResponse, Message
from distill.cache import LLMCache


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
