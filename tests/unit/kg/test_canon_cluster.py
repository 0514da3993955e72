"""Pure clustering functions and phrase normalisation (no model)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from kg.canon import (
    cluster_labels,
    complete_linkage,
    normalize_intention,
    pick_canonical,
    similarity_edges,
    star_clusters,
)
from kg.canon.candidates import cached_edges
from kg.canon.canonicalize import Canonicalization
from kg.canon.cluster import Edges
from kg.io import RecordWriter, write_records
from kg.records import Intention, MergeRecord


def _unit(angles_deg: list[float]) -> np.ndarray:
    rad = np.deg2rad(angles_deg)
    return np.stack([np.cos(rad), np.sin(rad)], axis=1).astype(np.float32)


def test_chain_is_not_merged_end_to_end() -> None:
    # a~b (cos 20° = 0.94), b~c (0.94), a≁c (cos 40° = 0.77) at threshold 0.9
    vecs = _unit([0.0, 20.0, 40.0])
    edges = similarity_edges(vecs, 0.9)
    assert sorted(zip(edges[0].tolist(), edges[1].tolist(), strict=True)) == [(0, 1), (1, 2)]
    labels = cluster_labels(vecs, edges, 0.9)
    assert labels[0] != labels[2]
    assert labels[1] in (labels[0], labels[2])


def test_complete_linkage_merges_only_when_all_pairs_pass() -> None:
    vecs = _unit([0.0, 5.0, 10.0, 60.0])
    labels = complete_linkage(vecs @ vecs.T, 0.95)
    assert labels.tolist() == [0, 0, 0, 3]


def test_star_clusters_keep_every_member_close_to_its_leader() -> None:
    vecs = _unit([0.0, 20.0, 40.0, 60.0])
    edges = similarity_edges(vecs, 0.9)
    weights = np.array([1, 5, 1, 1], dtype=np.int64)
    labels = star_clusters(4, edges, weights, np.arange(4, dtype=np.int64))
    # the heavy node 1 leads; 0 and 2 join it; 3 is only close to 2 (not a leader)
    assert labels.tolist() == [1, 1, 1, 3]
    big = cluster_labels(vecs, edges, 0.9, weights=weights, complete_limit=2)
    assert big.tolist() == [0, 0, 0, 3]


def test_hnsw_path_finds_the_same_edges_as_exact() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(200, 16)).astype(np.float32)
    noisy = base + 0.05 * rng.normal(size=base.shape).astype(np.float32)
    vecs = np.concatenate([base, noisy])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    exact = similarity_edges(vecs, 0.95, exact_limit=10_000)
    approx = similarity_edges(vecs, 0.95, exact_limit=10, k=8)
    assert set(zip(*exact[:2], strict=True)) == set(zip(*approx[:2], strict=True))
    assert len(exact[0]) >= 200


def test_pick_canonical_prefers_support_then_medoid() -> None:
    vecs = _unit([0.0, 10.0, 20.0])
    members = np.arange(3, dtype=np.int64)
    rep, sims = pick_canonical(members, vecs, np.array([1, 1, 3], dtype=np.int64))
    assert rep == 2
    assert sims[2] == np.float32(1.0) or abs(float(sims[2]) - 1.0) < 1e-6
    rep, _ = pick_canonical(members, vecs, np.ones(3, dtype=np.int64))
    assert rep == 1  # the medoid


def test_cluster_labels_without_edges_are_singletons() -> None:
    vecs = _unit([0.0, 90.0])
    labels = cluster_labels(vecs, similarity_edges(vecs, 0.9), 0.9)
    assert labels.tolist() == [0, 1]


def test_normalize_strips_templates_and_boilerplate() -> None:
    assert normalize_intention("Because they both are used for keeping warm.") == "keeping warm"
    assert normalize_intention('  "To Keep  WARM!" ') == "keep warm"
    assert normalize_intention("The user posts this because they intend to share a meal") \
        == "share a meal"
    assert normalize_intention("because of the rain") == "the rain"
    assert normalize_intention("1. to-do lists") == "to-do lists"
    assert normalize_intention("- 'keep warm'") == "keep warm"  # quotes inside a bullet
    assert normalize_intention("because") == "because"
    assert normalize_intention("toys for kids") == "toys for kids"


def test_normalize_drops_where_a_model_read_or_found_a_category() -> None:
    """FolkScope's model says where it read a product's name; the name is the node."""
    named = normalize_intention('because they both are defined as "Sony" in the product title.')
    assert named == normalize_intention('because they both are defined as "Sony" in the '
                                        'Amazon search results.') == "sony"
    assert normalize_intention('because they could both be found in the "Jewelry" category '
                               'of Amazon.com.') == "jewelry"
    assert normalize_intention("because they could both be found in the category of Jewelry.") \
        == "jewelry"
    assert normalize_intention("because they both are related to the watch category.") == "watch"
    assert normalize_intention('they both are defined as "Swimwear" in the swimwear category') \
        == "swimwear"
    assert normalize_intention('because they both are defined as "Radio" in Amazon.com.') \
        == normalize_intention('they both are defined as "radio" on Amazon') == "radio"
    assert normalize_intention('because they both are defined as "Gemstone Jewelry" in the '
                               'category of "Jewelry" in Amazon.') == "gemstone jewelry"
    assert normalize_intention('because they both are related to the topic of "earrings".') \
        == "earrings"
    # a comparison, a clause, or a place outside a kind template stays whole
    assert normalize_intention("because they could both be found in the same category.") \
        == "found in the same category"
    clause = 'because they both are defined as "Star Wars" and both are in the same category.'
    assert normalize_intention(clause) == "star wars and both are in the same category"
    assert normalize_intention("because they both are used for posting photos on the website") \
        == "posting photos on the website"


def test_each_row_keeps_its_k_nearest_candidates_on_the_exact_path() -> None:
    """A dense neighbourhood proposes at most k pairs per row: the most similar ones."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=16).astype(np.float32)
    rows = [base + 0.05 * i * rng.normal(size=16).astype(np.float32) for i in range(1, 13)]
    x = np.stack([base, *rows])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    r, c, s = similarity_edges(x, 0.0, k=3)
    full = similarity_edges(x, 0.0, k=1000)
    assert len(full[0]) == 13 * 12 // 2  # uncapped: every pair
    kept = {(int(a), int(b)) for a, b in zip(r, c, strict=True)}
    for i in range(13):
        nearest = [int(j) for j in np.argsort(-sim[i]) if j != i][:3]
        assert all((min(i, j), max(i, j)) in kept for j in nearest)  # its own 3 nearest
    # an edge survives only when one of its ends ranks it among its k nearest
    for a, b in kept:
        ranks_a = [int(j) for j in np.argsort(-sim[a]) if j != a][:3]
        ranks_b = [int(j) for j in np.argsort(-sim[b]) if j != b][:3]
        assert b in ranks_a or a in ranks_b
    assert len(kept) < len(full[0])
    assert np.allclose(s, [sim[a, b] for a, b in zip(r, c, strict=True)], atol=1e-5)


