"""From phrase counts to canonical :class:`~kg.records.Intention` nodes and a merge log.

The core is :func:`canonicalize`: normalised phrase → support count in, one
:class:`Canonicalization` out. It embeds each distinct phrase once and finds
candidate pairs by cosine similarity (:func:`~kg.canon.cluster.similarity_edges`).
With a :class:`~kg.canon.decide.PairJudge` (what the build uses) each
candidate pair is decided from the phrases' parse and WordNet and clusters grow
only while every member pair is accepted
(:func:`~kg.canon.cluster.decided_clusters`); without one, the cosine
threshold decides (complete linkage). Each cluster's canonical text is picked
by :func:`~kg.canon.cluster.pick_canonical`, and every merge keeps its
evidence (stage, rule, words, similarity). Everything is keyed by sorted
phrase text, so the same input always gives the same ids and choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kg.canon.candidates import cached_edges
from kg.canon.cluster import F32, cluster_labels, decided_clusters, pick_canonical, similarity_edges
from kg.canon.decide import PairJudge
from kg.embed import Embedder
from kg.io import arrow_schema
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
        threshold: the cosine threshold used (the candidate floor with a judge).
        model: the embedding model's name.
        stage: what decided the merges: ``"rules"`` (a pair judge) or ``"cosine"``.
        rule: per key, the rule that merged it into its canonical key ("" if none).
        detail: per key, the words behind that rule (synonyms used, light words).
        candidate_pairs: pairs the embeddings proposed (each decided once).
        candidates_cached: the pairs came from the candidate cache
            (:mod:`kg.canon.candidates`), not from a search.
    """

    keys: list[str]
    support: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]
    canonical: npt.NDArray[np.int64]
    similarity: npt.NDArray[np.float32]
    threshold: float
    model: str
    stage: str = "cosine"
    rule: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    candidate_pairs: int = 0
    candidates_cached: bool = False

    def __post_init__(self) -> None:
        self._row = {k: i for i, k in enumerate(self.keys)}
        self._ids = {int(c): Intention.make_id(self.keys[int(c)])
                     for c in np.unique(self.canonical)}

    @property
    def n_intentions(self) -> int:
        """Number of canonical intentions (clusters)."""
        return len(self._ids)

    def row(self, key: str) -> int:
        """Row index of normalised phrase ``key`` (``KeyError`` when absent)."""
        return self._row[key]

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

    def intention_tables(self, abstract: frozenset[str] = frozenset(), *,
                         batch_size: int = 10000) -> Iterator[pa.Table]:
        """:meth:`iter_intentions` as Arrow tables of :class:`~kg.records.Intention`'s
        schema, ``batch_size`` intentions each, built column by column (no record per
        intention); ``abstract`` names the intentions whose ``abstract`` flag is set."""
        schema = arrow_schema(Intention)
        assert schema is not None  # every field of Intention has an Arrow type
        order = np.argsort(self.canonical, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(self.canonical[order]) != 0]) \
            if len(order) else np.zeros(0, dtype=np.int64)
        sizes = np.diff(np.r_[starts, len(order)])
        all_reps = self.canonical[order[starts]]
        all_support = np.add.reduceat(self.support[order], starts).astype(np.int64) \
            if len(order) else np.zeros(0, dtype=np.int64)
        dim = self.vectors.shape[1]
        for at in range(0, len(all_reps), batch_size):
            reps = all_reps[at:at + batch_size]
            ids = [self._ids[int(r)] for r in reps.tolist()]
            aliases: list[list[str]] = [[] for _ in ids]
            for g in np.flatnonzero(sizes[at:at + batch_size] > 1).tolist():
                rep = int(reps[g])
                members = order[starts[at + g]:starts[at + g] + sizes[at + g]].tolist()
                aliases[g] = sorted(self.keys[m] for m in members if m != rep)
            embedding = pa.ListArray.from_arrays(
                pa.array(np.arange(len(reps) + 1, dtype=np.int32) * dim, type=pa.int32()),
                pa.array(self.vectors[reps].astype(np.float64).reshape(-1), type=pa.float64()))
            columns = {"id": ids, "text": [self.keys[int(r)] for r in reps.tolist()],
                       "aliases": aliases, "support": all_support[at:at + batch_size],
                       "abstract": [i in abstract for i in ids]}
            yield pa.Table.from_arrays(
                [embedding if f.name == "embedding" else pa.array(columns[f.name], type=f.type)
                 for f in schema], schema=schema)

    def iter_merges(self) -> Iterator[MergeRecord]:
        """One merge record per phrase that was merged into another canonical phrase."""
        for row in np.flatnonzero(self.canonical != np.arange(len(self.keys))):
            rep, r = int(self.canonical[row]), int(row)
            yield MergeRecord(
                canonical_id=self._ids[rep], canonical_text=self.keys[rep],
                member_text=self.keys[r],
                similarity=round(float(self.similarity[row]), 6),
                threshold=self.threshold, model=self.model, stage=self.stage,
                rule=self.rule[r] if self.rule else "threshold",
                detail=self.detail[r] if self.detail else "",
            )


