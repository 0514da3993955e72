"""Near-duplicate clustering as pure functions over arrays (no model, no I/O).

1. :func:`similarity_edges` finds every pair with cosine ≥ threshold: an exact
   FAISS range search for small sets, HNSW kNN + threshold above
   ``exact_limit``.
2. :func:`cluster_labels` splits the threshold graph into connected components
   and clusters each one **without chaining**: complete linkage (every pair in
   a cluster is ≥ threshold) for components up to ``complete_limit`` points,
   and, for larger components, star clustering where every member is ≥
   threshold to its cluster's leader (leaders taken by support, then index).
3. :func:`decided_clusters` is the same no-chaining rule over a pair
   decision instead of a threshold (:mod:`kg.canon.decide`): clusters grow
   along candidate edges, most similar first, only while every member pair is
   accepted.
4. :func:`pick_canonical` chooses the canonical member: the most frequent one
   (highest support); ties go to the medoid (highest mean similarity to the
   other members), then to the lowest index (input order).

Vectors must be L2-normalised float32 rows; indices are row numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "Edges",
    "cluster_labels",
    "complete_linkage",
    "decided_clusters",
    "pick_canonical",
    "similarity_edges",
    "star_clusters",
]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
Edges = tuple[I64, I64, F32]
"""``(rows, cols, sims)`` with ``rows < cols``, sorted by (row, col)."""


def _pair_keys(rows: I64, cols: I64, sims: F32, n: int) -> tuple[I64, F32]:
    """``lo * n + hi`` of each pair of two different rows, with its similarity."""
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keep = lo != hi
    return lo[keep] * n + hi[keep], sims[keep]


def _unique_pairs(keys: I64, sims: F32, n: int) -> Edges:
    """Each pair once, with the similarity it was first found with."""
    keys, first = np.unique(keys, return_index=True)
    return (keys // n).astype(np.int64), (keys % n).astype(np.int64), sims[first]


def _nearest(start: int, lims: npt.NDArray[Any], dist: npt.NDArray[Any],
             ids: npt.NDArray[Any], k: int) -> Edges:
    """Each row's ``k`` most similar hits of a range search (ties: lower id first)."""
    counts = np.diff(lims).astype(np.int64)
    rows = np.repeat(np.arange(start, start + len(counts), dtype=np.int64), counts)
    cols = ids.astype(np.int64)
    sims = dist.astype(np.float32)
    if not len(counts) or counts.max() <= k:
        return rows, cols, sims
    order = np.lexsort((cols, -sims, rows))  # by row, then most similar, then id
    rank = np.arange(len(order)) - np.repeat(lims[:-1].astype(np.int64), counts)
    keep = order[rank < k]
    return rows[keep], cols[keep], sims[keep]


