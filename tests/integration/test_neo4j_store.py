"""Neo4j-only checks (schema objects, loader, secrets); skipped without a server."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from kg.errors import IntentKGError, StoreError
from kg.load import load_graph
from kg.settings import Settings
from kg.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "kg"))


@pytest.fixture(scope="module")
def neo4j() -> Iterator[Neo4jStore]:
    if not os.environ.get("INTENTKG_NEO4J__URI"):
        pytest.skip("Neo4j not configured: set INTENTKG_NEO4J__URI (docker compose up neo4j)")
    try:
        store = Neo4jStore.from_settings(Settings().neo4j)
    except IntentKGError as exc:
        pytest.skip(f"Neo4j at INTENTKG_NEO4J__URI does not answer: {exc}")
    yield store
    store.clear()
    store.close()


def test_schema_objects_exist(neo4j: Neo4jStore) -> None:
    neo4j.ensure_schema(4)
    neo4j.ensure_schema(4)
    names = {r["name"] for r in neo4j.read("SHOW INDEXES YIELD name RETURN name")}
    assert {"intention_embedding", "intention_text", "post_id", "intention_id"} <= names


def test_load_twice_on_neo4j(neo4j: Neo4jStore, tmp_path: Path) -> None:
    from test_load import make_workdir

    neo4j.clear()
    workdir = make_workdir(tmp_path / "work")
    first = load_graph(neo4j, workdir, batch_size=2)
    assert first.nodes_created > 0
    second = load_graph(neo4j, workdir, batch_size=2)
    assert (second.nodes_created, second.relationships_created) == (0, 0)


def test_wrong_password_never_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    if not os.environ.get("INTENTKG_NEO4J__URI"):
        pytest.skip("Neo4j not configured: set INTENTKG_NEO4J__URI")
    secret = "not-the-password-0451"
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as err:
        Neo4jStore(os.environ["INTENTKG_NEO4J__URI"], password=SecretStr(secret))
    assert secret not in str(err.value)
    assert secret not in caplog.text
