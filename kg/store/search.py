"""The store's public search API: full-text and vector look-ups of intentions.

Index procedures differ between FalkorDB and Neo4j; callers above the store (the
query helpers) use these two functions and never a dialect's query text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.store.base import GraphStore
from kg.store.dialect import fulltext_query, fulltext_terms, vector_query

__all__ = ["fulltext_search", "vector_search"]


def fulltext_search(store: GraphStore, text: str, limit: int) -> list[dict[str, Any]]:
    """Intentions matching any word of ``text``: rows ``id, text, score``, best first.

    Raises:
        StoreError: ``text`` has no word at all.
    """
    terms = fulltext_terms(text, store.dialect)
    return list(store.read(fulltext_query(store.dialect), {"query": terms, "limit": limit}))


def vector_search(store: GraphStore, vector: Sequence[float], k: int) -> list[dict[str, Any]]:
    """The ``k`` intentions nearest to ``vector``: rows ``id, text, similarity`` in [0, 1]."""
    rows = store.read(vector_query(store.dialect), {"vector": [float(x) for x in vector], "k": k})
    return list(rows)
