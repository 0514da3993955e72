"""Test-only helpers: a hand-written sample graph and the Neo4j Cypher catalogue."""
