"""Memory of the one-node part of the build at scale: vectors, FAISS neighbours, clustering.

With ``embed.engine = "ray"`` the embeddings are computed on the cluster, but
canonicalization (the vectors of every distinct phrase, the FAISS HNSW
neighbour graph, clustering) runs in one process. This measures its peak RSS
for N distinct real-ish phrases (bench_build's generator: templates with ~30 %
near-duplicates), each size in a fresh child process, with the vectors already
in the embedding cache, and extrapolates per million phrases.

    .venv/bin/python bench/bench_embed_memory.py --quick        # 6k and 12k phrases
    .venv/bin/python bench/bench_embed_memory.py                # 25k and 50k phrases
    .venv/bin/python bench/bench_embed_memory.py --engine ray   # fill the cache on Ray

Neighbours come from FAISS HNSW as they do above ``canon.exact_limit`` phrases
(``--exact-limit``, default 2000 here, so small runs take the large-scale path).

The merge decision is the cosine threshold here; the default ``"rules"`` decision
adds spaCy parses of candidate pairs (cached on disk, see bench_build.py).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import phrases

from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder, text_hash
from kg.settings import Settings

DIM = 384


def distinct(n: int) -> list[str]:
    """The first ``n`` distinct lower-cased phrases of bench_build's workload."""
    seen: dict[str, None] = {}
    for _, _, text in phrases(n * 3):
        seen.setdefault(text.lower().strip(" ."), None)
        if len(seen) == n:
            break
    return list(seen)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(cache_path: Path, texts: list[str], engine: str) -> None:
    settings = Settings()
    cache = EmbeddingCache(cache_path)
    t0 = time.perf_counter()
    if engine == "ray":
        from kg.embed_ray import embed_on_ray

        done = embed_on_ray(cache, texts, settings.embed, settings.ray)
    else:
        cached = CachedEmbedder(SentenceTransformerEmbedder(settings.embed.model), cache,
                                batch_size=8192)
        cached.encode(texts)
        done = cached.misses
    took = time.perf_counter() - t0
    if done:
        print(f"embedded {done} phrases ({engine}) in {took:.0f}s = {done / took:.0f}/s")
    cache.close()


def measure(cache_path: Path, n: int, exact_limit: int, copies: int) -> None:
    """Child: canonicalize ``n`` cached phrases (times ``copies``); print the RSS it adds.

    With ``copies`` > 1 every real vector also comes back ``copies - 1`` times with a
    little noise (a dense near-duplicate neighbourhood, the worst case for the edge
    lists), under made-up phrase keys. The vectors are held in a dict before the clock
    starts, as the SQLite cache would hold them on disk; a warm-up run of 500 phrases
    loads FAISS and the rest first, so what is printed is what the phrases add.
    """
    import numpy as np

    from kg.canon.canonicalize import canonicalize

    texts = distinct(n)
    cache = EmbeddingCache(cache_path)
    model = Settings().embed.model
    found = cache.get_many(model, [text_hash(t) for t in texts])
    if len(found) < len(texts):
        raise SystemExit("a phrase was not in the cache: run the fill step first")
    rng = np.random.default_rng(0)
    table: dict[str, np.ndarray] = {}
    for t in texts:
        vec = found[text_hash(t)]
        table[t] = vec
        for c in range(1, copies):
            noisy = vec + rng.normal(0, 0.02, vec.shape).astype(np.float32)
            table[f"{t} #{c}"] = noisy / np.linalg.norm(noisy)
    del found

    class _Table:
        name, dim = model, DIM

        def encode(self, keys: list[str]) -> np.ndarray:
            return np.stack([table[k] for k in keys])

    threshold = Settings().canon.threshold
    canonicalize(dict.fromkeys(list(table)[:500], 1), _Table(), threshold=threshold,
                 exact_limit=min(exact_limit, 100))
    base = max(rss_mb(), peak_mb())
    t0 = time.perf_counter()
    canon = canonicalize(dict.fromkeys(table, 1), _Table(), threshold=threshold,
                         exact_limit=exact_limit)
    took = time.perf_counter() - t0
    peak = peak_mb()
    total = len(table)
    print(f"{total:>8} phrases ({n} real x {copies}): {canon.n_intentions} intentions in "
          f"{took:.1f}s; peak RSS {peak:.0f} MB, {peak - base:.0f} MB over the warm process "
          f"(their vectors alone: {total * DIM * 4 / 2**20:.0f} MB)")
    print(f"RESULT {total} {peak - base:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="6k and 12k phrases")
    ap.add_argument("--exact-limit", type=int, default=2000)
    ap.add_argument("--copies", type=int, nargs="*", default=[1, 5, 10],
                    help="noisy copies per real phrase: one measurement per value")
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--engine", choices=["local", "ray"], default="local")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/intentkg_bench_embed.sqlite"))
    ap.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.cache, args.measure, args.exact_limit, args.copies[0])
        return
    sizes = args.sizes or ([6_000, 12_000] if args.quick else [25_000, 50_000])
    fill(args.cache, distinct(max(sizes)), args.engine)
    growth: dict[int, float] = {}
    runs = [(n, 1) for n in sizes] + [(max(sizes), c) for c in args.copies if c > 1]
    for n, copies in runs:
        out = subprocess.run([sys.executable, __file__, "--cache", str(args.cache),
                              "--exact-limit", str(args.exact_limit), "--measure", str(n),
                              "--copies", str(copies)],
                             capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            if line.startswith("RESULT"):
                growth[int(line.split()[1])] = float(line.split()[2])
            else:
                print(line)
    (small, a), (large, b) = sorted(growth.items())[0], sorted(growth.items())[-1]
    slope = (b - a) / (large - small) if large > small else b / large
    print(f"per phrase: {slope * 1024:.2f} KB marginal ({b / large * 1024:.2f} KB average at "
          f"{large}); extrapolated: {slope * 1e6 / 1024:.2f} GB per million phrases")


if __name__ == "__main__":
    main()
