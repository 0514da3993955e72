"""Throughput of the distillation client against a loopback OpenAI-compatible server.

The server (a separate process, an asyncio protocol speaking HTTP/1.1 with keep-alive) answers
every request after a fixed latency and serves at most ``capacity`` requests at
once, so its capacity is ``capacity / latency`` requests/s. The benchmark
drives it through the real client path (OpenAIBackend + CachedCaller with the
SQLite cache) at the server's concurrency and at ``--headroom`` times it (a
client slightly over capacity keeps a queue at the server, as one sizes a client
for vLLM's ``max_num_seqs``), beside bare POSTs with no cache or parsing (what
the server and loopback allow on this machine) and a naive sequential client;
then a fault run where a share of answers are 429 / 500 / garbage counts items lost
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

from loopback_server import http_response, serve_fixed_capacity

from distill.backends import ChatRequest, Message, OpenAIBackend
from distill.backends.http1 import HTTP1Client
from distill.cache import CachedCaller, LLMCache
from kg.settings import LLMSettings

_ITEM = re.compile(rb"item-(\d+)")
_OK = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant",
                                                       "content": '{"description": "ok"}'}}],
                  "usage": {"prompt_tokens": 20, "completion_tokens": 5}}).encode()


def serve(port: int, latency: float, capacity: int, fault: float, ready: mp.Event) -> None:
    """Run the loopback server until killed (:func:`loopback_server.serve_fixed_capacity`).

    A share ``fault`` of answers is a 429, a 500 or broken JSON. ``GET /stats`` answers
    how many 200 answers each ``item-N`` got (fault mode only).
    """
    ok_resp = http_response(200, _OK)
    faults = [http_response(429, b"{}", "Retry-After: 0\r\n"), http_response(500, b"{}"),
              http_response(200, b"{garbage")]
    ok_count: dict[int, int] = {}
    rng = random.Random(7)

    def answer(body: bytes) -> bytes:
        if fault and rng.random() < fault:
            return rng.choice(faults)
        if fault:
            m = _ITEM.search(body)
            if m:
                k = int(m.group(1))
                ok_count[k] = ok_count.get(k, 0) + 1
        return ok_resp

    def on_get(head: bytes) -> bytes:
        return http_response(200, json.dumps(ok_count).encode())

    serve_fixed_capacity(port, latency, capacity, ready, answer=answer, on_get=on_get)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(latency: float, capacity: int, fault: float) -> tuple[mp.Process, str]:
    port = _free_port()
    ready = mp.Event()
    proc = mp.Process(target=serve, args=(port, latency, capacity, fault, ready),
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


async def _bare_run(url: str, n: int, concurrency: int) -> float:
    """The same POSTs with no cache, hashing or parsing: what server + loopback allow."""
    client = HTTP1Client(url, {"Content-Type": "application/json"}, max_idle=concurrency)
    it = iter(range(n))

    async def worker() -> None:
        for i in it:
            await client.post("/chat/completions", b'{"item": "item-%d"}' % i, timeout=30)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await client.aclose()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small run")
    ap.add_argument("--capacity", type=int, default=256)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--headroom", type=float, default=1.25,
                    help="client concurrency as a multiple of the server's (default 1.25)")
    args = ap.parse_args()
    lat, cap = args.latency_ms / 1000, args.capacity
    n = 4000 if args.quick else 20000
    n_seq = 40 if args.quick else 100
    n_fault = 1000 if args.quick else 5000
    capacity_rps = cap / lat
    over = max(cap, round(cap * args.headroom))
    print(f"server: capacity {cap} concurrent x {args.latency_ms:.0f} ms = "
          f"{capacity_rps:.0f} req/s")
    rows: list[tuple[str, int, int, float]] = []
    proc, url = _start(lat, cap, 0.0)
    try:
        rows.append(("bare HTTP POSTs (ceiling)", 2 * cap, n,
                     n / asyncio.run(_bare_run(url, n, 2 * cap))))
        for conc in (cap, over):
            elapsed, cached, errors = asyncio.run(_client_run(url, n, conc, 5))
            if cached != n or errors:
                print(f"  concurrency {conc}: {cached} of {n} cached, {errors} errors")
            rows.append(("distill (async, cached)", conc, n, n / elapsed))
        rows.append(("naive sequential httpx", 1, n_seq, n_seq / _sequential(url, n_seq)))
    finally:
        proc.kill()
    print(f"{'client':<28}{'concurrency':>12}{'requests':>10}{'req/s':>10}{'of capacity':>13}")
    for name, conc, count, rps in rows:
        print(f"{name:<28}{conc:>12}{count:>10}{rps:>10.0f}{rps / capacity_rps:>13.3f}")
    print(f"distill at {over} concurrent: {rows[2][3] / rows[-1][3]:.0f}x the sequential client; "
          "a client slightly over the server's capacity keeps a queue there, so no slot idles "
          "while an answer is being processed")

    fault = 0.1
    proc, url = _start(lat, cap, fault)
    try:
        elapsed, cached, errors = asyncio.run(_client_run(url, n_fault, over, 8))
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
