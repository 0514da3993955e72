"""The embedded graph store: FalkorDB over a unix socket, through the official client."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from kg.errors import MissingExtraError, StoreError
from kg.store import dialect as d
from kg.store.base import DialectName, WriteSummary
from kg.store.falkordb_params import params_header
from kg.store.falkordb_server import FalkorServer

__all__ = ["FalkorStore"]

log = logging.getLogger(__name__)


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := [r if type(r) is dict else dict(r) for r in islice(it, size)]:
        for row in batch:
            d.check_ids(row)
        yield batch


def _stat(stats: Sequence[str], name: str) -> int:
    for line in stats:
        if line.startswith(name):
            return int(float(line.split(": ", 1)[1].split(" ", 1)[0]))
    return 0


def _stats_summary(response: Any, rows: int) -> WriteSummary:
    """A :class:`WriteSummary` from a raw ``GRAPH.QUERY --compact`` reply (stats last)."""
    stats = response[-1] if isinstance(response, list) and response else []
    if isinstance(stats, Exception):
        raise stats
    return WriteSummary(rows=rows, nodes_created=_stat(stats, "Nodes created"),
                        relationships_created=_stat(stats, "Relationships created"),
                        properties_set=_stat(stats, "Properties set"))


def _short(query: str, limit: int = 200) -> str:
    flat = " ".join(query.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def _plain(value: Any) -> Any:
    """Nodes and edges become their property dicts; containers are converted deeply."""
    props = getattr(value, "properties", None)
    if isinstance(props, dict) and (hasattr(value, "labels") or hasattr(value, "relation")):
        return {k: _plain(v) for k, v in props.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class FalkorStore:
    """:class:`~kg.store.base.GraphStore` over an embedded FalkorDB server.

    Build it with :meth:`open`, which starts (or attaches to) the server of a
    data directory; :meth:`close` stops the server when this store started it.

    Args:
        socket_path: unix socket of a running server.
        graph: graph name inside the server.
        ef_runtime: HNSW search breadth of the vector index.
        ef_construction: HNSW build breadth, used when the vector index is created.
        server: the managed server, stopped by :meth:`close` when it is owned.
    """

    dialect: DialectName = "falkordb"

    def __init__(
        self,
        socket_path: Path,
        *,
        graph: str = "intentkg",
        ef_runtime: int = 64,
        ef_construction: int = 64,
        server: FalkorServer | None = None,
    ) -> None:
        try:
            from falkordb import FalkorDB
        except ImportError as exc:
            raise MissingExtraError("falkordb", None, "The embedded graph store") from exc
        self.graph_name = graph
        self.ef_runtime = ef_runtime
        self.ef_construction = ef_construction
        self.server = server
        self._db = FalkorDB(unix_socket_path=str(socket_path))
        self._graph = self._db.select_graph(graph)
        self._schema_ensured = False
        self._embedding_dim: int | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        graph: str = "intentkg",
        start_timeout_s: float = 20.0,
        ef_runtime: int = 64,
        ef_construction: int = 64,
    ) -> FalkorStore:
        """Start or attach to the server of ``data_dir`` and return a store on it."""
        server = FalkorServer(data_dir, start_timeout_s=start_timeout_s).start()
        try:
            return cls(server.socket_path, graph=graph, ef_runtime=ef_runtime,
                       ef_construction=ef_construction, server=server)
        except BaseException:
            server.stop()
            raise

    def _error(self, exc: Exception, query: str) -> StoreError:
        hint = ""
        if "errCtx: CYPHER" in str(exc):
            hint = ("; a parameter value could not be read back by the server (FalkorDB "
                    "cuts strings at a NUL character: remove NULs from the input)")
        return StoreError(f"FalkorDB rejected the query ({exc}){hint}: {_short(query)}")

    def _run(self, query: str, params: Mapping[str, Any] | None, *, read_only: bool) -> Any:
        from redis.exceptions import RedisError

        # Parameters are written by falkordb_params (exact, and much faster than the
        # client's own writer); the client still parses the result set.
        text = params_header(params) + query if params else query
        try:
            if read_only:
                return self._graph.ro_query(text)
            return self._graph.query(text)
        except RedisError as exc:
            if read_only and "empty key" in str(exc):
                return None  # the graph does not exist yet: nothing to read
            raise self._error(exc, query) from exc

    @staticmethod
    def _summary(result: Any, rows: int) -> WriteSummary:
        return WriteSummary(
            rows=rows,
            nodes_created=int(result.nodes_created),
            relationships_created=int(result.relationships_created),
            properties_set=int(result.properties_set),
        )

    def write_rows(
        self, query: str, rows: Iterable[Mapping[str, Any]], batch_size: int = 1000
    ) -> WriteSummary:
        """Run ``query`` (``UNWIND $rows AS row ...``) over ``rows`` in batches.

        Batches are pipelined one deep on a raw connection: the next batch is
        built while the server runs the previous one, and only the reply's
        statistics are read (a write query returns no rows).
        """
        from redis.exceptions import RedisError

        if batch_size < 1:
            raise StoreError(f"batch_size must be at least 1, not {batch_size}")
        total = WriteSummary()
        pool = self._db.connection.connection_pool
        conn = pool.get_connection()
        pending = 0  # rows of the batch whose reply is still to be read
        try:
            for batch in _batches(rows, batch_size):
                text = params_header({"rows": batch}) + query
                if pending:
                    total.add(_stats_summary(conn.read_response(), pending))
                    pending = 0
                conn.send_command("GRAPH.QUERY", self.graph_name, text, "--compact")
                pending = len(batch)
            if pending:
                total.add(_stats_summary(conn.read_response(), pending))
                pending = 0
        except RedisError as exc:
            pending = 0
            raise self._error(exc, query) from exc
        finally:
            if pending:
                # A batch failed to build while another was in flight: wait for that
                # batch's reply, so every batch before the bad one is written (and the
                # reply is not left for the next caller); drop the connection if even
                # that fails.
                try:
                    conn.read_response()
                except RedisError:
                    conn.disconnect()
            pool.release(conn)
        return total

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Run one write query."""
        d.check_ids(params or {})
        return self._summary(self._run(query, params, read_only=False), 1)

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> Sequence[dict[str, Any]]:
        """Run one read-only query (``GRAPH.RO_QUERY``); rows are dicts keyed by column."""
        result = self._run(query, params, read_only=True)
        if result is None:
            return []
        names = [col[1] if isinstance(col, list | tuple) else col for col in result.header]
        return [{str(n): _plain(v) for n, v in zip(names, row, strict=True)}
                for row in result.result_set]

    def _existing_indexes(self) -> set[tuple[str, str, str]]:
        # A write-mode call creates the graph key when it does not exist yet.
        rows = self._run("CALL db.indexes() YIELD label, types", None, read_only=False)
        found: set[tuple[str, str, str]] = set()
        for label, types in rows.result_set:
            for prop, kinds in dict(types).items():
                for kind in kinds:
                    found.add((str(label), str(prop), str(kind)))
        return found

    def ensure_schema(self, embedding_dim: int | None = None) -> None:
        """Create id indexes, unique constraints, the full-text and vector indexes.

        Idempotent: what exists already is left alone. FalkorDB needs an
        exact-match index before a unique constraint, so indexes come first.
        """
        from redis.exceptions import ResponseError

        existing = self._existing_indexes()
        for label in d.NODE_LABELS:
            if (label, "id", "RANGE") not in existing:
                self._run(f"CREATE INDEX FOR (n:{label}) ON (n.id)", None, read_only=False)
        constraints = {(row[1], tuple(row[2])) for row in
                       self._run("CALL db.constraints()", None, read_only=False).result_set
                       if row[0] == "UNIQUE"}
        for cmd in d.falkordb_constraint_commands(self.graph_name):
            if (cmd[5], ("id",)) in constraints:
                continue
            try:
                self._db.connection.execute_command(*cmd)
            except ResponseError as exc:
                if "already exists" not in str(exc):
                    raise StoreError(f"creating the unique constraint on {cmd[5]}.id failed: "
                                     f"{exc}") from exc
        for label, prop in d.SECONDARY_INDEXES:
            if (label, prop, "RANGE") not in existing:
                self._run(d.secondary_index_query("falkordb", label, prop), None,
                          read_only=False)
        if ("Intention", "text", "FULLTEXT") not in existing:
            self._run(d.fulltext_index_query("falkordb"), None, read_only=False)
        if embedding_dim and ("Intention", "embedding", "VECTOR") not in existing:
            ddl = d.vector_index_query("falkordb", embedding_dim, self.ef_runtime,
                                       self.ef_construction)
            self._run(ddl, None, read_only=False)
        self._schema_ensured = True
        self._embedding_dim = embedding_dim or self._embedding_dim
        log.debug("FalkorDB schema of graph %s ensured", self.graph_name)

    def clear(self) -> None:
        """Delete every node and relationship; the schema is recreated as it was.

        The graph is dropped rather than emptied with ``DETACH DELETE``: FalkorDB's
        vector index keeps deleted nodes in its HNSW graph and they crowd out live
        neighbours (a kNN for k=3 returns one row after delete-and-reload).
        """
        from redis.exceptions import ResponseError

        try:
            self._graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc) and "Invalid graph" not in str(exc):
                raise StoreError(f"clearing graph {self.graph_name} failed: {exc}") from exc
        if self._schema_ensured:
            self.ensure_schema(self._embedding_dim)

    def close(self) -> None:
        """Close the connection; stop the server when this store started it."""
        try:
            self._db.connection.close()
        finally:
            if self.server is not None:
                self.server.stop()

    def __enter__(self) -> FalkorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
