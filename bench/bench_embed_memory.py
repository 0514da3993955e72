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

from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
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


def measure(cache_path: Path, n: int, exact_limit: int) -> None:
    """Child: canonicalize ``n`` cached phrases; print RSS before, peak after."""
    from kg.canon.canonicalize import canonicalize

    texts = distinct(n)
    counts = dict.fromkeys(texts, 1)

    class _NoModel:
        name, dim = Settings().embed.model, DIM

        def encode(self, texts: list[str]) -> None:
            raise SystemExit("a phrase was not in the cache: run the fill step first")

    embedder = CachedEmbedder(_NoModel(), EmbeddingCache(cache_path))  # type: ignore[arg-type]
    base = rss_mb()
    t0 = time.perf_counter()
    canon = canonicalize(counts, embedder, threshold=Settings().canon.threshold,
                         exact_limit=exact_limit)
    took = time.perf_counter() - t0
    peak = peak_mb()
    print(f"{n:>8} phrases: {canon.n_intentions} intentions in {took:.1f}s; RSS before "
          f"{base:.0f} MB, peak {peak:.0f} MB, growth {peak - base:.0f} MB "
          f"(vectors alone {n * DIM * 4 / 2**20:.0f} MB)")
    print(f"RESULT {n} {peak - base:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="6k and 12k phrases")
    ap.add_argument("--exact-limit", type=int, default=2000)
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--engine", choices=["local", "ray"], default="local")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/intentkg_bench_embed.sqlite"))
    ap.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.cache, args.measure, args.exact_limit)
        return
    sizes = args.sizes or ([6_000, 12_000] if args.quick else [25_000, 50_000])
    fill(args.cache, distinct(max(sizes)), args.engine)
    growth: dict[int, float] = {}
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--cache", str(args.cache),
                              "--exact-limit", str(args.exact_limit), "--measure", str(n)],
                             capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            if line.startswith("RESULT"):
                growth[n] = float(line.split()[2])
            else:
                print(line)
    (small, a), (large, b) = sorted(growth.items())[0], sorted(growth.items())[-1]
    slope = (b - a) / (large - small) if large > small else b / large
    print(f"per phrase: {slope * 1024:.2f} KB marginal ({b / large * 1024:.2f} KB average at "
          f"{large}); extrapolated: {slope * 1e6 / 1024:.1f} GB per million phrases "
          f"(+ {(b - slope * large):.0f} MB fixed)")


if __name__ == "__main__":
    main()
