"""The production graph store: Neo4j 5 through the official ``neo4j`` driver."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from pydantic import SecretStr

from kg.errors import ConfigError, MissingExtraError, StoreError
from kg.settings import Neo4jSettings
from kg.store import dialect as d
from kg.store.base import DialectName, WriteSummary

__all__ = ["Neo4jStore"]

log = logging.getLogger(__name__)

CLEAR_QUERY = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
AWAIT_INDEXES_QUERY = "CALL db.awaitIndexes($timeout_s)"


def _short(query: str, limit: int = 200) -> str:
    flat = " ".join(query.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


class Neo4jStore:
    """:class:`~kg.store.base.GraphStore` over a Neo4j 5 server.

    Writes run in managed transactions (``execute_write``), one per batch, so a
    transient failure (leader switch, deadlock) is retried by the driver.

    Args:
        uri: ``neo4j://`` or ``bolt://`` address of the server.
        user: user name.
        password: the password; a :class:`~pydantic.SecretStr`, never logged.
        database: database name.
        connect_timeout_s: how long to wait for the server when connecting.
    """

    dialect: DialectName = "neo4j"

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: SecretStr,
        database: str = "neo4j",
        connect_timeout_s: float = 10.0,
    ) -> None:
        try:
            import neo4j
        except ImportError as exc:
            raise MissingExtraError("neo4j", None, "The Neo4j graph store") from exc
        self.uri = uri
        self.database = database
        self._driver = neo4j.GraphDatabase.driver(
            uri, auth=(user, password.get_secret_value()), connection_timeout=connect_timeout_s
        )
        try:
            self._driver.verify_connectivity()
        except Exception as exc:
            self._driver.close()
            # The driver's message names the address and the failure, never the password.
            raise StoreError(f"cannot reach Neo4j at {uri} as user {user!r}: {exc}; start it "
                             "with `docker compose up -d neo4j` or fix INTENTKG_NEO4J__URI / "
                             "INTENTKG_NEO4J__PASSWORD") from exc
        log.info("connected to Neo4j at %s (database %s)", uri, database)

    @classmethod
    def from_settings(cls, settings: Neo4jSettings) -> Neo4jStore:
        """Connect with the ``[neo4j]`` settings section.

        Raises:
            ConfigError: no URI is set.
        """
        if not settings.uri:
            raise ConfigError("the Neo4j store needs a URI: set INTENTKG_NEO4J__URI "
                              "(e.g. neo4j://127.0.0.1:7687) or [neo4j] uri in intentkg.toml")
        return cls(settings.uri, user=settings.user, password=settings.password,
                   database=settings.database)

    def _fail(self, query: str, exc: Exception) -> StoreError:
        return StoreError(f"Neo4j rejected the query ({exc}): {_short(query)}")

    def _auto_commit(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        """Run ``query`` outside a managed transaction (DDL, ``IN TRANSACTIONS``)."""
        import neo4j

        try:
            with self._driver.session(database=self.database) as session:
                session.run(neo4j.Query(query), dict(params or {})).consume()
        except neo4j.exceptions.Neo4jError as exc:
            raise self._fail(query, exc) from exc

    def ensure_schema(self, embedding_dim: int | None = None) -> None:
        """Create unique-id constraints, the full-text and the vector index (idempotent)."""
        for query in d.index_queries("neo4j", embedding_dim):
            self._auto_commit(query)
        self._auto_commit(AWAIT_INDEXES_QUERY, {"timeout_s": 300})

    def _write_batch(self, query: str, params: dict[str, Any], rows: int) -> WriteSummary:
        import neo4j

        def work(tx: neo4j.ManagedTransaction) -> Any:
            return tx.run(neo4j.Query(query), params).consume().counters  # type: ignore[arg-type]

        try:
            with self._driver.session(database=self.database) as session:
                counters = session.execute_write(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise self._fail(query, exc) from exc
        return WriteSummary(rows=rows, nodes_created=counters.nodes_created,
                            relationships_created=counters.relationships_created,
                            properties_set=counters.properties_set)

    def write_rows(
        self, query: str, rows: Iterable[Mapping[str, Any]], batch_size: int = 1000
    ) -> WriteSummary:
        """Run ``query`` (``UNWIND $rows AS row ...``) over ``rows``, one transaction a batch."""
        if batch_size < 1:
            raise StoreError(f"batch_size must be at least 1, not {batch_size}")
        total = WriteSummary()
        it = iter(rows)
        while batch := [dict(r) for r in islice(it, batch_size)]:
            for row in batch:
                d.check_ids(row)
            total.add(self._write_batch(query, {"rows": batch}, len(batch)))
        return total

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Run one write query in a managed transaction."""
        d.check_ids(params or {})
        return self._write_batch(query, dict(params or {}), 1)

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> Sequence[dict[str, Any]]:
        """Run one read query in a read transaction; nodes come back as property dicts."""
        import neo4j

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(neo4j.Query(query), dict(params or {}))  # type: ignore[arg-type]
            return [record.data() for record in result]

        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise self._fail(query, exc) from exc

    def clear(self) -> None:
        """Delete every node and relationship in batches; the schema stays."""
        self._auto_commit(CLEAR_QUERY)

    def checkpoint(self) -> None:
        """Nothing to do: Neo4j manages its own transaction log and checkpoints."""

    def close(self) -> None:
        """Close the driver and its connections."""
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
