"""The sample graph in the contract ``store`` plus an honest 4-dimensional encoder.

The contract store's vector index has 4 dimensions, so vector search here uses
:class:`KeywordEncoder`: a real, deterministic bag-of-keywords embedding (one
axis per topic of the sample graph), not a stand-in for our own code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from testkit.sample import load_sample

from kg.records import Concept, Intention
from kg.store.base import GraphStore

AXES: tuple[tuple[str, ...], ...] = (
    ("warm", "cold", "heat", "cozy", "winter"),
    ("hike", "hiking", "trail", "outdoors"),
    ("cook", "dinner", "pan", "meal"),
    ("gift", "birthday", "present"),
)


class KeywordEncoder:
    """Counts topic keywords per axis, adds a small floor, L2-normalises."""

    name = "keywords"
    dim = len(AXES)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = []
        for text in texts:
            words = text.lower()
            v = np.array([sum(w in words for w in axis) for axis in AXES], dtype=np.float32)
            v += 0.05
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)


def load(store: GraphStore) -> GraphStore:
    """Write the sample graph (with keyword embeddings) and return ``store``."""
    load_sample(store, KeywordEncoder())
    return store


def iid(text: str) -> str:
    """Intention id of ``text``."""
    return Intention.make_id(text)


def cid(name: str) -> str:
    """Concept id of sample concept ``name``."""
    return Concept.make_id("wordnet", name)
