"""Helpers for analysts: intentions by concept, provenance, concept and relation statistics.

Assertion edges ``(:Post|CoBuy)-[r]->(:Intention)`` have a type per relation, so
they are matched generically and told apart by ``r.relation``. Edges the
role-aware filter rejected (``r.keep = false``) are left out unless
``include_rejected=True``; ``min_score`` and ``accepted_only`` narrow them further
(:func:`queries._base.assertion_filter`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.errors import QueryError
from kg.store import ALL, GraphStore, cell_id
from queries._base import (
    assertion_filter,
    check_depth,
    check_page,
    check_text,
    concept_ids,
    is_filtered,
    read,
    relation_ids,
)
from queries.models import (
    Assertion,
    ConceptCount,
    ConceptHit,
    GraphSummary,
    IntentionHit,
    RelationCount,
    RelationGroup,
    TrendPoint,
)
from queries.rankings import ranked_by_concept

__all__ = [
    "concept_children",
    "concept_stats",
    "graph_summary",
    "intentions_by_concept",
    "intentions_of_post",
    "intentions_of_product",
    "intentions_trend",
    "relation_stats",
    "search_concepts",
    "top_concepts",
]


def intentions_by_concept(
    store: GraphStore,
    concept: str,
    *,
    depth: int = 2,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 20,
) -> list[RelationGroup]:
    """Intentions about ``concept`` or a concept below it, grouped by relation.

    A concept ``d`` IS_A hops below the asked concept is in scope when
    ``d <= depth``. Within each relation, intentions are ranked by the number of
    distinct posts/co-buys asserting them (``subjects``), then by
    ``score = max(ABOUT.score / (1 + d))``, then by id; groups come largest first.
    One concept's first page with the default filters is read from the answer
    kept at load time, its other first pages from the rankings kept at load time
    (:mod:`queries.rankings`); several senses of a name, deeper pages, or a
    ``min_score``/``accepted_only`` filter (the kept answers and rankings count every
    kept assertion) are computed from the graph, so every answer is exact.

    Args:
        store: the graph store.
        concept: a concept id (``concept:...``) or name (all senses of the name).
        depth: IS_A levels to descend, ``0..5``.
        relations: restrict to these relations (ids or aliases).
        include_rejected: also count assertions the filter rejected.
        min_score: count only assertions with a filter score of at least this
            (``0..1``; unscored ones count as 1).
        accepted_only: count only assertions human annotators accepted.
        skip: intentions to skip in each group.
        limit: intentions to return per group.

    Raises:
        QueryError: a bad argument. NotFoundError: no concept of that name.
    """
    check_page(skip, limit)
    check_depth(depth)
    which = assertion_filter(include_rejected, min_score, accepted_only)
    roots = concept_ids(store, concept)
    rels = relation_ids(relations)
    filtered = is_filtered(min_score, accepted_only)
    if len(roots) == 1 and not filtered:
        kept = ranked_by_concept(store, roots[0], depth=depth, relations=rels,
                                 include_rejected=include_rejected, skip=skip, limit=limit)
        if kept is not None:
            return kept
    params = {
        "concept_ids": roots,
        "depth": depth,
        "relations": rels,
        **which,
        "skip": skip,
        "limit": limit,
    }
    rows = (read(store, "intentions_by_concept_edges", params) if filtered
            else read(store, "intentions_by_concept", params))
    groups: list[RelationGroup] = []
    for row in rows:
        items = [IntentionHit(relation=row["relation"], **item) for item in row["items"] or []]
        groups.append(RelationGroup(relation=row["relation"], total=row["total"], items=items))
    return groups


def top_concepts(
    store: GraphStore,
    *,
    relations: Sequence[str] | None = None,
    category: str | None = None,
    source: str | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 20,
) -> list[ConceptCount]:
    """Concepts most referred to by assertions, per relation, co-buy category or source.

    Ranked by assertion edges reaching an intention ABOUT the concept, then by
    distinct intentions. Read from the aggregates kept at load time
    (``ConceptStat``) for no filter, one relation, one category or one source;
    other combinations, and any ``min_score``/``accepted_only`` filter, count the
    assertion edges (slower).

    Args:
        store: the graph store.
        relations: count only these relations (ids or aliases).
        category: count only co-buys of this category (posts have none).
        source: count only subjects from this source (``twitter``, ``amazon``, ...).
        include_rejected: also count assertions the filter rejected.
        min_score: count only assertions with a filter score of at least this.
        accepted_only: count only assertions human annotators accepted.
        skip: concepts to skip.
        limit: concepts to return.
    """
    check_page(skip, limit)
    which = assertion_filter(include_rejected, min_score, accepted_only)
    rels = relation_ids(relations)
    category = check_text(category, "category") if category is not None else None
    source = check_text(source, "source") if source is not None else None
    params: dict[str, Any] = {**which, "skip": skip, "limit": limit, "top": cell_id(ALL)}
    if (rels is None or len(rels) == 1) and (category is None or source is None) \
            and not is_filtered(min_score, accepted_only):
        facet, value = (("category", category) if category is not None else
                        ("source", source) if source is not None else ("all", ""))
        if rels is None or facet == "all":
            cell = cell_id(rels[0] if rels else ALL, facet, value)
            return [ConceptCount(**row) for row in
                    read(store, "top_concepts", {**params, "cell": cell})]
    params.update(relations=rels, category=category, source=source)
    return [ConceptCount(**row) for row in read(store, "top_concepts_live", params)]


def concept_stats(store: GraphStore, *, skip: int = 0, limit: int = 20) -> list[ConceptCount]:
    """Concepts ranked by intentions ABOUT them, with their number of IS_A children."""
    check_page(skip, limit)
    params = {"skip": skip, "limit": limit, "cell": cell_id(ALL)}
    return [ConceptCount(**row) for row in read(store, "concept_stats", params)]


def concept_children(
    store: GraphStore,
    concept: str,
    *,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 50,
) -> list[ConceptCount]:
    """The concepts directly below ``concept`` (IS_A), most asserted first, with counts.

    ``assertions`` and ``intentions`` count the assertions reaching intentions ABOUT
    each child itself (not its descendants); ``children`` is its own IS_A fan-out,
    so a client can drill down the hierarchy. Read from the aggregates kept at load
    time; a ``min_score``/``accepted_only`` filter counts the assertion edges.

    Raises:
        QueryError: a bad argument. NotFoundError: no concept of that name.
    """
    check_page(skip, limit)
    which = assertion_filter(include_rejected, min_score, accepted_only)
    params = {"concept_ids": concept_ids(store, concept), "cell": cell_id(ALL), **which,
              "skip": skip, "limit": limit}
    rows = (read(store, "concept_children_live", params) if is_filtered(min_score, accepted_only)
            else read(store, "concept_children", params))
    return [ConceptCount(**row) for row in rows]


def intentions_trend(
    store: GraphStore,
    concept: str,
    *,
    by: str = "month",
    include_rejected: bool = False,
) -> list[TrendPoint]:
    """Assertions about ``concept`` per period, oldest first (posts with a time).

    Read from the month cells kept at load time; a period without assertions is
    left out. Co-buys have no time and do not count.

    Args:
        store: the graph store.
        concept: a concept id or name (all senses of the name, summed).
        by: the period; ``"month"`` (``YYYY-MM``, UTC).
        include_rejected: also count assertions the filter rejected.

    Raises:
        QueryError: a bad argument. NotFoundError: no concept of that name.
    """
    if by != "month":
        raise QueryError(f"by must be 'month', not {by!r}")
    params = {"concept_ids": concept_ids(store, concept), "all": ALL,
              "include_rejected": include_rejected}
    return [TrendPoint(**row) for row in read(store, "intentions_trend", params)]


def graph_summary(store: GraphStore) -> GraphSummary:
    """The graph's size: posts, products, co-buys, intentions, concepts, assertions."""
    counts = dict.fromkeys(GraphSummary.model_fields, 0)  # an empty graph has no rows
    counts.update({row["key"]: row["n"] for row in
                   read(store, "graph_summary", {"cell": cell_id(ALL)})})
    return GraphSummary(**counts)


