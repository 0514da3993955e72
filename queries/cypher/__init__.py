"""Cypher texts of the query helpers (``name.cypher``, or per-dialect variants)."""

__all__: list[str] = []
