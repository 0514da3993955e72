"""Build throughput: canonicalize + link concepts for a generated workload.

Generates N intention assertions (realistic short phrases from templates,
about 30% near-duplicates: case, punctuation, boilerplate, synonyms, word
order), then times ``build_graph`` cold (empty caches), again with cached
embeddings and parses (the candidate pairs searched afresh, as after new
assertions), and once more as a rebuild over the same phrases (candidate pairs
from the last build too, as after a change of merge rules), each in a process of its
own, and prints each build's peak RSS (resource.getrusage).

    .venv/bin/python bench/bench_build.py --quick      # 50k assertions
    .venv/bin/python bench/bench_build.py              # 1M assertions
    .venv/bin/python bench/bench_build.py -n 200000 --workdir /tmp/bench_build
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from kg.build import build_graph
from kg.io import write_records
from kg.records import IntentionAssertion
from kg.settings import Settings
from kg.workdir import WorkDir

VERBS = ["keep", "protect", "charge", "clean", "carry", "store", "cook", "bake", "brew", "make",
         "decorate", "organize", "repair", "wash", "dry", "feed", "walk", "train", "grow",
         "water", "light", "heat", "cool", "play", "watch", "record", "share", "celebrate",
         "promote", "show off", "plan", "visit", "support", "learn", "teach", "build", "paint",
         "wrap", "pack", "hang", "mount", "print", "connect", "stream", "track", "measure"]
OBJECTS = ["the phone", "the laptop", "the tablet", "the baby", "the dog", "the cat", "the kitchen",
           "the bathroom", "the car", "the bike", "the garden", "the lawn", "the house", "coffee",
           "tea", "bread", "a cake", "pasta", "steaks", "vegetables", "the plants", "the room",
           "drinks", "food", "clothes", "shoes", "hair", "the skin", "the guitar", "the piano",
           "video games", "movies", "photos", "videos", "music", "a birthday", "a wedding",
           "a graduation", "the team", "the album", "a new book", "the tent", "the backpack",
           "a gift", "the fish tank", "the printer", "the tv", "the wall", "the floor",
           "the windows", "the camera", "the battery", "the headphones", "the watch"]
TAILS = ["", "", "", "at home", "on the go", "while traveling", "in winter", "in summer",
         "for the kids", "with friends", "every day", "on weekends", "outdoors", "at work",
         "for a party", "in the rain", "at night", "on a budget", "for beginners", "safely"]
SYNONYMS = {"keep": "maintain", "protect": "safeguard", "clean": "tidy", "carry": "transport",
            "make": "prepare", "repair": "fix", "watch": "view", "celebrate": "mark",
            "build": "assemble", "share": "post", "store": "keep", "visit": "go to"}


def phrases(n: int, seed: int = 0) -> Iterator[tuple[str, str, str]]:
    """``(subject, relation, text)`` rows; about 30% repeat an earlier phrase with noise."""
    rng = random.Random(seed)
    seen: list[str] = []
    for i in range(n):
        if seen and rng.random() < 0.30:
            base = rng.choice(seen)
            kind = rng.randrange(4)
            if kind == 0:
                text = base.capitalize() + "."
            elif kind == 1:
                text = "to " + base
            elif kind == 2:
                verb = base.split(" ", 1)[0]
                text = base.replace(verb, SYNONYMS.get(verb, verb), 1)
            else:
                text = "because they both are used for " + base
        else:
            text = " ".join(w for w in (rng.choice(VERBS), rng.choice(OBJECTS),
                                        rng.choice(TAILS), rng.choice(TAILS)) if w)
            if rng.random() < 0.5:
                text += f" {rng.choice(['for', 'with', 'near', 'after'])} " \
                        f"{rng.choice(OBJECTS)}"
            seen.append(text)
        domain = "post" if i % 2 else "cobuy"
        yield (f"twitter_v1:{i}" if domain == "post" else f"cobuy:{i // 2}",
               "xIntent" if domain == "post" else "usedFor", text)


def write_workload(workdir: Path, n: int) -> None:
    records = (IntentionAssertion(
        id=IntentionAssertion.make_id(s, r, t), subject_id=s,
        subject_kind="post" if r == "xIntent" else "cobuy", relation=r, text=t, raw_text=t,
        model="bench", prompt_version="v1") for s, r, t in phrases(n))
    write_records(workdir / "distill" / "assertions.parquet", records)


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50k assertions")
    ap.add_argument("-n", type=int, default=None, help="number of assertions")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/intentkg_bench_build"))
    ap.add_argument("--keep-cache", action="store_true",
                    help="keep graph/*.sqlite from an earlier run (measure cached only)")
    args = ap.parse_args()
    n = args.n or (50_000 if args.quick else 1_000_000)
    wd: Path = args.workdir
    if not args.keep_cache:
        shutil.rmtree(wd, ignore_errors=True)
    t0 = time.perf_counter()
    write_workload(wd, n)
    print(f"generated {n} assertions in {time.perf_counter() - t0:.1f}s")
    labels = ("cold" if not args.keep_cache else "cached", "cached", "rebuild")
    spawn = multiprocessing.get_context("spawn")
    for label in labels:
        # Each build in a process of its own, as a user runs it: its peak RSS is its own,
        # not the high-water mark of the builds before it in this process.
        child = spawn.Process(target=_build, args=(wd, label))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"{label} build failed (exit code {child.exitcode})")


def _build(wd: Path, label: str) -> None:
    """One timed build, printed with the process's own peak RSS."""
    settings = Settings(workdir=wd)
    if label != "rebuild":
        WorkDir(wd).candidates_cache.unlink(missing_ok=True)
    t0 = time.perf_counter()
    report = build_graph(wd, settings)
    took = time.perf_counter() - t0
    print(f"{label:6s} build: {took:8.1f}s  phrases {report.distinct_phrases}  "
          f"intentions {report.intentions}  merges {report.merges}  "
          f"concepts {report.concepts}  candidate pairs {report.candidate_pairs}"
          f"{' (cached)' if report.candidates_cached else ''}  "
          f"embedded {report.embedded}  "
          f"parsed {report.parsed} (merge decision {report.canon_parsed})  "
          f"peak RSS {peak_rss_gb():.2f} GiB", flush=True)
    print(f"       phases: {report.phases}", flush=True)
    if report.embedded:
        enc = report.phases["canonicalize"] + report.phases["concepts"]
        print(f"       ~{report.embedded / enc:.0f} texts/s embedded+parsed (cold, 2 cores)",
              flush=True)

if __name__ == "__main__":
    main()
