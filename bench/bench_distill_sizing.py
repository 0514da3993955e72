"""What one post and one co-buy pair cost in model calls and tokens, on the bundled example.

Ingests examples/demo, distills it with the demo's replay answers through a
backend wrapper that records every request the stages send (the same requests
a real model would get), and prints per stage: calls, calls per post / product
/ pair, prompt characters and images, answer characters and ``max_tokens``.
Token figures are characters / 4 (English prose with Qwen-style BPE; an
estimate, no tokenizer is available offline) plus Qwen2-VL's image tokens, one
per 28x28 pixel patch (``--image-side`` pixels square: real product photos,
not the example's small images). The README's sizing example uses these figures.

    .venv/bin/python bench/bench_distill_sizing.py
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import math
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from distill.backends import ReplayBackend
from distill.backends.base import ChatRequest, ChatResponse
from distill.run import arun_distill
from kg.io import count_records
from kg.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
CHARS_PER_TOKEN = 4.0


class Measuring:
    """Answers from the replay file and keeps the size of every request."""

    def __init__(self, inner: ReplayBackend) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model
        self.supports_logprobs = inner.supports_logprobs
        self.seen: dict[str, list[tuple[int, int, int, int, int]]] = defaultdict(list)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        resp = await self.inner.complete(request)
        text = sum(len(m.plain_text) for m in request.messages)
        images = sum(len(m.images) for m in request.messages)
        answer = sum(len(t) for t in resp.texts)
        self.seen[request.stage].append((text, images, answer, request.max_tokens, request.n))
        return resp

    async def aclose(self) -> None:
        await self.inner.aclose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image-side", type=int, default=448,
                    help="pixels per side of a real image (Qwen2-VL: (side/28)^2 tokens)")
    args = ap.parse_args()
    image_tokens = math.ceil(args.image_side / 28) ** 2
    spec = importlib.util.spec_from_file_location("make_replay", DEMO / "make_replay.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        module.ingest_example(workdir)
        settings = Settings(workdir=workdir)
        backend = Measuring(ReplayBackend(DEMO / "replay.jsonl", settings.llm.model))
        asyncio.run(arun_distill(workdir, settings, backend))  # type: ignore[arg-type]
        posts = count_records(workdir / "ingest" / "posts.parquet")
        pairs = count_records(workdir / "ingest" / "cobuys.parquet")
    per = {"post": posts, "product": pairs, "cobuy": pairs}
    print(f"example: {posts} posts, {pairs} co-buy pairs; tokens = chars/{CHARS_PER_TOKEN:.0f} "
          f"+ {image_tokens} per image ({args.image_side}px side)")
    print(f"{'stage':24s} {'calls':>5s} {'per item':>9s} {'prompt tok':>10s} {'images':>6s} "
          f"{'answer tok':>10s} {'max_tokens':>10s}")
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for stage, rows in sorted(backend.seen.items()):
        n = len(rows)
        kind = stage.split("_", 1)[0]
        prompt = sum(t for t, *_ in rows) / n / CHARS_PER_TOKEN
        images = sum(i for _, i, *_ in rows) / n
        answer = sum(a for _, _, a, *_ in rows) / n / CHARS_PER_TOKEN
        cap = sum(m for *_, m, _ in rows) / n
        print(f"{stage:24s} {n:5d} {n / per[kind]:9.2f} {prompt:10.0f} {images:6.2f} "
              f"{answer:10.0f} {cap:10.0f}")
        unit = "post" if kind == "post" else "pair"
        totals[unit][0] += n / per[kind]
        totals[unit][1] += n / per[kind] * (prompt + images * image_tokens)
        totals[unit][2] += n / per[kind] * answer
    for unit, (calls, tin, tout) in totals.items():
        print(f"per {unit}: {calls:.2f} calls, {tin:.0f} prompt tokens, {tout:.0f} answer tokens"
              " (product descriptions counted per pair as in the example)")


if __name__ == "__main__":
    sys.exit(main())
