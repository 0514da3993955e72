"""Generation throughput through the distill client against the local llama.cpp server.

For 1, 2 and 4 server slots (``--parallel``), the real client path (OpenAIBackend,
sized from the server's ``/props``) sends ``--requests`` chat requests that each
generate ``--tokens`` tokens, and reports the aggregate completion tokens per
second (sum of ``usage.completion_tokens`` over wall time, prompts included).
Beside it, ``llama-bench`` measures text generation (``tg``) of the same model with
the same threads; the ratio client/llama-bench at one slot says what the server and
client cost on top of the bare engine.

A tiny CPU model measures the system (server, client, batching), not the knowledge.

Usage: .venv/bin/python bench/bench_local_model.py [--threads 1] [--requests 8] [--tokens 96]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distill.backends import ChatRequest, Message, OpenAIBackend
from distill.local_model import SMOLLM2_135M, binary_dir, ensure_weights
from distill.local_server import LlamaServer
from kg.settings import LLMSettings

TOPICS = ["a lighthouse keeper", "a winter hike", "a city garden", "a lost cat",
          "a night train", "a bakery at dawn", "a chess club", "a summer storm"]


def llama_bench(binary: Path, model: Path, threads: int, tokens: int) -> float:
    """Text-generation tokens/s of ``llama-bench`` (tg, batch of one sequence)."""
    out = subprocess.run([str(binary.parent / "llama-bench"), "-m", str(model), "-t",
                          str(threads), "-p", "0", "-n", str(tokens), "-r", "3", "-o", "json"],
                         capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)
    return float(rows[0]["avg_ts"])


async def client_rate(server: LlamaServer, requests: int, tokens: int) -> tuple[float, int]:
    """(aggregate completion tokens/s, tokens) of ``requests`` concurrent requests."""
    llm = LLMSettings(backend="openai", base_url=server.base_url, model=server.alias,
                      concurrency=64, temperature=0.8, timeout_s=600)
    be = OpenAIBackend(llm, api_key=server.api_key)
    reqs = [ChatRequest(model=server.alias, temperature=0.8, max_tokens=tokens,
                        messages=(Message.text("user", f"Write a long story about "
                                               f"{TOPICS[i % len(TOPICS)]}."),))
            for i in range(requests)]
    try:
        await be.complete(ChatRequest(model=server.alias, max_tokens=4,
                                      messages=(Message.text("user", "hi"),)))  # warm up
        start = time.perf_counter()
        done = await asyncio.gather(*(be.complete(r) for r in reqs))
        wall = time.perf_counter() - start
    finally:
        await be.aclose()
    total = sum(r.tokens_out for r in done)
    return total / wall, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=96)
    args = parser.parse_args()
    binary = binary_dir() / "llama-server"
    if not binary.is_file():
        print(f"skipped: {binary} not built (make setup)")
        return 0
    model = ensure_weights(SMOLLM2_135M)
    bench = llama_bench(binary, model, args.threads, args.tokens)
    print(f"model {SMOLLM2_135M.alias}, {args.threads} thread(s), {args.tokens} tokens "
          f"per request, {args.requests} requests")
    print(f"llama-bench tg{args.tokens}: {bench:.1f} tokens/s")
    print(f"{'slots':>5} {'client tok/s':>13} {'ratio':>6} {'tokens':>7}")
    for slots in (1, 2, 4):
        with tempfile.TemporaryDirectory() as state:
            server = LlamaServer(binary, model, SMOLLM2_135M.alias, state_dir=Path(state),
                                 threads=args.threads, slots=slots, ctx_per_slot=1024)
            with server:
                rate, total = asyncio.run(client_rate(server, args.requests, args.tokens))
        print(f"{slots:>5} {rate:>13.1f} {rate / bench:>6.2f} {total:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
