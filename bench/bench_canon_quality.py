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

With ``--model-judge`` a third run adds the model's second opinion on the pairs the
rules leave unmatched (``canon.model_judge``; the model is the one the ``llm``
settings name, e.g. ``INTENTKG_LLM__BACKEND=local`` for the local llama.cpp server;
answers are cached under ``--cache``), at each ``--opinion-threshold`` given.

    .venv/bin/python bench/bench_canon_quality.py [--split dev|test|both] [--json DIR]
        [--model-judge [--opinion-threshold P ...]]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from contextlib import ExitStack
from pathlib import Path

from kg.canon.decide import SecondOpinion, make_judge
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
    ap.add_argument("--model-judge", action="store_true",
                    help="also run with the llm model's second opinion (canon.model_judge)")
    ap.add_argument("--opinion-threshold", type=float, action="append",
                    help="P(same) that merges (repeatable; default canon.model_threshold)")
    args = ap.parse_args()
    base = Settings()
    runs: list[tuple[str, Settings]] = [
        ("rules (shipped)", Settings()),
        ("cosine 0.70 (old)", Settings(canon={"decision": "cosine", "threshold": 0.70}))]
    if args.model_judge:
        for p in args.opinion_threshold or [base.canon.model_threshold]:
            runs.append((f"rules + model P>={p:g}",
                         Settings(canon={"model_judge": True, "model_threshold": p})))
    embedder = CachedEmbedder(SentenceTransformerEmbedder(base.embed.model),
                              EmbeddingCache(args.cache / "embeddings.sqlite"))
    splits = {"both": ("dev", "test"), "all": ("dev", "dev2", "test")}.get(
        args.split, (args.split,))
    print(f"{'split / setting':<28} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    with ExitStack() as stack:
        opinion: SecondOpinion | None = None
        if args.model_judge:
            from distill.same_meaning import same_meaning

            opinion = stack.enter_context(same_meaning(args.cache, base))
        for split in splits:
            _split(split, runs, embedder, args, opinion)


def _split(split: str, runs: list[tuple[str, Settings]], embedder: CachedEmbedder,
           args: argparse.Namespace,
           opinion: SecondOpinion | None) -> None:
    path = DATA / f"canon_{split}.tsv"
    pairs: list[LabelledPair] = read_pairs(path)
    domains = _domains(path)
    for label, settings in runs:
        judge = make_judge(settings, parse_cache=args.cache / "parse_cache.sqlite",
                           wordnet_cache=args.cache / ".wordnet",
                           opinion=opinion if settings.canon.model_judge else None)
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
            tag = f"model{settings.canon.model_threshold:g}" \
                if settings.canon.model_judge else settings.canon.decision
            out = args.json / f"canon_{split}_{tag}.json"
            out.write_text(json.dumps(ev.to_dict(), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
