"""From phrase counts to canonical :class:`~kg.records.Intention` nodes and a merge log.

The core is :func:`canonicalize`: normalised phrase → support count in, one
:class:`Canonicalization` out. It embeds each distinct phrase once, builds the
near-duplicate graph, clusters it without chaining and picks each cluster's
canonical text (see :mod:`kg.canon.cluster`). Everything is keyed by sorted
phrase text, so the same input always gives the same ids and choices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.canon.cluster import cluster_labels, pick_canonical, similarity_edges
from kg.embed import Embedder
from kg.records import Intention, MergeRecord

__all__ = ["Canonicalization", "canonicalize"]

log = logging.getLogger(__name__)


@dataclass
class Canonicalization:
    """The result of clustering distinct phrases.

    Attributes:
        keys: distinct normalised phrases, sorted.
        support: assertions per key.
        vectors: ``(len(keys), dim)`` unit embeddings of the keys.
        canonical: for each key, the row index of its cluster's canonical key.
        similarity: each key's cosine similarity to its canonical key.
        threshold: the merge threshold used.
        model: the embedding model's name.
    """

    keys: list[str]
    support: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]
    canonical: npt.NDArray[np.int64]
    similarity: npt.NDArray[np.float32]
    threshold: float
    model: str

    def __post_init__(self) -> None:
        self._row = {k: i for i, k in enumerate(self.keys)}
        self._ids = {int(c): Intention.make_id(self.keys[int(c)])
                     for c in np.unique(self.canonical)}

    @property
    def n_intentions(self) -> int:
        """Number of canonical intentions (clusters)."""
        return len(self._ids)

    def intention_id(self, key: str) -> str:
        """Id of the canonical intention of normalised phrase ``key``.

        Raises:
            KeyError: ``key`` was not among the canonicalized phrases.
        """
        return self._ids[int(self.canonical[self._row[key]])]

    def canonical_rows(self) -> npt.NDArray[np.int64]:
        """Row indices of the canonical keys, ascending."""
        return np.array(sorted(self._ids), dtype=np.int64)

    def iter_intentions(self, *, with_embedding: bool = True) -> Iterator[Intention]:
        """Canonical intentions in row order, with aliases and support counts."""
        order = np.argsort(self.canonical, kind="stable")
        bounds = np.flatnonzero(np.diff(self.canonical[order])) + 1
        for members in np.split(order, bounds) if len(order) else []:
            rep = int(self.canonical[members[0]])
            aliases = sorted(self.keys[int(m)] for m in members if int(m) != rep)
            yield Intention(
                id=self._ids[rep], text=self.keys[rep], aliases=aliases,
                support=int(self.support[members].sum()),
                embedding=self.vectors[rep].tolist() if with_embedding else None,
            )

    def iter_merges(self) -> Iterator[MergeRecord]:
        """One merge record per phrase that was merged into another canonical phrase."""
        for row in np.flatnonzero(self.canonical != np.arange(len(self.keys))):
            rep = int(self.canonical[row])
            yield MergeRecord(
                canonical_id=self._ids[rep], canonical_text=self.keys[rep],
                member_text=self.keys[int(row)],
                similarity=round(float(self.similarity[row]), 6),
                threshold=self.threshold, model=self.model,
            )


def canonicalize(counts: Mapping[str, int], embedder: Embedder, *, threshold: float,
                 exact_limit: int = 20000, complete_limit: int = 300,
                 batch_size: int = 8192) -> Canonicalization:
    """Cluster normalised phrases into canonical intentions.

    Args:
        counts: normalised phrase → number of assertions (exact dedupe done).
        embedder: computes (or reads cached) unit vectors.
        threshold: minimum cosine similarity for two phrases to merge.
        exact_limit: above this many phrases, neighbours come from HNSW.
        complete_limit: largest component clustered by complete linkage.
        batch_size: phrases embedded per call.
    """
    keys = sorted(counts)
    support = np.array([counts[k] for k in keys], dtype=np.int64)
    dim = embedder.dim
    vectors = np.zeros((len(keys), dim), dtype=np.float32)
    for start in range(0, len(keys), batch_size):
        vectors[start:start + batch_size] = embedder.encode(keys[start:start + batch_size])
    log.info("embedded %d distinct phrases with %s", len(keys), embedder.name)
    edges = similarity_edges(vectors, threshold, exact_limit=exact_limit)
    log.info("near-duplicate graph: %d edges at threshold %.3f", len(edges[0]), threshold)
    labels = cluster_labels(vectors, edges, threshold, weights=support,
                            complete_limit=complete_limit)
    canonical = np.arange(len(keys), dtype=np.int64)
    similarity = np.ones(len(keys), dtype=np.float32)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, bounds) if len(order) else []:
        if len(members) < 2:
            continue
        rep, sims = pick_canonical(members, vectors, support)
        canonical[members] = rep
        similarity[members] = sims
    return Canonicalization(keys=keys, support=support, vectors=vectors, canonical=canonical,
                            similarity=similarity, threshold=threshold, model=embedder.name)
