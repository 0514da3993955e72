"""Neo4jStore behaviour that needs no server: configuration and connection errors."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from kg.errors import ConfigError, StoreError
from kg.settings import Neo4jSettings, Settings
from kg.store import open_store
from kg.store.neo4j import Neo4jStore


def test_missing_uri_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="INTENTKG_NEO4J__URI"):
        Neo4jStore.from_settings(Neo4jSettings(uri=None))


def test_open_store_picks_neo4j() -> None:
    settings = Settings(store="neo4j", neo4j=Neo4jSettings(uri=None))
    with pytest.raises(ConfigError):
        open_store(settings)


def test_unreachable_server_error_hides_the_password(caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cret-pa55word-do-not-log"
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as err:
        Neo4jStore("bolt://127.0.0.1:9", password=SecretStr(secret), connect_timeout_s=2)
    assert "127.0.0.1:9" in str(err.value)
    assert secret not in str(err.value)
    assert secret not in caplog.text
