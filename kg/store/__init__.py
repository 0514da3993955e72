"""Graph stores: embedded FalkorDB (default) and Neo4j behind one protocol.

:func:`open_store` picks the store named by :attr:`kg.settings.Settings.store`.
"""

from __future__ import annotations

from kg.settings import Settings
from kg.store.answers import (
    ANSWER_ROWS,
    answer_id,
    decode_intentions,
    decode_products,
    round9,
)
from kg.store.base import DialectName, GraphStore, WriteSummary
from kg.store.cypher_files import load_cypher
from kg.store.stats import ALL, SCOPE_DEPTH, TOP_K, cell_id, scope_at
from kg.store.stats_refresh import refresh_stats

__all__ = ["ALL", "ANSWER_ROWS", "SCOPE_DEPTH", "TOP_K", "DialectName",
           "GraphStore", "WriteSummary", "answer_id", "cell_id",
           "decode_intentions", "decode_products", "load_cypher", "open_store",
           "refresh_stats", "round9", "scope_at"]


def open_store(settings: Settings) -> GraphStore:
    """Open the configured graph store.

    ``settings.store == "falkordb"`` (the default) starts or attaches to the
    embedded server in :attr:`Settings.falkordb_dir`; ``"neo4j"`` connects to
    ``settings.neo4j.uri``. Close the store with ``close()``.

    Raises:
        StoreError: the server cannot be started or reached.
        ConfigError: Neo4j is selected but no URI is set.
    """
    if settings.store == "neo4j":
        from kg.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings.neo4j)
    from kg.store.falkordb import FalkorStore

    return FalkorStore.open(
        settings.falkordb_dir,
        graph=settings.falkordb.graph,
        start_timeout_s=settings.falkordb.start_timeout_s,
        ef_runtime=settings.falkordb.ef_runtime,
        ef_construction=settings.falkordb.ef_construction,
    )
