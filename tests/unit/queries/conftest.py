"""A session-wide embedded store holding the sample graph, embedded with the real model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from testkit.sample import load_sample

from kg.embed import SentenceTransformerEmbedder
from kg.store.falkordb import FalkorStore


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def sample_store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[FalkorStore]:
    store = FalkorStore.open(tmp_path_factory.mktemp("qstore") / "db", graph="queries")
    store.ensure_schema(embedder.dim)
    load_sample(store, embedder)
    yield store
    store.close()
