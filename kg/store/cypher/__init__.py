"""Shared Cypher of the graph writers (``name.cypher``) and per-dialect variants
(``name.neo4j.cypher`` / ``name.falkordb.cypher``), read with
:func:`kg.store.cypher_files.load_cypher`."""

__all__: list[str] = []
