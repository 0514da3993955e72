"""Concept-link precision on judged links from real intention text.

Runs the public command ``intentkg eval concepts PHRASES.txt --out LINKS.tsv``
on the dev or test phrases of :mod:`concept_data` (ATOMIC-2020, FolkScope and
IntentionQA text read from ../shared/samples) and scores every link it writes
against ``bench/data/concept_links_judged.tsv`` (split, ref, synset, label 1/0;
judging rule in bench/data/README.md). Prints precision over judged links, how
many links are not judged yet (listed with ``--show``), how many phrases got at
least one link and at least one correct link, and seconds per phrase.

    .venv/bin/python bench/bench_concept_quality.py [--split dev|test] [--show]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from concept_data import phrases

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "bench" / "data" / "concept_links_judged.tsv"


def judged() -> dict[tuple[str, str], int]:
    """``(ref, synset) → label`` of every judged link."""
    with JUDGED.open(encoding="utf-8") as fh:
        return {(r["ref"], r["synset"]): int(r["label"])
                for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--show", action="store_true", help="list unjudged and wrong links")
    args = ap.parse_args()
    by_ref = phrases(args.split)
    ref_of = {" ".join(t.split()): r for r, t in by_ref.items()}
    labels = judged()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "phrases.txt", Path(tmp) / "links.tsv"
        src.write_text("".join(" ".join(t.split()) + "\n" for t in by_ref.values()),
                       encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "intentkg", "eval", "concepts", str(src),
                               "--out", str(out), "--workdir", tmp], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(proc.stderr[-2000:])
        with out.open(encoding="utf-8") as fh:
            links = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    marks = [labels.get((ref_of[r["phrase"]], r["synset"])) for r in links]
    scored = [m for m in marks if m is not None]
    right = sum(scored)
    linked = {r["phrase"] for r in links}
    linked_ok = {r["phrase"] for r, m in zip(links, marks, strict=True) if m == 1}
    n = len(by_ref)
    print(f"{args.split}: {n} phrases, {len(links)} links, {len(scored)} judged, "
          f"{len(links) - len(scored)} unjudged")
    print(f"precision {right}/{len(scored)} = {right / max(1, len(scored)):.3f}")
    print(f"phrases with a link {len(linked)}/{n} ({len(linked) / n:.0%}), "
          f"with a correct link {len(linked_ok)}/{n} ({len(linked_ok) / n:.0%})")
    print(f"command wall time {seconds:.1f}s (model loading included)")
    if args.show:
        for r, m in zip(links, marks, strict=True):
            if m != 1:
                print("UNJUDGED" if m is None else "WRONG", ref_of[r["phrase"]], r["synset"],
                      r["phrase"][:80], sep="\t")


if __name__ == "__main__":
    main()
