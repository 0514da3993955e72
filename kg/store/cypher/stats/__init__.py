"""Read-only Cypher of :mod:`kg.store.stats`: the facts the aggregates are computed from."""

__all__: list[str] = []
