"""Throughput of one client over 1, 2 and 4 model servers (``llm.base_urls``), and a fault run.

Each server is a separate process on loopback (an asyncio HTTP/1.1 server with
keep-alive) that works on at most ``capacity`` requests at once, each for a fixed
``latency`` (the rest queue, as llama.cpp's and vLLM's do), so one server's
capacity is ``capacity / latency`` requests/s. The client is the real path:
OpenAIBackend over the pool + CachedCaller with the SQLite call cache, with
``llm.concurrency`` 1.25 x each server's capacity (``--headroom``; what the
settings advise for vLLM's ``max_num_seqs``). The table gives the throughput
against N servers, its ratio to N x one server's capacity and to N x what one
server measured in the same invocation, with the client's CPU use (user + system
seconds per wall second; 2.0 = both cores of this machine), so a ratio below 1
can be told apart from a client out of CPU.

The fault run kills one of the servers (SIGKILL) when 40 % of the items are
answered. Each server appends every item it receives and every item it answers
to its own file, so the killed one's counts survive it: lost = items with no
answer in the cache at the end; duplicated = items answered by servers more than
once (paid twice); re-sent = items the killed server was working on that another
server answered. Then the same items are asked again through the same cache:
the servers must receive nothing.

Measured on the 2-core development machine while other jobs loaded it (load
average 8-12), capacity 16 x 200 ms = 80 req/s per server, llm.concurrency 20 per
server, 6 s of work per run; two runs back to back (2 December 2026)::

    servers  capacity req/s  items  req/s  ratio  vs N x 1 measured  client CPU
          1              80    480   75.3  0.942              1.000        0.06
          2             160    960  152.9  0.956              1.015        0.07
          4             320   1920  291.7  0.912              0.968        0.15

          1              80    480   76.3  0.954              1.000        0.06
          2             160    960  154.7  0.967              1.014        0.09
          4             320   1920  303.2  0.948              0.994        0.14

    fault run: 4 servers, server 2 killed (SIGKILL) at 40 %: 1920 items in 7.6 s
    (capacity allows 7.2 s), 0 errors, 0 lost, 0 duplicated, 19 and 20 re-sent to
    another server; second run over the same items: 0 requests to the servers
    (1920 from the cache)

The client used 0.15 of a core at 4 servers. What is short of 1.0 is the loaded
machine's scheduling of the server processes (their timers fire late), not the
pool: the shortfall moves with the load, one server alone included (a 15 s run
at load average 12 measured 0.81, 0.74 and 0.93 for 1, 2 and 4 servers; its fault
run took 19.4 s for 18.0 s of capacity, again 0 lost and 0 duplicated).

Usage: .venv/bin/python bench/bench_server_pool.py [--capacity 16] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import resource
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loopback_server import http_response, serve_fixed_capacity

from distill.backends import ChatRequest, Message, OpenAIBackend
from distill.cache import CachedCaller, LLMCache
from kg.settings import LLMServer, LLMSettings

_ITEM = re.compile(rb"item-(\d+)")
_OK = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant",
                                                       "content": '{"description": "ok"}'}}],
                  "usage": {"prompt_tokens": 20, "completion_tokens": 5}}).encode()


def serve(port: int, latency: float, capacity: int, log_path: str,
          ready: EventType) -> None:
    """Run one server until killed (:func:`loopback_server.serve_fixed_capacity`);
    ``GET /health`` answers at once. Appends ``r N`` when item N arrives and ``d N``
    when it is answered."""
    ok_resp = http_response(200, _OK)
    health = http_response(200, b"{}")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def note(kind: bytes, body: bytes) -> None:
        m = _ITEM.search(body)
        if m:
            os.write(log_fd, kind + b" " + m.group(1) + b"\n")

    def answer(body: bytes) -> bytes:
        note(b"d", body)
        return ok_resp

    serve_fixed_capacity(port, latency, capacity, ready, answer=answer,
                         on_get=lambda head: health, on_arrival=lambda body: note(b"r", body))


@dataclass
class Server:
    """One server process and its log."""

    proc: mp.Process
    url: str
    log: Path

    def counts(self) -> tuple[Counter[int], Counter[int]]:
        """Items received and items answered, from its log."""
        received: Counter[int] = Counter()
        answered: Counter[int] = Counter()
        for line in self.log.read_text().splitlines():
            kind, item = line.split()
            (received if kind == "r" else answered)[int(item)] += 1
        return received, answered


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(latency: float, capacity: int, log: Path) -> Server:
    port = _free_port()
    ready = mp.Event()
    proc = mp.Process(target=serve, args=(port, latency, capacity, str(log), ready),
                      daemon=True)
    proc.start()
    if not ready.wait(20):
        raise RuntimeError("a bench server did not start")
    return Server(proc, f"http://127.0.0.1:{port}/v1", log)


def _request(i: int) -> ChatRequest:
    return ChatRequest(model="bench", messages=(Message.text("user", f"describe item-{i}"),),
                       stage="bench", subject=f"item-{i}", max_tokens=16)


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


@dataclass
class RunResult:
    """What one client run measured."""

    elapsed_s: float
    cpu_s: float
    errors: int
    cached: int
    from_cache: int


async def _client_run(urls: list[str], n: int, capacity: int, cache_path: Path,
                      kill: tuple[float, Server] | None = None,
                      headroom: float = 1.25) -> RunResult:
    # llm.concurrency a little over each server's capacity (as the settings advise for
    # vLLM's max_num_seqs): a short queue waits at each server, so none of its places
    # idles while the client handles an answer and sends the next request
    settings = LLMSettings(backend="openai", base_urls=[LLMServer(url=u) for u in urls],
                           model="bench",
                           concurrency=max(capacity, round(capacity * headroom)),
                           max_retries=8, timeout_s=30, health_interval_s=0.5)
    backend = OpenAIBackend(settings, backoff_s=0.01, max_backoff_s=0.2)
    cache = LLMCache(cache_path)
    caller = CachedCaller(backend, cache)
    it = iter(range(n))
    errors = 0
    done = 0

    async def worker() -> None:
        nonlocal errors, done
        for i in it:
            try:
                await caller(_request(i), "bench.v1")
            except Exception:
                errors += 1
            done += 1

    async def killer(share: float, victim: Server) -> None:
        # answers come in waves (one latency for all): wait until the victim is mid-wave
        index = urls.index(victim.url)
        while done < share * n or backend.servers[index].outstanding < capacity // 2 + 1:
            await asyncio.sleep(0.002)
        victim.proc.kill()  # SIGKILL: no goodbye, the requests it holds die with it

    # more callers than the pool has places, so a freed place always has a request waiting
    workers = round(len(urls) * settings.concurrency * 1.25)
    cpu0, start = _cpu_s(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)),
                         *([killer(*kill)] if kill is not None else []))
    elapsed, cpu = time.perf_counter() - start, _cpu_s() - cpu0
    await backend.aclose()
    cached = cache.count()
    cache.close()
    return RunResult(elapsed, cpu, errors, cached, caller.stats.cached)


def _scaling(args: argparse.Namespace, tmp: Path) -> None:
    lat, cap = args.latency_ms / 1000, args.capacity
    one = cap / lat
    print(f"one server: {cap} concurrent x {args.latency_ms:.0f} ms = {one:.0f} req/s; "
          f"llm.concurrency {max(cap, round(cap * args.headroom))} per server; "
          f"{args.seconds:g} s of work per run")
    print(f"{'servers':>7}  {'capacity req/s':>14}  {'items':>6}  {'req/s':>7}  "
          f"{'ratio':>5}  {'vs N x 1 measured':>17}  {'client CPU':>10}")
    single: float | None = None
    for n_servers in args.servers:
        servers = [_start(lat, cap, tmp / f"s{n_servers}-{k}.log") for k in range(n_servers)]
        try:
            items = round(n_servers * one * args.seconds)
            res = asyncio.run(_client_run([s.url for s in servers], items, cap,
                                          tmp / f"scale{n_servers}.sqlite",
                                          headroom=args.headroom))
        finally:
            for s in servers:
                s.proc.kill()
                s.proc.join()
        rps = items / res.elapsed_s
        single = rps if n_servers == 1 else single
        scaling = f"{rps / (n_servers * single):.3f}" if single else "-"
        note = "" if not res.errors and res.cached == items else (
            f"  ({res.errors} errors, {res.cached} cached)")
        print(f"{n_servers:>7}  {n_servers * one:>14.0f}  {items:>6}  {rps:>7.1f}  "
              f"{rps / (n_servers * one):>5.3f}  {scaling:>17}  "
              f"{res.cpu_s / res.elapsed_s:>10.2f}{note}")


def _fault(args: argparse.Namespace, tmp: Path) -> None:
    lat, cap = args.latency_ms / 1000, args.capacity
    n_servers = max(args.servers)
    servers = [_start(lat, cap, tmp / f"fault-{k}.log") for k in range(n_servers)]
    victim = servers[1 if n_servers > 1 else 0]
    items = round(n_servers * cap / lat * args.seconds)
    cache = tmp / "fault.sqlite"
    try:
        first = asyncio.run(_client_run([s.url for s in servers], items, cap, cache,
                                        kill=(0.4, victim), headroom=args.headroom))
        sent_before = sum(sum(s.counts()[0].values()) for s in servers)
        second = asyncio.run(_client_run([s.url for s in servers], items, cap, cache))
        sent_after = sum(sum(s.counts()[0].values()) for s in servers)
    finally:
        for s in servers:
            s.proc.kill()
            s.proc.join()
    answered: Counter[int] = Counter()
    for s in servers:
        answered.update(s.counts()[1])
    lost = items - first.cached
    duplicated = sum(1 for v in answered.values() if v > 1)
    got, gave = victim.counts()
    resent = sum(1 for k in got if k not in gave and answered[k] >= 1)
    one = cap / lat
    ideal = 0.4 * items / (n_servers * one) + 0.6 * items / (max(1, n_servers - 1) * one)
    print(f"fault run: {n_servers} servers, server {servers.index(victim) + 1} killed "
          f"(SIGKILL) at 40 %: {items} items in {first.elapsed_s:.1f} s (capacity allows "
          f"{ideal:.1f} s), {first.errors} errors, {lost} lost, {duplicated} duplicated, "
          f"{resent} re-sent to another server")
    print(f"second run over the same items: {sent_after - sent_before} requests to the "
          f"servers ({second.from_cache} from the cache)")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--capacity", type=int, default=16, help="requests one server works on")
    ap.add_argument("--latency-ms", type=float, default=200.0, help="time of one request")
    ap.add_argument("--seconds", type=float, default=6.0, help="work per run at capacity")
    ap.add_argument("--servers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--headroom", type=float, default=1.25,
                    help="llm.concurrency per server as a multiple of its capacity")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _scaling(args, Path(tmp))
        _fault(args, Path(tmp))


if __name__ == "__main__":
    main()