def canonicalize(counts: Mapping[str, int], embedder: Embedder, *, threshold: float,
                 judge: PairJudge | Callable[[], PairJudge | None] | None = None,
                 exact_limit: int = 20000, candidates: int = 32,
                 complete_limit: int = 300, batch_size: int = 8192,
                 candidates_cache: Path | None = None,
                 while_searching: Callable[[list[str], F32], None] | None = None,
                 ) -> Canonicalization:
    """Cluster normalised phrases into canonical intentions.

    Args:
        counts: normalised phrase → number of assertions (exact dedupe done).
        embedder: computes (or reads cached) unit vectors.
        threshold: minimum cosine similarity of a candidate pair; without a
            ``judge`` it alone decides a merge.
        judge: the pair decision; only candidate pairs (and the cross pairs of
            clusters about to join) are decided. A function that makes it (or
            returns ``None`` for the cosine path) is called while the candidate
            search runs on a background thread (the search is C code that
            releases the GIL, so loading WordNet overlaps it).
        exact_limit: above this many phrases, neighbours come from HNSW.
        candidates: most candidate neighbours per phrase.
        complete_limit: largest component clustered by complete linkage
            (cosine path only).
        batch_size: phrases embedded per call.
        candidates_cache: a file keeping the last candidate pairs
            (:func:`~kg.canon.candidates.cached_edges`); ``None``: always search.
        while_searching: called with the sorted phrases and their vectors while the
            candidate search runs (after ``judge`` is made): other work that needs only
            those overlaps the search.
    """
    keys = sorted(counts)
    support = np.array([counts[k] for k in keys], dtype=np.int64)
    dim = embedder.dim
    vectors = np.zeros((len(keys), dim), dtype=np.float32)
    for start in range(0, len(keys), batch_size):
        vectors[start:start + batch_size] = embedder.encode(keys[start:start + batch_size])
    log.info("embedded %d distinct phrases with %s", len(keys), embedder.name)
    with ThreadPoolExecutor(max_workers=1) as pool:
        search = pool.submit(
            cached_edges, candidates_cache, vectors,
            lambda: similarity_edges(vectors, threshold, exact_limit=exact_limit, k=candidates),
            threshold=threshold, exact_limit=exact_limit, k=candidates)
        if callable(judge):
            judge = judge()
        if judge is not None:
            judge.preload(keys)  # signatures already cached, read while the search runs
        if while_searching is not None:
            while_searching(keys, vectors)
        edges, from_cache = search.result()
    log.info("candidate graph: %d edges at threshold %.3f", len(edges[0]), threshold)
    if judge is None:
        labels = cluster_labels(vectors, edges, threshold, weights=support,
                                complete_limit=complete_limit)
    else:
        judge.prepare(keys[int(i)] for i in np.unique(np.concatenate(edges[:2])))

        def accept(i: int, j: int) -> bool:
            return judge.same(keys[i], keys[j])

        accepted = judge.consult(keys, edges, judge.same_pairs(keys, edges[0], edges[1]))
        labels = decided_clusters(len(keys), edges, accept, accepted=accepted)
    canonical = np.arange(len(keys), dtype=np.int64)
    similarity = np.ones(len(keys), dtype=np.float32)
    rule = [""] * len(keys) if judge is not None else []
    detail = [""] * len(keys) if judge is not None else []
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, bounds) if len(order) else []:
        if len(members) < 2:
            continue
        rep, sims = pick_canonical(members, vectors, support)
        canonical[members] = rep
        similarity[members] = sims
        if judge is not None:
            for m in members.tolist():
                if m != rep:
                    d = judge.decide(keys[m], keys[rep])
                    rule[m], detail[m] = d.rule, d.detail
    return Canonicalization(keys=keys, support=support, vectors=vectors, canonical=canonical,
                            similarity=similarity, threshold=threshold, model=embedder.name,
                            stage="cosine" if judge is None else judge.name,
                            rule=rule, detail=detail, candidate_pairs=len(edges[0]),
                            candidates_cached=from_cache)
