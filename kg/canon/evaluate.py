"""Merge quality on labelled pairs, clustered exactly as the build merges.

:func:`evaluate_pairs` takes pairs of raw phrases with a gold label (1 = one
intention, 0 = different), normalises every phrase, clusters **all** phrases
of the file together with :func:`kg.canon.canonicalize` and the given
settings, and counts a pair as "predicted same" when both phrases end in the
same cluster. It returns precision, recall, F1 and every pair's decision with
its evidence (cosine, the pair rule, the clusters). Pure library code: the
``intentkg eval canon`` command reads the file and prints the result.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg.canon.canonicalize import canonicalize
from kg.canon.decide import PairJudge
from kg.canon.normalize import normalize_intention
from kg.embed import Embedder
from kg.errors import ConfigError
from kg.settings import Settings

__all__ = ["CanonEvaluation", "LabelledPair", "PairOutcome", "evaluate_pairs", "read_pairs"]


@dataclass(frozen=True)
class LabelledPair:
    """Two raw phrases and whether they are one intention."""

    text_a: str
    text_b: str
    label: bool


@dataclass
class PairOutcome:
    """What the clustering decided for one labelled pair, and why."""

    text_a: str
    text_b: str
    label: bool
    predicted: bool
    key_a: str
    key_b: str
    cosine: float
    rule: str
    """The pair decision's rule (``"threshold"`` on the cosine stage)."""
    detail: str
    cluster_a: str
    cluster_b: str


@dataclass
class CanonEvaluation:
    """Counts, precision, recall and F1 of one evaluation, with every pair's outcome."""

    tp: int
    fp: int
    fn: int
    tn: int
    settings: dict[str, Any]
    pairs: list[PairOutcome] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted same."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0.0 without positive pairs."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Figures, settings and every pair (for ``--json``)."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "settings": self.settings, "pairs": [asdict(p) for p in self.pairs]}


def read_pairs(path: Path) -> list[LabelledPair]:
    """Read a TSV with a header holding ``text_a``, ``text_b`` and ``label`` (1/0).

    Other columns are ignored; quotes are not special (phrases may hold them). A byte-order
    mark, Windows line ends and blanks or capitals in the header names are taken as they
    come from spreadsheets.

    Raises:
        ConfigError: the file is missing or not UTF-8, a column is missing or a label is
            not 0/1 (naming the line).
    """
    if not path.is_file():
        raise ConfigError(f"{path} does not exist; give a TSV with a header: text_a, text_b, "
                          "label")
    n = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
            missing = {"text_a", "text_b", "label"} - set(reader.fieldnames)
            if missing:
                raise ConfigError(f"{path}: missing column(s) {', '.join(sorted(missing))} "
                                  "(a TSV with a header: text_a, text_b, label)")
            pairs = []
            for n, row in enumerate(reader, start=2):
                label = (row.get("label") or "").strip()
                if label not in ("0", "1"):
                    raise ConfigError(f"{path}:{n}: label must be 1 or 0, not {label!r}")
                pairs.append(LabelledPair(row["text_a"] or "", row["text_b"] or "",
                                          label == "1"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text after line {n} ({exc.reason})") from None
    return pairs


def evaluate_pairs(pairs: Sequence[LabelledPair], embedder: Embedder, settings: Settings,
                   judge: PairJudge | None) -> CanonEvaluation:
    """Cluster all phrases of ``pairs`` together and score the pairs.

    Args:
        pairs: the labelled pairs.
        embedder: the embedding model (the build's, usually cached).
        settings: ``canon`` settings are used as the build uses them.
        judge: the pair decision (:func:`kg.canon.decide.make_judge`), ``None`` for
            cosine only.
    """
    keys_a = [normalize_intention(p.text_a) for p in pairs]
    keys_b = [normalize_intention(p.text_b) for p in pairs]
    counts = dict.fromkeys(sorted(set(keys_a) | set(keys_b)), 1)
    canon = canonicalize(counts, embedder, threshold=settings.canon.threshold, judge=judge,
                         exact_limit=settings.canon.exact_limit,
                         candidates=settings.canon.candidates)
    out = CanonEvaluation(0, 0, 0, 0, settings={
        "decision": settings.canon.decision, "threshold": settings.canon.threshold,
        "wordnet_senses": settings.canon.wordnet_senses, "model": canon.model,
        "phrases": len(counts),
        "second_opinion": None if judge is None or judge.opinion is None else {
            "llm": settings.llm.model, "floor": judge.opinion.floor,
            "threshold": judge.opinion.threshold, "asked": judge.asked}})
    for p, ka, kb in zip(pairs, keys_a, keys_b, strict=True):
        ra, rb = canon.row(ka), canon.row(kb)
        same = bool(canon.canonical[ra] == canon.canonical[rb])
        cos = float(np.dot(canon.vectors[ra], canon.vectors[rb]))
        if judge is None:
            rule, detail = ("threshold", f"cosine {cos:.3f} vs {settings.canon.threshold}")
        else:
            d = judge.decide(ka, kb)
            rule, detail = d.rule, d.detail
        out.pairs.append(PairOutcome(
            p.text_a, p.text_b, p.label, same, ka, kb, round(cos, 6), rule, detail,
            canon.keys[int(canon.canonical[ra])], canon.keys[int(canon.canonical[rb])]))
        if same and p.label:
            out.tp += 1
        elif same:
            out.fp += 1
        elif p.label:
            out.fn += 1
        else:
            out.tn += 1
    return out