def similarity_edges(vectors: F32, threshold: float, *, exact_limit: int = 20000,
                     k: int = 32, chunk: int = 4096, hnsw_m: int = 16,
                     deterministic: bool = True) -> Edges:
    """Pairs of rows with inner product ≥ ``threshold``: each row's ``k`` nearest.

    A row keeps at most its ``k`` most similar neighbours above ``threshold`` on
    both paths (an edge is kept when either end keeps it), so the pair decisions
    that follow grow with ``n·k``, not with how dense a neighbourhood is.

    Args:
        vectors: ``(n, d)`` unit float32 vectors.
        threshold: minimum cosine similarity of an edge.
        exact_limit: up to this many rows the search is exact
            (``IndexFlatIP.range_search``); above it, HNSW finds the ``k``
            nearest neighbours of each row (approximately).
        k: neighbours per row.
        chunk: query rows per search call (bounds memory).
        hnsw_m: HNSW graph degree.
        deterministic: build the HNSW graph on one thread so the same input
            always gives the same edges (slower to build).
    """
    import faiss

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n = x.shape[0]
    empty: Edges = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    if n < 2:
        return empty
    # Pairs are kept per chunk as one int64 key and a similarity (12 bytes, not 20): at
    # 600k rows and k = 32 the search finds about 20M of them before duplicates go.
    keys: list[I64] = []
    sims: list[F32] = []

    def add(r: I64, c: I64, s: F32) -> None:
        ok = s >= threshold
        key, sim = _pair_keys(r[ok], c[ok], s[ok], n)
        keys.append(key)
        sims.append(sim)

    if n <= exact_limit:
        flat = faiss.IndexFlatIP(x.shape[1])
        flat.add(x)
        for start in range(0, n, chunk):
            lims, dist, ids = flat.range_search(x[start:start + chunk], float(threshold))
            add(*_nearest(start, lims, dist, ids, k + 1))  # + the row itself
    else:
        index = faiss.IndexHNSWFlat(x.shape[1], hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.hnsw.efSearch = max(64, 2 * k)
        threads = faiss.omp_get_max_threads()
        if deterministic:
            faiss.omp_set_num_threads(1)
        try:
            index.add(x)
        finally:
            faiss.omp_set_num_threads(threads)
        for start in range(0, n, chunk):
            dist, ids = index.search(x[start:start + chunk], k)
            ok = (dist >= threshold) & (ids >= 0)
            r = np.repeat(np.arange(start, start + len(ids), dtype=np.int64), k).reshape(ids.shape)
            add(r[ok], ids[ok].astype(np.int64), dist[ok].astype(np.float32))
    key_all = np.concatenate(keys)
    keys.clear()
    sim_all = np.concatenate(sims)
    sims.clear()
    return _unique_pairs(key_all, sim_all, n)


def complete_linkage(sim: F32, threshold: float) -> I64:
    """Complete-linkage clusters of a small square similarity matrix.

    Two clusters merge only while their *least* similar pair is ≥
    ``threshold``, so a chain a~b~c with a≁c never puts a and c together.
    Merges go to the most similar pair first; ties go to the lowest indices.

    Returns:
        a label per row: the smallest row index of its cluster.
    """
    m = sim.shape[0]
    s = np.array(sim, dtype=np.float64, copy=True)
    np.fill_diagonal(s, -np.inf)
    labels = np.arange(m, dtype=np.int64)
    while True:
        flat = int(np.argmax(s))
        a, b = divmod(flat, m)
        if s[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        merged = np.minimum(s[a], s[b])
        s[a, :], s[:, a] = merged, merged
        s[a, a] = -np.inf
        s[b, :], s[:, b] = -np.inf, -np.inf
        labels[labels == b] = a
    return labels


def star_clusters(n: int, edges: Edges, weights: I64, members: I64) -> I64:
    """Star clustering of ``members`` over threshold ``edges``.

    Members are visited by weight (descending), then index; each joins the
    already chosen leader it is most similar to, or becomes a leader. Every
    member is ≥ threshold to its leader, so chains cannot grow.

    Returns:
        a label per member (in the order of ``members``): its leader's index.
    """
    inside = np.zeros(n, dtype=bool)
    inside[members] = True
    rows, cols, sims = edges
    sel = inside[rows] & inside[cols]
    r, c, s = rows[sel], cols[sel], sims[sel]
    both_r = np.concatenate([r, c])
    both_c = np.concatenate([c, r])
    both_s = np.concatenate([s, s])
    order = np.argsort(both_r, kind="stable")
    both_r, both_c, both_s = both_r[order], both_c[order], both_s[order]
    starts = np.searchsorted(both_r, members, side="left")
    ends = np.searchsorted(both_r, members, side="right")
    leader_of = np.full(n, -1, dtype=np.int64)
    visit = sorted(range(len(members)), key=lambda i: (-int(weights[members[i]]), int(members[i])))
    for i in visit:
        node = int(members[i])
        nb, ns = both_c[starts[i]:ends[i]], both_s[starts[i]:ends[i]]
        is_leader = leader_of[nb] == nb
        if is_leader.any():
            cand, cs = nb[is_leader], ns[is_leader]
            best = np.flatnonzero(cs == cs.max())
            leader_of[node] = int(cand[best].min())
        else:
            leader_of[node] = node
    return leader_of[members]


def cluster_labels(vectors: F32, edges: Edges, threshold: float, *,
                   weights: I64 | None = None, complete_limit: int = 300) -> I64:
    """Cluster label (a representative row index) for every row.

    Args:
        vectors: ``(n, d)`` unit vectors (used for complete linkage).
        edges: pairs with similarity ≥ ``threshold`` (:func:`similarity_edges`).
        threshold: the merge threshold.
        weights: support of each row (star clustering visits heavy rows first);
            all ones when omitted.
        complete_limit: largest component clustered by complete linkage.

    Returns:
        ``labels[i]`` = the smallest row index in row ``i``'s cluster.
    """
    n = vectors.shape[0]
    w = np.ones(n, dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    labels = np.arange(n, dtype=np.int64)
    rows, cols, _ = edges
    if n == 0 or len(rows) == 0:
        return labels
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    for members in np.split(order, bounds):
        if len(members) < 2:
            continue
        if len(members) <= complete_limit:
            sub = vectors[members] @ vectors[members].T
            local = complete_linkage(sub, threshold)
            raw = members[local]
        else:
            raw = star_clusters(n, edges, w, members)
        # Relabel each cluster by its smallest member index (order-independent).
        for rep in np.unique(raw):
            group = members[raw == rep]
            labels[group] = group.min()
    return labels


def pick_canonical(members: I64, vectors: F32, weights: I64) -> tuple[int, F32]:
    """Canonical row of one cluster and each member's similarity to it.

    The member with the highest weight wins; ties go to the medoid, then to the
    lowest index.

    Returns:
        ``(row index, similarities of members to it)``.
    """
    w = weights[members]
    tied = members[w == w.max()]
    if len(tied) > 1:
        mean_sim = (vectors[tied] @ vectors[members].T).mean(axis=1)
        best = tied[np.flatnonzero(mean_sim >= mean_sim.max() - 1e-6)]
        chosen = int(best.min())
    else:
        chosen = int(tied[0])
    return chosen, (vectors[members] @ vectors[chosen]).astype(np.float32)


def decided_clusters(n: int, edges: Edges, accept: Callable[[int, int], bool], *,
                     accepted: npt.NDArray[np.bool_] | None = None) -> I64:
    """Clusters in which **every** member pair is accepted by ``accept``.

    Complete linkage over a yes/no decision: the candidate ``edges`` are taken
    from the most similar down (ties by row, then column); an edge whose two
    ends ``accept`` joins their clusters only if every cross pair of the two
    clusters is accepted too. So a chain a~b~c with a≁c never merges a and c,
    and a phrase that joins a neighbour first cannot block its true partner:
    the partner still joins when it agrees with every member.

    Args:
        n: number of rows.
        edges: candidate pairs (:func:`similarity_edges`).
        accept: the pair decision (called at most once per pair).
        accepted: ``accept`` of every edge, decided beforehand (in a batch); then
            ``accept`` is called only for the cross pairs of clusters about to join,
            and the clusters are the same (a rejected edge never joins clusters).

    Returns:
        ``labels[i]`` = the smallest row index in row ``i``'s cluster.
    """
    rows, cols, sims = edges
    order = np.lexsort((cols, rows, -sims.astype(np.float64)))
    members: dict[int, list[int]] = {}
    root = np.arange(n, dtype=np.int64)
    # Only pairs met again when clusters grow are remembered, not every candidate edge.
    decided: dict[tuple[int, int], bool] = {}

    def ok(x: int, y: int) -> bool:
        key = (x, y) if x < y else (y, x)
        got = decided.get(key)
        if got is None:
            got = decided[key] = accept(*key)
        return got

    if accepted is not None:
        order = order[accepted[order]]
        for e in order.tolist():
            decided[(int(rows[e]), int(cols[e]))] = True
    for e in order.tolist():
        a, b = int(rows[e]), int(cols[e])
        ra, rb = int(root[a]), int(root[b])
        if ra == rb:
            continue
        ma, mb = members.get(ra), members.get(rb)
        if ma is None and mb is None:  # two singletons: one decision, not remembered
            if accepted is not None or accept(min(a, b), max(a, b)):
                keep, gone = (ra, rb) if ra < rb else (rb, ra)
                members[keep] = [ra, rb]
                root[[ra, rb]] = keep
            continue
        ma, mb = ma or [ra], mb or [rb]
        if ok(a, b) and all(ok(x, y) for x in ma for y in mb):
            keep, gone = (ra, rb) if ra < rb else (rb, ra)
            merged = ma + mb
            members[keep] = merged
            members.pop(gone, None)
            root[merged] = keep
    labels = np.arange(n, dtype=np.int64)
    for group in members.values():
        labels[group] = min(group)
    return labels