def test_intention_tables_are_the_intention_records(tmp_path: Path) -> None:
    # the build writes intentions column by column: the same rows as the records, and the
    # same file as writing the records one by one
    keys = ["a cake", "bake a cake", "bake cakes", "keep warm", "stay warm", "walk the dog"]
    vecs = np.random.default_rng(3).standard_normal((len(keys), 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    canon = Canonicalization(keys=keys, support=np.array([3, 1, 2, 1, 4, 1]), vectors=vecs,
                             canonical=np.array([0, 2, 2, 4, 4, 5]),
                             similarity=np.ones(len(keys), dtype=np.float32), threshold=0.5,
                             model="m")
    abstract = frozenset({canon.intention_id("walk the dog")})
    records = [i.model_copy(update={"abstract": i.id in abstract})
               for i in canon.iter_intentions()]
    assert [r.aliases for r in records] == [[], ["bake a cake"], ["keep warm"], []]
    write_records(tmp_path / "records.parquet", records, batch_size=3)
    with RecordWriter(tmp_path / "table.parquet", batch_size=3) as writer:
        for table in canon.intention_tables(abstract, batch_size=3):
            writer.write_table(Intention, table)
    by_records = pq.read_table(tmp_path / "records.parquet")
    by_table = pq.read_table(tmp_path / "table.parquet")
    assert by_table.equals(by_records) and by_table.num_rows == 4
    assert pq.ParquetFile(tmp_path / "table.parquet").metadata.num_row_groups == 2
    assert [Intention.model_validate(r) for r in by_table.to_pylist()] == records
    with pytest.raises(ValueError, match="schema"):
        RecordWriter(tmp_path / "merges.parquet").write_table(
            MergeRecord, next(canon.intention_tables()))


def test_candidate_pairs_are_kept_for_the_same_vectors_and_settings(tmp_path: Path) -> None:
    vecs = np.random.default_rng(5).standard_normal((300, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    path = tmp_path / "graph" / "candidates.npz"
    searches: list[int] = []

    def search(x: np.ndarray, threshold: float) -> Callable[[], Edges]:
        def run() -> Edges:
            searches.append(1)
            return similarity_edges(x, threshold, k=8)
        return run

    first, cached = cached_edges(path, vecs, search(vecs, 0.3), threshold=0.3, k=8)
    assert not cached and path.is_file() and len(first[0]) > 100
    again, cached = cached_edges(path, vecs, search(vecs, 0.3), threshold=0.3, k=8)
    assert cached and len(searches) == 1
    for a, b in zip(first, again, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    # other settings or other vectors search again (and replace the file)
    _, cached = cached_edges(path, vecs, search(vecs, 0.4), threshold=0.4, k=8)
    assert not cached and len(searches) == 2
    moved = vecs.copy()
    moved[0] = moved[1]
    _, cached = cached_edges(path, moved, search(moved, 0.4), threshold=0.4, k=8)
    assert not cached and len(searches) == 3
    path.write_bytes(b"not an npz file")
    _, cached = cached_edges(path, moved, search(moved, 0.4), threshold=0.4, k=8)
    assert not cached and len(searches) == 4
    assert [p.name for p in path.parent.iterdir()] == ["candidates.npz"]  # no temp files left
