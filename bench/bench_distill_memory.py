"""Peak memory of a distillation run as the input grows (outputs stream to Parquet).

Ingests the bundled example's posts, copies them ``--copies`` times under new
ids, and distills every copy with the replay backend (the example's recorded
answers; after the first copy every call is answered by the SQLite cache, so
the run measures the pipeline, not a model). Prints posts, assertions written,
seconds and the peak RSS of the process; two sizes show whether memory grows
with the input.

    .venv/bin/python bench/bench_distill_memory.py            # 2,000 and 4,000 copies
    .venv/bin/python bench/bench_distill_memory.py --quick    # 200 and 400 copies
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from distill.run import run_distill  # noqa: E402
from ingest.run import run_ingest  # noqa: E402
from intentkg.demo_answers import EXAMPLE_INPUTS  # noqa: E402
from kg.io import iter_records, write_records  # noqa: E402
from kg.records import Post  # noqa: E402
from kg.settings import Settings  # noqa: E402

EXAMPLE = ROOT / "examples" / "demo"


def _one(copies: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """Run in a fresh process so each size has its own peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-distill-mem-") as tmp:
        base_wd, wd = Path(tmp) / "base", Path(tmp) / "wd"
        run_ingest("auto", [EXAMPLE / "raw" / n for n in EXAMPLE_INPUTS], base_wd,
                   image_map=EXAMPLE / "images" / "index.json")
        base = list(iter_records(base_wd / "ingest" / "posts.parquet", Post))

        def posts() -> Iterator[Post]:
            for k in range(copies):
                for p in base:
                    yield p.model_copy(update={"id": f"{p.id}~{k}",
                                               "source_id": f"{p.source_id}~{k}"})

        n = write_records(wd / "ingest" / "posts.parquet", posts())
        settings = Settings(workdir=wd)
        settings.llm.backend = "replay"
        settings.llm.replay_file = EXAMPLE / "replay.jsonl"
        settings.llm.model = "Qwen/Qwen2-VL-7B-Instruct"
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        report = run_distill(wd, settings)  # the recorded answers cover all relations
        out.put((n, report.written["assertions"], time.perf_counter() - start, before,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 and 400 copies")
    args = ap.parse_args()
    sizes = (200, 400) if args.quick else (2000, 4000)
    print(f"{'posts':>9}{'assertions':>12}{'seconds':>9}{'RSS before':>12}{'peak RSS':>10}")
    ctx = mp.get_context("spawn")
    for copies in sizes:
        queue = ctx.Queue()
        proc = ctx.Process(target=_one, args=(copies, queue))
        proc.start()
        n, written, secs, before, peak = queue.get()
        proc.join()
        print(f"{n:>9,}{written:>12,}{secs:>9.1f}{before:>10.0f}MB{peak:>8.0f}MB")


if __name__ == "__main__":
    main()
