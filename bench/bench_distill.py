"""Throughput of the distillation client against a loopback OpenAI-compatible server.

The server (a separate process, raw asyncio HTTP/1.1 with keep-alive) answers
every request after a fixed latency and serves at most ``capacity`` requests at
once, so its capacity is ``capacity / latency`` requests/s. The benchmark
drives it through the real client path (OpenAIBackend + CachedCaller with the
SQLite cache) and, side by side, through a naive sequential client; then a
fault run where a share of answers are 429 / 500 / garbage counts items lost
(no answer cached) and duplicated (answered 200 more than once, i.e. paid twice).

Usage: .venv/bin/python bench/bench_distill.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distill.backends import ChatRequest, Message, OpenAIBackend
from distill.cache import CachedCaller, LLMCache
from kg.settings import LLMSettings

_ITEM = re.compile(rb"item-(\d+)")
_OK = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant",
                                                       "content": '{"description": "ok"}'}}],
                  "usage": {"prompt_tokens": 20, "completion_tokens": 5}}).encode()


def _response(status: int, body: bytes, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def serve(port: int, latency: float, capacity: int, fault: float, ready: mp.Event,
          stats: mp.Queue) -> None:
    """Run the loopback server until killed; put ``(ok_items)`` counts on request."""
    ok_resp = _response(200, _OK)
    faults = [_response(429, b"{}", "Retry-After: 0\r\n"), _response(500, b"{}"),
              _response(200, b"{garbage")]
    ok_count: dict[int, int] = {}
    rng = random.Random(7)

    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                i = head.find(b"content-length:")
                if i < 0:
                    i = head.lower().find(b"content-length:")
                n = int(head[i + 15:head.index(b"\r\n", i)])
                body = await reader.readexactly(n)
                if head.startswith(b"GET /stats"):
                    writer.write(_response(200, json.dumps(ok_count).encode()))
                    continue
                async with sem:
                    await asyncio.sleep(latency)
                if fault and rng.random() < fault:
                    writer.write(rng.choice(faults))
                else:
                    if fault:
                        m = _ITEM.search(body)
                        if m:
                            k = int(m.group(1))
                            ok_count[k] = ok_count.get(k, 0) + 1
                    writer.write(ok_resp)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        nonlocal sem
        sem = asyncio.Semaphore(capacity)
        server = await asyncio.start_server(conn, "127.0.0.1", port, backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    sem: asyncio.Semaphore
    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(latency: float, capacity: int, fault: float) -> tuple[mp.Process, str]:
    port = _free_port()
    ready = mp.Event()
    proc = mp.Process(target=serve, args=(port, latency, capacity, fault, ready, mp.Queue()),
                      daemon=True)
    proc.start()
    ready.wait(10)
    return proc, f"http://127.0.0.1:{port}/v1"


def _request(i: int) -> ChatRequest:
    return ChatRequest(model="bench", messages=(Message.text("user", f"describe item-{i}"),),
                       stage="bench", subject=f"item-{i}", max_tokens=16)


async def _client_run(url: str, n: int, concurrency: int, retries: int) -> tuple[float, int, int]:
    settings = LLMSettings(backend="openai", base_url=url, model="bench",
                           concurrency=concurrency, max_retries=retries, timeout_s=30)
    backend = OpenAIBackend(settings, backoff_s=0.01, max_backoff_s=0.2)
    with tempfile.TemporaryDirectory() as tmp:
        cache = LLMCache(Path(tmp) / "c.sqlite")
        caller = CachedCaller(backend, cache)
        it = iter(range(n))
        errors = 0

        async def worker() -> None:
            nonlocal errors
            for i in it:
                try:
                    await caller(_request(i), "bench.v1")
                except Exception:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        cached = cache.count()
        cache.close()
    await backend.aclose()
    return elapsed, cached, errors


def _sequential(url: str, n: int) -> float:
    with httpx.Client(timeout=30) as client:
        start = time.perf_counter()
        for i in range(n):
            client.post(url + "/chat/completions", json={
                "model": "bench", "messages": [{"role": "user", "content": f"item-{i}"}]})
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small run")
    ap.add_argument("--capacity", type=int, default=256)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    args = ap.parse_args()
    lat, cap = args.latency_ms / 1000, args.capacity
    n = 3000 if args.quick else 20000
    n_seq = 40 if args.quick else 100
    n_fault = 1000 if args.quick else 5000
    capacity_rps = cap / lat
    print(f"server: capacity {cap} concurrent x {args.latency_ms:.0f} ms = "
          f"{capacity_rps:.0f} req/s; client concurrency {cap}")

    proc, url = _start(lat, cap, 0.0)
    try:
        elapsed, cached, errors = asyncio.run(_client_run(url, n, cap, 5))
        seq = _sequential(url, n_seq)
    finally:
        proc.kill()
    rps, seq_rps = n / elapsed, n_seq / seq
    print(f"{'client':<28}{'requests':>10}{'req/s':>10}{'of capacity':>13}")
    print(f"{'distill (async, cached)':<28}{n:>10}{rps:>10.0f}{rps / capacity_rps:>13.3f}")
    print(f"{'naive sequential httpx':<28}{n_seq:>10}{seq_rps:>10.1f}"
          f"{seq_rps / capacity_rps:>13.4f}")
    print(f"speed-up over sequential: {rps / seq_rps:.0f}x; cached rows {cached}, "
          f"errors {errors}")

    fault = 0.1
    proc, url = _start(lat, cap, fault)
    try:
        elapsed, cached, errors = asyncio.run(_client_run(url, n_fault, cap, 8))
        stats = json.loads(httpx.get(url.rsplit("/v1", 1)[0] + "/stats",
                                     headers={"content-length": "0"}).content)
    finally:
        proc.kill()
    answered = {int(k): v for k, v in stats.items()}
    lost = n_fault - cached
    duplicated = sum(1 for v in answered.values() if v > 1)
    print(f"fault run ({fault:.0%} of answers 429/500/garbage, {n_fault} items): "
          f"{n_fault / elapsed:.0f} req/s, lost {lost}, duplicated {duplicated}, "
          f"client errors {errors}")


if __name__ == "__main__":
    main()
