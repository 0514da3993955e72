"""Ingest throughput and peak memory on a generated Amazon 2018 metadata file.

Usage: ``.venv/bin/python bench/bench_ingest.py [--quick] [--lines N] [--gzip]``.
Prints lines/s, records/s and peak memory (RSS from getrusage, and the Python
heap peak from tracemalloc on a separate, smaller reader-only pass).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import read_amazon_2018, run_ingest


def generate(path: Path, lines: int, *, compress: bool, seed: int = 0) -> None:
    """Write ``lines`` Amazon-2018-like records (HTML entities, also_buy, CSS-junk prices)."""
    rng = random.Random(seed)
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        for i in range(lines):
            asin = f"B{i:09d}"
            also = [f"B{rng.randrange(lines):09d}" for _ in range(rng.randrange(0, 6))]
            price = rng.choice(["", f"${rng.randrange(1, 300)}.{rng.randrange(100):02d}",
                                ".a-box-inner{background-color:#fff}.a-box{border:0}"])
            rec = {
                "category": ["Appliances", "Parts &amp; Accessories"],
                "tech1": "", "description": [f"Part number {i} fits <b>most</b> models."],
                "fit": "", "title": f"Replacement Part {i} &amp; Clamp", "also_buy": also,
                "image": [f"https://images-na.ssl-images-amazon.com/images/I/{i}._SS40_.jpg"],
                "tech2": "", "brand": f"Brand{i % 97}", "feature": ["Durable", "Easy install"],
                "rank": [f">#{i} in Appliances (See top 100)"], "also_view": [],
                "details": {"ASIN: ": asin}, "main_cat": "Appliances", "similar_item": "",
                "date": "", "price": price, "asin": asin,
            }
            fh.write(json.dumps(rec) + "\n")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50k lines instead of 1M")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--gzip", action="store_true", help="gzip the generated file")
    args = parser.parse_args()
    lines = args.lines or (50_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / ("meta.json.gz" if args.gzip else "meta.json")
        t0 = time.perf_counter()
        generate(src, lines, compress=args.gzip)
        print(f"generated {lines} lines ({src.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        n = sum(1 for _ in read_amazon_2018(src))
        dt = time.perf_counter() - t0
        print(f"reader only: {n} records in {dt:.1f}s = {lines / dt:,.0f} lines/s, "
              f"{n / dt:,.0f} records/s")

        t0 = time.perf_counter()
        report = run_ingest("amazon2018", [src], Path(tmp) / "work")
        dt = time.perf_counter() - t0
        read = sum(report.read.values())
        print(f"run_ingest (dedupe + Parquet): {read} records read, written {report.written} "
              f"in {dt:.1f}s = {lines / dt:,.0f} lines/s, {read / dt:,.0f} records/s")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the process: {rss:.0f} MB")

        sample = min(lines, 50_000)
        small = Path(tmp) / "small.json"
        generate(small, sample, compress=False)
        tracemalloc.start()
        for _ in read_amazon_2018(small):
            pass
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"reader Python-heap peak (tracemalloc, {sample} lines): {peak:.1f} MB")


if __name__ == "__main__":
    main()
