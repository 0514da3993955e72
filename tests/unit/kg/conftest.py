"""Shared fixtures of the kg build tests: one real embedding model per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from kgbuild_support import CountingEmbedder, make_assertions

from kg.embed import SentenceTransformerEmbedder
from kg.io import write_records


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    """The packaged all-MiniLM-L6-v2, loaded once."""
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture
def counting(minilm: SentenceTransformerEmbedder) -> CountingEmbedder:
    """A fresh counting wrapper around the session model."""
    return CountingEmbedder(minilm)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A work dir holding distill/assertions.parquet with :func:`make_assertions`."""
    write_records(tmp_path / "distill" / "assertions.parquet", make_assertions())
    return tmp_path
