"""Real intention phrases for the concept-link benchmark, read from ../shared/samples.

The phrases are never copied into this repository: the judged links in
``bench/data/concept_links_judged.tsv`` name each phrase by a reference
``<file under shared/samples>:<line or record>[:<field>]`` and this module reads
the text back from the released files.

Splits (by source file, so no phrase text is in both):

* dev: ATOMIC-2020 tails of kogito's train and dev samples; IntentionQA
  ``task1_byRelation`` assertions and their distractor assertions.
* test: ATOMIC-2020 tails of kogito's test sample; FolkScope's crowdsourced
  co-buy assertions (``tail_1``/``tail_2`` of the b1 sample); IntentionQA
  ``task1``/``task2`` sample assertions and distractor assertions. A test phrase
  whose text is also a dev phrase is left out.

Tails ``none`` are skipped, as ingest skips them; the co-buy template
"PersonX bought ... because" in front of FolkScope and IntentionQA tails is removed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

_COBUY = re.compile(
    r"^PersonX bought a product of Item A and a product of Item B(?: because)?[ ,]*", re.I)
"""The co-buy template of FolkScope and IntentionQA assertions; the intention is what follows."""

SAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples"

DEV_FILES = ("atomic2020/kogito_sample_train.tsv", "atomic2020/kogito_sample_dev.tsv",
             "intentionqa/QA_fullInfo_task1_byRelation.sample.jsonl")
TEST_FILES = ("atomic2020/kogito_sample_test.tsv",
              "intention_kb/folkscope_crowdsourcing_integrate_4500_b1.sample.csv",
              "intentionqa/QA_fullInfo_task1.sample.jsonl",
              "intentionqa/QA_fullInfo_task2.sample.jsonl")


def _read(rel: str) -> Iterator[tuple[str, str]]:
    path = SAMPLES / rel
    if rel.endswith(".tsv"):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                cols = line.rstrip("\r\n").split("\t")
                if len(cols) >= 3:
                    yield f"{rel}:{n}", cols[2]
    elif rel.endswith(".csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), 1):
                for key in ("tail_1", "tail_2"):
                    if row.get(key):
                        yield f"{rel}:{n}:{key}", row[key]
    else:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                rec = json.loads(line)
                yield f"{rel}:{n}:assertion", rec["assertion"]
                for i, text in enumerate(rec.get("distractors_asserstion") or []):
                    yield f"{rel}:{n}:distractors_asserstion.{i}", text


def phrases(split: str) -> dict[str, str]:
    """``reference → phrase`` of a split (``"dev"`` or ``"test"``), first reference per text."""
    files = DEV_FILES if split == "dev" else TEST_FILES
    seen: set[str] = set()
    if split == "test":
        seen = {t.lower() for t in phrases("dev").values()}
    out: dict[str, str] = {}
    for rel in files:
        for ref, text in _read(rel):
            text = _COBUY.sub("", text.strip())
            key = text.lower()
            if not key or key == "none" or key in seen:
                continue
            seen.add(key)
            out[ref] = text
    return out


def resolve(ref: str) -> str:
    """The phrase a reference names."""
    rel = ref.split(":", 1)[0]
    for r, text in _read(rel):
        if r == ref:
            return _COBUY.sub("", text.strip())
    raise KeyError(ref)


if __name__ == "__main__":
    for split in ("dev", "test"):
        got = phrases(split)
        print(split, len(got))
