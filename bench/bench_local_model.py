"""Generation throughput through the distill client against the local llama.cpp server.

For 1, 2 and 4 server slots (``--parallel``), the real client path (OpenAIBackend,
sized from the server's ``/props``) sends ``--requests`` chat requests that each
generate ``--tokens`` tokens, and reports the aggregate completion tokens per
second (sum of ``usage.completion_tokens`` over wall time, prompts included).
Beside it, the bare engine on the same model and threads: ``llama-bench`` (text
generation of one sequence) and ``llama-batched-bench`` (N sequences decoded
together, N = the slot count, each with a prompt of the client's length; completion
tokens over prompt plus generation time). The ratio client/engine at each slot count
says what the server and the client cost on top of the engine; on one thread, N
sequences are not N times faster than one, and that is the engine's limit, which the
batched figure shows.

A tiny CPU model measures the system (server, client, batching), not the knowledge.

Usage: .venv/bin/python bench/bench_local_model.py [--threads 1] [--requests 8] [--tokens 96]
       [--repeats 3]
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


def batched_bench(binary: Path, model: Path, threads: int, prompt: int, tokens: int,
                  parallel: tuple[int, ...]) -> dict[int, float]:
    """Completion tokens/s of ``llama-batched-bench`` for each count of parallel sequences."""
    tool = binary.parent / "llama-batched-bench"
    if not tool.is_file():
        raise SystemExit(f"{tool} is not built; run `make llama-server` (it builds it)")
    out = subprocess.run([str(tool), "-m", str(model), "-t", str(threads), "-c",
                          str(max(parallel) * (prompt + tokens) + 64), "-npp", str(prompt),
                          "-ntg", str(tokens), "-npl", ",".join(map(str, parallel)),
                          "--output-format", "jsonl"],
                         capture_output=True, text=True, check=True)
    rates: dict[int, float] = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            rates[int(row["pl"])] = row["pl"] * row["tg"] / (row["t_pp"] + row["t_tg"])
    return rates


async def prompt_tokens(server: LlamaServer) -> int:
    """Prompt tokens of one bench request (chat template included), as the server counts them."""
    llm = LLMSettings(backend="openai", base_url=server.base_url, model=server.alias,
                      concurrency=1, timeout_s=600)
    be = OpenAIBackend(llm, api_key=server.api_key)
    try:
        done = await be.complete(ChatRequest(model=server.alias, max_tokens=1, messages=(
            Message.text("user", f"Write a long story about {TOPICS[0]}."),)))
    finally:
        await be.aclose()
    return done.tokens_in


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
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each measurement; the best counts")
    args = parser.parse_args()
    binary = binary_dir() / "llama-server"
    if not binary.is_file():
        print(f"skipped: {binary} not built (make setup)")
        return 0
    model = ensure_weights(SMOLLM2_135M)
    rows = []
    prompt = 0
    for slots in (1, 2, 4):
        # client and engine back to back, best of --repeats each: on a shared machine
        # the best run is the one least slowed by others
        client, engine, total = 0.0, 0.0, 0
        with tempfile.TemporaryDirectory() as state:
            server = LlamaServer(binary, model, SMOLLM2_135M.alias, state_dir=Path(state),
                                 threads=args.threads, slots=slots, ctx_per_slot=1024)
            with server:
                prompt = prompt or asyncio.run(prompt_tokens(server))
                for _ in range(args.repeats):
                    rate, total = asyncio.run(client_rate(server, args.requests, args.tokens))
                    client = max(client, rate)
        for _ in range(args.repeats):
            engine = max(engine, batched_bench(binary, model, args.threads, prompt,
                                               args.tokens, (slots,))[slots])
        rows.append((slots, client, engine, total))
    single = llama_bench(binary, model, args.threads, args.tokens)
    print(f"model {SMOLLM2_135M.alias}, {args.threads} thread(s), {prompt}-token prompts, "
          f"{args.tokens} tokens per request, {args.requests} requests, best of "
          f"{args.repeats}")
    print(f"llama-bench tg{args.tokens} (one sequence): {single:.1f} tokens/s")
    print(f"{'slots':>5} {'client tok/s':>13} {'engine tok/s':>13} {'ratio':>6} "
          f"{'vs one seq':>10} {'tokens':>7}")
    for slots, rate, engine, total in rows:
        print(f"{slots:>5} {rate:>13.1f} {engine:>13.1f} {rate / engine:>6.2f} "
              f"{rate / single:>10.2f} {total:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
