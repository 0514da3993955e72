"""A second opinion on merges: asked only about what the rules leave unmatched, kept as evidence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from kgbuild_support import WORDNET

from kg.build import build_graph, graph_paths
from kg.canon.decide import OpinionPolicy, PairJudge, SignatureParser, Synonyms
from kg.concepts.wordnet import open_wordnet
from kg.embed import SentenceTransformerEmbedder
from kg.io import read_records
from kg.records import MergeRecord
from kg.settings import Settings

needs_wordnet = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(),
                                   reason="Debian wordnet-base is not installed")


class Opinion:
    """A model stand-in: fixed P(same) per pair, 0.1 for any other; records what it was asked."""

    def __init__(self, answers: dict[tuple[str, str], float | None]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        self.asked.extend(pairs)
        return [self.answers.get(p, 0.1) for p in pairs]


def _judge(tmp_path: Path, opinion: Opinion, *, floor: float = 0.6, threshold: float = 0.9,
           limit: int = 100) -> PairJudge:
    synonyms = Synonyms(open_wordnet(WORDNET, tmp_path / "wn"))
    return PairJudge(SignatureParser(cache_path=tmp_path / "parse.sqlite", lexicon=synonyms),
                     synonyms, opinion=OpinionPolicy(opinion, floor, threshold, limit))


TEXTS = sorted(["his job", "his work", "not sit down", "sit down", "be delighted", "be happy",
                "eat pizza", "eat pasta", "buy a gift", "purchase a gift"])


def _edges(pairs: list[tuple[str, str, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = {t: i for i, t in enumerate(TEXTS)}
    rows = np.array([min(idx[a], idx[b]) for a, b, _ in pairs], dtype=np.int64)
    cols = np.array([max(idx[a], idx[b]) for a, b, _ in pairs], dtype=np.int64)
    return rows, cols, np.array([s for *_, s in pairs], dtype=np.float32)


@needs_wordnet
def test_only_unmatched_pairs_above_the_floor_are_asked(tmp_path: Path) -> None:
    opinion = Opinion({("his job", "his work"): 0.97, ("be delighted", "be happy"): None,
                       ("eat pasta", "eat pizza"): 0.5})
    judge = _judge(tmp_path, opinion, floor=0.6, threshold=0.9)
    edges = _edges([("his job", "his work", 0.83), ("not sit down", "sit down", 0.9),
                    ("be delighted", "be happy", 0.7), ("eat pizza", "eat pasta", 0.75),
                    ("buy a gift", "purchase a gift", 0.95),   # the rules merge it already
                    ("his job", "eat pizza", 0.3)])            # below the floor
    accepted = judge.same_pairs(TEXTS, edges[0], edges[1])
    assert accepted.tolist() == [False, False, False, False, True, False]
    got = judge.consult(TEXTS, edges, accepted)
    # negation stays with the rules; most similar asked first
    assert opinion.asked == [("his job", "his work"), ("eat pasta", "eat pizza"),
                             ("be delighted", "be happy")]
    assert got.tolist() == [True, False, False, False, True, False] and judge.asked == 3
    assert not accepted[0]  # the rules' array is not changed in place
    d = judge.decide("his work", "his job")
    assert d.same and d.rule == "model" and d.detail.startswith("P(same) 0.970; rules: ")
    assert judge.same("his job", "his work") and not judge.same("eat pizza", "eat pasta")
    assert judge.decide("be happy", "be delighted").rule == "unmatched"  # no answer: no merge
    assert judge.decide("sit down", "not sit down").rule == "negation"


@needs_wordnet
def test_the_limit_asks_the_most_similar_pairs(tmp_path: Path) -> None:
    opinion = Opinion({})
    judge = _judge(tmp_path, opinion, floor=0.6, threshold=0.9, limit=1)
    edges = _edges([("his job", "his work", 0.7), ("eat pizza", "eat pasta", 0.8)])
    judge.consult(TEXTS, edges, np.zeros(2, dtype=bool))
    assert opinion.asked == [("eat pasta", "eat pizza")]


@needs_wordnet
def test_a_wrong_number_of_answers_is_an_error(tmp_path: Path) -> None:
    judge = _judge(tmp_path, Opinion({}))
    judge.opinion = OpinionPolicy(lambda pairs: [], floor=0.6, threshold=0.9, limit=10)
    with pytest.raises(ValueError, match="0 answers for 1 pairs"):
        judge.consult(TEXTS, _edges([("his job", "his work", 0.8)]), np.zeros(1, dtype=bool))


@needs_wordnet
def test_build_keeps_the_model_evidence_in_the_merge_log(
        workdir: Path, minilm: SentenceTransformerEmbedder) -> None:
    opinion = Opinion({("brewing coffee at home", "making coffee at home"): 0.96,
                       ("charging the phone", "charging the phone battery"): 0.4})
    settings = Settings(workdir=workdir, concepts={"wordnet_dir": WORDNET})
    report = build_graph(workdir, settings, embedder=minilm, opinion=opinion)
    assert report.model_asked == len(opinion.asked) >= 2
    assert set(opinion.answers) <= set(opinion.asked)
    merges = read_records(graph_paths(workdir)["merges"], MergeRecord)
    by_model = [m for m in merges if m.rule == "model"]
    assert [(m.member_text, m.canonical_text) for m in by_model] in (
        [("brewing coffee at home", "making coffee at home")],
        [("making coffee at home", "brewing coffee at home")])
    assert by_model[0].detail.startswith("P(same) 0.960")
    assert not any("charging the phone" in m.member_text for m in merges)
    # without an opinion the same build asks nothing and the rules alone decide
    plain = build_graph(workdir, settings, embedder=minilm)
    assert plain.model_asked == 0 and plain.merges == report.merges - 1
