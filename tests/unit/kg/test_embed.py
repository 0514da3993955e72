"""Packaged model resolution and the SQLite embedding cache (real model, honest counter)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from kgbuild_support import CountingEmbedder

from kg.embed import CachedEmbedder, EmbeddingCache, resolve_model_path


def test_packaged_model_resolves_to_a_local_directory() -> None:
    path, local = resolve_model_path("all-MiniLM-L6-v2")
    assert local
    assert (Path(path) / "config.json").is_file()
    assert resolve_model_path("sentence-transformers/all-MiniLM-L6-v2") == (path, True)


def test_vectors_are_unit_float32(counting: CountingEmbedder) -> None:
    vecs = counting.encode(["keep warm", "charge the phone"])
    assert vecs.dtype == np.float32
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_rerun_embeds_only_new_texts(tmp_path: Path, counting: CountingEmbedder) -> None:
    db = tmp_path / "emb.sqlite"
    first = CachedEmbedder(counting, EmbeddingCache(db))
    v1 = first.encode(["keep warm", "keep cool", "keep warm"])
    assert counting.texts == 2
    first.cache.close()
    second = CachedEmbedder(counting, EmbeddingCache(db))
    v2 = second.encode(["keep cool", "keep warm", "stay dry"])
    assert counting.texts == 3  # only "stay dry" was new
    assert second.hits == 2 and second.misses == 1
    assert np.allclose(v2[1], v1[0]) and np.allclose(v2[0], v1[1])
    assert second.cache.count(counting.name) == 3
