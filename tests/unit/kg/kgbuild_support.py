"""Helpers of the kg build tests: an honest counting embedder and hand-written assertions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.embed import SentenceTransformerEmbedder
from kg.records import IntentionAssertion

WORDNET = Path("/usr/share/wordnet")


class CountingEmbedder:
    """A real embedder that counts the texts it is asked to encode (no mocking)."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.calls = 0
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.encode(texts)


POST_ASSERTIONS = [
    ("twitter_v1:1", "xIntent", "to keep warm on winter hikes"),
    ("twitter_v1:2", "xIntent", "keep warm during winter hikes."),
    ("twitter_v1:3", "xIntent", "Keep warm on winter hikes"),
    ("twitter_v1:4", "xIntent", "keep cool in the summer heat"),
    ("twitter_v1:5", "xWant", "celebrate her birthday with friends"),
    ("twitter_v1:6", "xWant", "celebrate a friend's birthday"),
    ("twitter_v1:7", "xReact", "proud of the new puppy"),
]
COBUY_ASSERTIONS = [
    ("cobuy:a", "usedFor", "because they both are used for protecting the phone"),
    ("cobuy:b", "usedFor", "protecting the phone from scratches"),
    ("cobuy:c", "usedFor", "charging the phone battery"),
    ("cobuy:d", "usedFor", "charging the phone"),
    ("cobuy:e", "capableOf", "brewing coffee at home"),
    ("cobuy:f", "usedFor", "making coffee at home"),
]


def make_assertions() -> list[IntentionAssertion]:
    """A small hand-written set of assertions over both domains."""
    out = []
    for i, (subject, rel, text) in enumerate(POST_ASSERTIONS + COBUY_ASSERTIONS):
        kind = "post" if subject.startswith("twitter") else "cobuy"
        out.append(IntentionAssertion(
            id=IntentionAssertion.make_id(subject, rel, text), subject_id=subject,
            subject_kind=kind, relation=rel, text=text, raw_text=text, keep=i % 5 != 4,
            model="test-model", prompt_version="v1"))
    return out