def relation_stats(store: GraphStore, *, skip: int = 0, limit: int = 100) -> list[RelationCount]:
    """Assertions per relation: total, kept, distinct intentions, mean filter score.

    Read from the aggregates kept at load time (``GraphStat``).
    """
    check_page(skip, limit)
    return [RelationCount(**row) for row in
            read(store, "relation_stats", {"skip": skip, "limit": limit, "all": ALL})]


def search_concepts(
    store: GraphStore, text: str, *, skip: int = 0, limit: int = 20
) -> list[ConceptHit]:
    """Concepts whose name contains ``text`` (case-insensitive), most used first."""
    check_page(skip, limit)
    params = {"text": check_text(text, "search text"), "skip": skip, "limit": limit}
    return [ConceptHit(**row) for row in read(store, "search_concepts", params)]


def intentions_of_post(
    store: GraphStore,
    post_id: str,
    *,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 50,
) -> list[Assertion]:
    """The intentions distilled from a post, with provenance (model, prompt, image description).

    Ordered by relation, then filter score (best first). An unknown post gives ``[]``.
    """
    check_page(skip, limit)
    params = {
        "id": check_text(post_id, "post id"),
        "relations": relation_ids(relations),
        **assertion_filter(include_rejected, min_score, accepted_only),
        "skip": skip,
        "limit": limit,
    }
    return [Assertion(**row) for row in read(store, "intentions_of_post", params)]


def intentions_of_product(
    store: GraphStore,
    product_id: str,
    *,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 50,
) -> list[Assertion]:
    """The intentions of every co-buy the product is part of, with provenance.

    ``partner`` names the other product of each co-buy. Ordered by filter score
    (best first). An unknown product gives ``[]``.
    """
    check_page(skip, limit)
    params = {
        "id": check_text(product_id, "product id"),
        "relations": relation_ids(relations),
        **assertion_filter(include_rejected, min_score, accepted_only),
        "skip": skip,
        "limit": limit,
    }
    return [Assertion(**row) for row in read(store, "intentions_of_product", params)]
