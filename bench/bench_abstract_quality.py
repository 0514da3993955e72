"""Abstract intentions on real intention text: what the build would name, and how sensible.

Every real phrase of :mod:`concept_data` (dev and test) is parsed and its direct
object linked as the build does; the script prints

* the abstract intentions :func:`kg.concepts.abstract.find_abstractions` makes
  from all of them at the shipped settings, with their instances, and
* for each phrase, every abstract intention it could join
  (:func:`kg.concepts.abstract.abstraction_texts`): the pool is too small for
  most groups to form, but each of these is a text the build makes once a
  second instance shares the verb and hypernym,

and scores the texts against ``bench/data/abstractions_judged.tsv`` (text,
label 1 = an analyst would find it sensible; rule in bench/data/README.md).

With ``--cskb FILE`` (HKUST-KnowComp/CSKB-Population's ``data/evaluation_set.csv``,
fetched outside this repository) the phrases are instead the distinct tails of the
want, intent, need and effect relations of one of its splits (``--split``, default
``tst``): thousands of real ATOMIC-style phrases, enough for groups to form as in a
build, and the abstractions the build would make are scored. ``--jsonl FILE`` (repeatable)
adds the ``assertion`` of every line of IntentionQA-style files (FolkScope co-buy
assertions) to the pool.

    .venv/bin/python bench/bench_abstract_quality.py [--show]
    .venv/bin/python bench/bench_abstract_quality.py --cskb PATH/evaluation_set.csv [--split dev]
        [--jsonl PATH/QA_fullInfo_task2.jsonl ...]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from concept_data import phrases

from kg.canon import normalize_intention
from kg.concepts import PhraseParser, WordNetLinker, open_wordnet
from kg.concepts.abstract import abstraction_texts, find_abstractions
from kg.concepts.evaluate import direct_objects
from kg.concepts.wordnet import DEFAULT_WORDNET_DIR
from kg.embed import SentenceTransformerEmbedder
from kg.settings import Settings

JUDGED = Path(__file__).resolve().parent / "data" / "abstractions_judged.tsv"
CSKB_RELATIONS = ("xIntent", "xWant", "oWant", "xNeed", "xEffect", "oEffect")


def cskb_phrases(path: Path, split: str) -> list[str]:
    """Distinct tails of :data:`CSKB_RELATIONS` in one split of CSKB-Population's file."""
    seen: dict[str, None] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["split"] == split and row["relation"] in CSKB_RELATIONS:
                seen.setdefault(row["tail"], None)
    return list(seen)


def jsonl_phrases(path: Path) -> list[str]:
    """The ``assertion`` of every line of an IntentionQA-style JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["assertion"] for line in fh if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="list every text with its label")
    ap.add_argument("--cskb", type=Path, help="CSKB-Population data/evaluation_set.csv")
    ap.add_argument("--split", default="tst", help="its split (with --cskb)")
    ap.add_argument("--jsonl", type=Path, action="append", default=[],
                    help="IntentionQA-style file whose assertions join the pool (repeatable)")
    args = ap.parse_args()
    cfg = Settings().abstract
    pooled = args.cskb or args.jsonl
    texts = [*(cskb_phrases(args.cskb, args.split) if args.cskb else []),
             *(t for path in args.jsonl for t in jsonl_phrases(path))] if pooled else \
        [*phrases("dev").values(), *phrases("test").values()]
    texts = list(dict.fromkeys(texts))
    keys = [normalize_intention(t) for t in texts]
    emb = SentenceTransformerEmbedder()
    vectors = emb.encode(keys)
    parts = PhraseParser().parse_intentions(keys, texts)
    wordnet = open_wordnet(DEFAULT_WORDNET_DIR, Path.home() / ".cache" / "intentkg-wordnet")
    linker = WordNetLinker(wordnet, emb)
    linker.prefetch_parts(parts)
    objects = list(direct_objects(linker, vectors, parts))
    found = find_abstractions(((keys[i], a, c, s) for i, a, c, s in objects),
                              max_levels=cfg.max_levels, min_instances=cfg.min_instances,
                              min_depth=cfg.min_depth)
    print(f"{len(texts)} phrases, {len(objects)} with a verb and a linked direct object, "
          f"{len(found)} abstract intentions:")
    for a in found:
        print(f"  {a.text}  <-  " + " | ".join(k for k, _ in a.instances))
    if pooled:  # enough phrases for groups: score what the build makes
        candidates = sorted({a.text for a in found})
    else:
        candidates = sorted({t for _, a, c, s in objects
                             for _, t in abstraction_texts(a, c, s, max_levels=cfg.max_levels,
                                                           min_depth=cfg.min_depth)}
                            | {a.text for a in found})
    with JUDGED.open(encoding="utf-8") as fh:
        labels = {r["text"]: int(r["label"])
                  for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    scored = [labels[t] for t in candidates if t in labels]
    print(f"{len(candidates)} abstract texts the phrases could join, {len(scored)} judged: "
          f"{sum(scored)} sensible = {sum(scored) / max(1, len(scored)):.0%}; "
          f"{len(candidates) - len(scored)} unjudged")
    if args.show:
        for t in candidates:
            print(labels.get(t, "?"), t, sep="\t")


if __name__ == "__main__":
    main()
