"""The embedded graph store: FalkorDB over a unix socket, through the official client."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from kg.errors import IntentKGError, MissingExtraError, StoreError
from kg.store import dialect as d
from kg.store.base import DialectName, WriteSummary
from kg.store.falkordb_params import params_header
from kg.store.falkordb_server import FalkorServer, compact

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
        self.socket_path = Path(socket_path)
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
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
            return self._stopped(exc)
        hint = ""
        if "errCtx: CYPHER" in str(exc):
            hint = ("; a parameter value could not be read back by the server (FalkorDB "
                    "cuts strings at a NUL character: remove NULs from the input)")
        return StoreError(f"FalkorDB rejected the query ({exc}){hint}: {_short(query)}")

    def _stopped(self, exc: BaseException, restart: BaseException | None = None) -> StoreError:
        where = f" ({self.server.data_dir})" if self.server is not None else ""
        why = f"; restarting it failed: {restart}" if restart is not None else ""
        return StoreError(f"the FalkorDB server stopped{where}: {exc}{why}; see its log "
                          "(server.log in the data directory) and `intentkg store status`")

    def _revive(self, exc: Exception) -> None:
        """The connection broke: attach to the server again, or restart it.

        Raises:
            StoreError: there is no managed server to restart, or it cannot be restarted.
        """
        if self.server is None:
            raise self._stopped(exc) from exc
        log.warning("the FalkorDB server on %s went away (%s); reconnecting",
                    self.server.socket_path, exc)
        self._db.connection.connection_pool.disconnect()
        try:
            self.server.ensure_running()
        except (IntentKGError, OSError) as err:  # OSError: the data dir itself is gone
            raise self._stopped(exc, err) from exc

    def _run(self, query: str, params: Mapping[str, Any] | None, *, read_only: bool) -> Any:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        # Parameters are written by falkordb_params (exact, and much faster than the
        # client's own writer); the client still parses the result set.
        text = params_header(params) + query if params else query
        for attempt in (1, 2):
            try:
                if read_only:
                    return self._graph.ro_query(text)
                return self._graph.query(text)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                # Queries here are reads or idempotent MERGEs: sending one again is safe.
                if attempt == 2:
                    raise self._stopped(exc) from exc
                self._revive(exc)
            except RedisError as exc:
                if read_only and "empty key" in str(exc):
                    return None  # the graph does not exist yet: nothing to read
                if "db.idx." in str(exc) and (building := self._indexes_building()):
                    raise StoreError(f"the index is still being built after a restart "
                                     f"({building}); retry in a moment") from exc
                raise self._error(exc, query) from exc
        raise AssertionError("unreachable")

    def _indexes_building(self) -> str:
        """The indexes a restarted server still builds in the background, or ''."""
        from redis.exceptions import RedisError

        try:
            rows = self._graph.ro_query("CALL db.indexes() YIELD label, status "
                                        "RETURN label, status").result_set
        except RedisError:
            return ""
        return ", ".join(f"{label}: {status}" for label, status in rows
                         if "CONSTRUCTION" in str(status))

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
        statistics are read (a write query returns no rows). When the server goes
        away, the store reattaches to it or restarts it and sends the batches
        whose replies were not read again (MERGE makes that safe).
        """
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if batch_size < 1:
            raise StoreError(f"batch_size must be at least 1, not {batch_size}")
        lost = (RedisConnectionError, RedisTimeoutError, OSError)
        total = WriteSummary()
        pool = self._db.connection.connection_pool

        def connect(retry: bool) -> Any:
            try:
                return pool.get_connection()  # connects: fails when the server is gone
            except lost as exc:
                if not retry:
                    raise self._stopped(exc) from exc
                self._revive(exc)
                return connect(False)

        conn = connect(True)
        unread: list[list[dict[str, Any]]] = []  # sent, reply not read yet (at most one)

        def send(batch: list[dict[str, Any]]) -> None:
            conn.send_command("GRAPH.QUERY", self.graph_name,
                              params_header({"rows": batch}) + query, "--compact")

        def read_one() -> None:
            total.add(_stats_summary(conn.read_response(), len(unread[0])))
            unread.pop(0)

        def resend(exc: Exception) -> None:
            nonlocal conn
            conn.disconnect()
            pool.release(conn)
            try:
                self._revive(exc)
                conn = connect(False)
                for batch in list(unread):
                    send(batch)
                    read_one()
            except lost as again:
                unread.clear()  # nothing is in flight on a broken connection
                raise self._stopped(again) from again
            except BaseException:
                unread.clear()
                raise

        try:
            for batch in _batches(rows, batch_size):
                # Built while the server runs the previous batch (a bad row raises here,
                # with that batch still in flight: `finally` reads its reply).
                text = params_header({"rows": batch}) + query
                try:
                    if unread:
                        read_one()
                except lost as exc:
                    resend(exc)
                unread.append(batch)
                try:
                    conn.send_command("GRAPH.QUERY", self.graph_name, text, "--compact")
                except lost as exc:
                    resend(exc)  # this batch included
            try:
                while unread:
                    read_one()
            except lost as exc:
                resend(exc)
        except RedisError as exc:
            unread.clear()
            raise self._error(exc, query) from exc
        finally:
            if unread:
                # A batch failed to build while another was in flight: wait for that
                # batch's reply, so every batch before the bad one is written (and the
                # reply is not left for the next caller); drop the connection if even
                # that fails.
                try:
                    conn.read_response()
                except (RedisError, OSError):
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
        When anything was created the append-only file is compacted, so the
        schema is in the snapshot a restart reads (replayed ``MERGE`` queries
        cannot use an index that the same replay creates: they scan).
        """
        from redis.exceptions import RedisError, ResponseError

        existing = self._existing_indexes()
        ddl: list[str] = []
        for label in d.NODE_LABELS:
            if (label, "id", "RANGE") not in existing:
                ddl.append(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        for query in ddl:
            self._run(query, None, read_only=False)
        constraints = {(row[1], tuple(row[2])) for row in
                       self._run("CALL db.constraints()", None, read_only=False).result_set
                       if row[0] == "UNIQUE"}
        created = bool(ddl)
        for cmd in d.falkordb_constraint_commands(self.graph_name):
            if (cmd[5], ("id",)) in constraints:
                continue
            created = True
            try:
                self._db.connection.execute_command(*cmd)
            except ResponseError as exc:
                if "already exists" not in str(exc):
                    raise StoreError(f"creating the unique constraint on {cmd[5]}.id failed: "
                                     f"{exc}") from exc
            except RedisError as exc:
                raise self._error(exc, " ".join(map(str, cmd))) from exc
        for label, prop in d.SECONDARY_INDEXES:
            if (label, prop, "RANGE") not in existing:
                self._run(d.secondary_index_query("falkordb", label, prop), None,
                          read_only=False)
                created = True
        if ("Intention", "text", "FULLTEXT") not in existing:
            self._run(d.fulltext_index_query("falkordb"), None, read_only=False)
            created = True
        if ("Intention", "embedding", "VECTOR") in existing:
            self._move_vector_index()
            created = True
            existing.discard((d.VECTOR_LABEL, "embedding", "VECTOR"))
        if embedding_dim and (d.VECTOR_LABEL, "embedding", "VECTOR") not in existing:
            query = d.vector_index_query("falkordb", embedding_dim, self.ef_runtime,
                                         self.ef_construction)
            self._run(query, None, read_only=False)
            created = True
        self._schema_ensured = True
        self._embedding_dim = embedding_dim or self._embedding_dim
        if created:
            self.checkpoint()
        log.debug("FalkorDB schema of graph %s ensured", self.graph_name)

    def _move_vector_index(self) -> None:
        """A store written before :data:`~kg.store.dialect.VECTOR_LABEL`: its vector
        index leaves the Intention label (the new one is created by the caller)."""
        log.info("moving the vector index of graph %s to the %s label", self.graph_name,
                 d.VECTOR_LABEL)
        self._run("DROP VECTOR INDEX FOR (n:Intention) ON (n.embedding)", None,
                  read_only=False)
        self._run(f"MATCH (n:Intention) WHERE n.embedding IS NOT NULL SET n:{d.VECTOR_LABEL}",
                  None, read_only=False)

    def clear(self) -> None:
        """Delete every node and relationship; the schema is recreated as it was.

        The graph is dropped rather than emptied with ``DETACH DELETE``: FalkorDB's
        vector index keeps deleted nodes in its HNSW graph and they crowd out live
        neighbours (a kNN for k=3 returns one row after delete-and-reload).
        """
        from redis.exceptions import RedisError, ResponseError

        try:
            self._graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc) and "Invalid graph" not in str(exc):
                raise StoreError(f"clearing graph {self.graph_name} failed: {exc}") from exc
        except RedisError as exc:
            raise self._error(exc, "GRAPH.DELETE") from exc
        if self._schema_ensured:
            self.ensure_schema(self._embedding_dim)

    def checkpoint(self) -> None:
        """Compact the append-only file into a snapshot, so a restart reads it quickly.

        Raises:
            StoreError: the server stopped, or the rewrite failed.
        """
        seconds = compact(self.socket_path)
        log.info("FalkorDB append-only file compacted in %.1f s", seconds)

    def close(self) -> None:
        """Close the connection; stop the server when this store was its last user."""
        try:
            self._db.connection.close()
        finally:
            if self.server is not None:
                self.server.stop()

    def __enter__(self) -> FalkorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
