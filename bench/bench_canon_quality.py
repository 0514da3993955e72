"""Merge quality on real-text labelled pairs, clustered exactly as the build merges.

Runs :func:`kg.canon.evaluate.evaluate_pairs` (what ``intentkg eval canon``
runs) on the development and the test split of real intention text:

* ``bench/data/canon_dev.tsv``  (624 pairs; the decision was calibrated on it),
* ``bench/data/canon_dev2.tsv`` (267 pairs; a second development set drawn from the
  pairs an earlier decision accepted, so its precision is not a random-sample figure),
* ``bench/data/canon_test.tsv`` (568 pairs; never used for tuning),

built from ATOMIC-2020-derived crowd tails (CSKB-Population's evaluation set,
kogito's ATOMIC-2020 samples), FolkScope co-buy assertions (IntentionQA,
the FolkScope b1 sample) and labelled by the rule in bench/data/README.md.
Each split's phrases are clustered together with the shipped settings
(``decision="rules"``) and, for comparison, with the old cosine-only stage at
0.70. Prints precision, recall and F1 per split and domain.

    .venv/bin/python bench/bench_canon_quality.py [--split dev|test|both] [--json DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from kg.canon.decide import make_judge
from kg.canon.evaluate import CanonEvaluation, LabelledPair, evaluate_pairs, read_pairs
from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.settings import Settings

DATA = Path(__file__).parent / "data"


def _domains(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        col = header.index("domain")
        return [line.rstrip("\n").split("\t")[col] for line in fh if line.strip()]


def _row(name: str, ev: CanonEvaluation) -> str:
    return (f"{name:<28} {ev.precision:6.3f} {ev.recall:6.3f} {ev.f1:6.3f} "
            f"{ev.tp:4d} {ev.fp:4d} {ev.fn:4d}")


def _subset(ev: CanonEvaluation, keep: list[bool]) -> CanonEvaluation:
    pairs = [p for p, k in zip(ev.pairs, keep, strict=True) if k]
    return CanonEvaluation(
        tp=sum(p.label and p.predicted for p in pairs),
        fp=sum(p.predicted and not p.label for p in pairs),
        fn=sum(p.label and not p.predicted for p in pairs),
        tn=sum(not p.label and not p.predicted for p in pairs), settings=ev.settings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "dev2", "test", "both", "all"), default="both")
    ap.add_argument("--json", type=Path, help="write each run's pairs and evidence here")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "intentkg-canon",
                    help="embedding and parse caches")
    args = ap.parse_args()
    base = Settings()
    embedder = CachedEmbedder(SentenceTransformerEmbedder(base.embed.model),
                              EmbeddingCache(args.cache / "embeddings.sqlite"))
    splits = {"both": ("dev", "test"), "all": ("dev", "dev2", "test")}.get(
        args.split, (args.split,))
    print(f"{'split / setting':<28} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for split in splits:
        path = DATA / f"canon_{split}.tsv"
        pairs: list[LabelledPair] = read_pairs(path)
        domains = _domains(path)
        shipped = Settings()
        old = Settings(canon={"decision": "cosine", "threshold": 0.70})
        for label, settings in (("rules (shipped)", shipped), ("cosine 0.70 (old)", old)):
            judge = make_judge(settings, parse_cache=args.cache / "parse_cache.sqlite",
                               wordnet_cache=args.cache / ".wordnet")
            try:
                ev = evaluate_pairs(pairs, embedder, settings, judge)
            finally:
                if judge is not None:
                    judge.parser.close()
            n_same = sum(p.label for p in pairs)
            print(_row(f"{split} {label}", ev) + f"   ({len(pairs)} pairs, {n_same} same)")
            for dom in sorted(set(domains)):
                print(_row(f"  {dom}", _subset(ev, [d == dom for d in domains])))
            if args.json is not None:
                args.json.mkdir(parents=True, exist_ok=True)
                out = args.json / f"canon_{split}_{settings.canon.decision}.json"
                out.write_text(json.dumps(ev.to_dict(), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
