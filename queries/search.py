"""Finding intentions by words (full-text index) or by meaning (vector index).

Index procedures differ between FalkorDB and Neo4j; :mod:`kg.store.search` hides
them (and escapes user words for the full-text syntax).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from kg.errors import QueryError, StoreError
from kg.store import GraphStore
from kg.store.search import fulltext_search, vector_search
from queries._base import check_page, check_text, read
from queries.models import ScoredIntention

__all__ = ["TextEncoder", "search_intentions", "similar_intentions"]


class TextEncoder(Protocol):
    """What vector search needs from an embedder (:class:`kg.embed.Embedder` fits)."""

    def encode(self, texts: Sequence[str]) -> Any:
        """Return one unit vector per text (an array of shape ``(len(texts), dim)``)."""
        ...


def _with_support(store: GraphStore, rows: Sequence[dict[str, Any]],
                  score_key: str) -> list[ScoredIntention]:
    ids = [str(r["id"]) for r in rows]
    found = read(store, "intention_support", {"ids": ids}) if ids else []
    support = {str(r["id"]): r["support"] for r in found}
    return [ScoredIntention(id=r["id"], text=r["text"] or "",
                            support=int(support.get(str(r["id"])) or 1),
                            score=float(r[score_key])) for r in rows]


def search_intentions(
    store: GraphStore, text: str, *, skip: int = 0, limit: int = 20
) -> list[ScoredIntention]:
    """Intentions whose text matches any word of ``text`` in the full-text index.

    ``score`` is the index's relevance (higher is better; scales differ between
    FalkorDB and Neo4j).

    Raises:
        QueryError: empty text, text without a word, or bad paging.
    """
    check_page(skip, limit)
    text = check_text(text, "search text")
    try:
        rows = fulltext_search(store, text, skip + limit)
    except StoreError as exc:
        raise QueryError(str(exc)) from exc
    return _with_support(store, rows[skip:], "score")


def similar_intentions(
    store: GraphStore,
    encoder: TextEncoder | None,
    text: str,
    *,
    skip: int = 0,
    limit: int = 10,
) -> list[ScoredIntention]:
    """Intentions closest in meaning to ``text`` ("intentions like *stay warm outdoors*").

    ``text`` is embedded with ``encoder`` (the same model that embedded the
    intentions) and looked up in the vector index; ``score`` is the similarity in
    ``[0, 1]``, ``(1 + cos) / 2``, on both stores.

    Raises:
        QueryError: no encoder was given, empty text, or bad paging.
    """
    check_page(skip, limit)
    text = check_text(text, "search text")
    if encoder is None:
        raise QueryError("vector search needs an embedder; start the API or CLI with the "
                         "embedding model configured (embed.model)")
    vectors = encoder.encode([text])
    rows = vector_search(store, [float(x) for x in vectors[0]], skip + limit)
    return _with_support(store, rows[skip:skip + limit], "similarity")
