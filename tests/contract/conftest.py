"""The ``store`` fixture: every contract test runs on each available store.

FalkorDB (embedded) is always there: one server per session on a fresh data
dir, cleared before each test. Neo4j runs only when ``INTENTKG_NEO4J__URI`` is
set and the server answers; otherwise its cases are skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import IntentKGError
from kg.settings import Settings
from kg.store.base import GraphStore
from kg.store.falkordb import FalkorStore

DIM = 4


@pytest.fixture(scope="session")
def falkor_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorStore]:
    store = FalkorStore.open(tmp_path_factory.mktemp("falkor") / "db", graph="contract")
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_store() -> Iterator[GraphStore | None]:
    if not os.environ.get("INTENTKG_NEO4J__URI"):
        yield None
        return
    from kg.store.neo4j import Neo4jStore

    try:
        store = Neo4jStore.from_settings(Settings().neo4j)
    except IntentKGError as exc:
        pytest.skip(f"Neo4j at INTENTKG_NEO4J__URI does not answer: {exc}")
    yield store
    store.close()


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if request.param == "falkordb":
        s: GraphStore | None = request.getfixturevalue("falkor_store")
    else:
        s = request.getfixturevalue("neo4j_store")
        if s is None:
            pytest.skip("Neo4j not configured: set INTENTKG_NEO4J__URI (docker compose up neo4j)")
    assert s is not None
    s.clear()
    s.ensure_schema(DIM)
    yield s
    s.clear()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh embedded data dir with a short path (unix socket paths are limited)."""
    return tmp_path / "db"
