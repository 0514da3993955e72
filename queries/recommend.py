"""Helpers for recommenders: co-buy intention paths between products.

Scoring (also in ``docs/queries.md``). A path from product ``p`` to product
``q`` runs through co-buys and intentions; its weight is

    w(P) = λ^k · Π f(r) · Π s(a)

where ``k`` is 0 for a direct path ``p ←OF– cb –OF→ q`` explained by one of
``cb``'s assertions ``r``, 1 for a shared intention
``p ←OF– cb1 –r1→ i ←r2– cb2 –OF→ q`` and 2 for a shared concept
``p ←OF– cb1 –r1→ i1 –ABOUT→ c ←ABOUT– i2 ←r2– cb2 –OF→ q`` (so every two extra
hops halve the weight at the default ``λ = 0.5``); ``f(r)`` is an assertion's
role-aware filter score (1 when no filter ran) and ``s(a)`` an ABOUT edge's
score. ``score(q) = Σ w(P)`` over all paths, so many strong paths beat one weak one.
Only assertions that pass the helper's filter make paths: kept by the filter unless
``include_rejected``, ``f(r) >= min_score``, human-accepted when ``accepted_only``
(:func:`queries._base.assertion_filter`).

Shared-intention and shared-concept paths do not pass through a node with more
than ``max_degree`` incoming edges: an intention asserted by thousands of
co-buys ("use at home") explains nothing and would dominate the cost of the
query. Direct paths always count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.errors import QueryError
from kg.ids import pair_id
from kg.store import GraphStore
from queries._base import (
    assertion_filter,
    check_depth,
    check_page,
    check_text,
    concept_ids,
    intention_row,
    is_filtered,
    read,
    relation_ids,
)
from queries.models import (
    Assertion,
    BasketRecommendation,
    Explanation,
    IntentionProducts,
    ProductHit,
    ProductRecommendation,
    WhyBoughtTogether,
)
from queries.rankings import kept_products

__all__ = [
    "DEFAULT_DECAY",
    "DEFAULT_MAX_DEGREE",
    "products_for_concept",
    "products_for_intention",
    "recommend_for_basket",
    "similar_products",
    "why_bought_together",
]

DEFAULT_DECAY = 0.5
"""λ: the weight factor per two extra hops of a path."""
DEFAULT_MAX_DEGREE = 200
"""Intentions (and concepts) with more incoming edges are not followed past them."""
_MIN_CANDIDATES = 200


def _merge(rows: Sequence[dict[str, Any]], direct: bool,
           into: dict[str, dict[str, Any]]) -> None:
    """Sum one path kind's candidate rows into ``into``.

    The queries return each explanation as an ``[intention_id, intention,
    relation, concept, weight]`` list (lists parse much faster than maps); they
    become :class:`Explanation` objects only for the products returned.
    """
    for row in rows:
        acc = into.setdefault(row["id"], {"id": row["id"], "title": row["title"],
                                          "category": row["category"], "score": 0.0,
                                          "paths": 0, "direct": False, "explanations": []})
        acc["score"] += float(row["score"])
        acc["paths"] += int(row["paths"])
        acc["direct"] = acc["direct"] or direct
        acc["explanations"].extend(row["explanations"] or [])


def similar_products(
    store: GraphStore,
    product_id: str,
    *,
    via_concepts: bool = False,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    decay: float = DEFAULT_DECAY,
    max_degree: int = DEFAULT_MAX_DEGREE,
    skip: int = 0,
    limit: int = 10,
) -> list[ProductRecommendation]:
    """Products reachable from ``product_id`` through co-buy intention paths, best first.

    See the module docstring for the score. Each path kind is aggregated in the
    store and capped to the best ``max(200, 4 · (skip + limit))`` candidates
    before the kinds are summed, so very deep pages are approximate. Each result
    carries its three strongest explanations (intention text, relation, concept).

    Args:
        store: the graph store.
        product_id: the product (ASIN) to start from.
        via_concepts: also follow shared concepts (two more hops: exploratory and
            several times slower, hence off by default).
        relations: follow only assertions of these relations (ids or aliases).
        include_rejected: also follow assertions the filter rejected.
        min_score: follow only assertions with a filter score of at least this.
        accepted_only: follow only assertions human annotators accepted.
        decay: λ in ``(0, 1]``.
        max_degree: intentions and concepts with more incoming edges are not
            passed through (``1..10_000_000``).
        skip: results to skip.
        limit: results to return.

    Raises:
        QueryError: a bad argument.
    """
    check_page(skip, limit)
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not 0 < decay <= 1:
        raise QueryError(f"decay must be a number in (0, 1], not {decay!r}")
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) \
            or not 1 <= max_degree <= 10_000_000:
        raise QueryError(f"max_degree must be an integer in 1..10000000, not {max_degree!r}")
    params = {
        "product_id": check_text(product_id, "product id"),
        "relations": relation_ids(relations),
        **assertion_filter(include_rejected, min_score, accepted_only),
        "decay": float(decay),
        "max_degree": max_degree,
        "candidates": max(_MIN_CANDIDATES, 4 * (skip + limit)),
    }
    merged: dict[str, dict[str, Any]] = {}
    _merge(read(store, "similar_products_direct", params), True, merged)
    _merge(read(store, "similar_products_intention", params), False, merged)
    if via_concepts:
        _merge(read(store, "similar_products_concept", params), False, merged)
    ranked = sorted(merged.values(), key=lambda r: (-r["score"], r["id"]))[skip:skip + limit]
    out = []
    for acc in ranked:
        acc["explanations"] = _top_explanations([
            Explanation(intention_id=e[0], intention=e[1], relation=e[2], concept=e[3],
                        weight=e[4]) for e in acc["explanations"]])
        out.append(ProductRecommendation(**acc))
    return out


def _top_explanations(found: list[Explanation], keep: int = 3) -> list[Explanation]:
    """The ``keep`` strongest explanations, one per (intention, relation, concept)."""
    summed: dict[tuple[str, str, str | None], Explanation] = {}
    for e in found:
        key = (e.intention_id, e.relation, e.concept)
        prev = summed.get(key)
        summed[key] = e if prev is None else prev.model_copy(
            update={"weight": prev.weight + e.weight})
    return sorted(summed.values(), key=lambda e: (-e.weight, e.intention_id))[:keep]


def why_bought_together(
    store: GraphStore,
    product_a: str,
    product_b: str,
    *,
    include_rejected: bool = False,
    limit: int = 10,
) -> WhyBoughtTogether:
    """Why ``product_a`` and ``product_b`` were bought together.

    ``direct`` lists the pair's own assertions (best filter score first);
    ``shared`` lists intentions asserted both by another co-buy of A and by another
    co-buy of B, weighted by ``Σ f(ra) · f(rb)`` over such co-buy pairs.

    Raises:
        QueryError: a bad argument (same product twice, bad limit).
    """
    check_page(0, limit)
    a = check_text(product_a, "product id")
    b = check_text(product_b, "product id")
    if a == b:
        raise QueryError(f"why-bought-together needs two different products, got {a!r} twice")
    cobuy = pair_id(a, b)
    direct = read(store, "cobuy_assertions",
                  {"id": cobuy, "include_rejected": include_rejected, "limit": limit})
    shared = read(store, "why_shared", {"a": a, "b": b, "cobuy_id": cobuy,
                                        "include_rejected": include_rejected, "limit": limit})
    together = bool(direct) or bool(read(store, "cobuy_exists", {"id": cobuy}))
    return WhyBoughtTogether(
        product_a=a, product_b=b, cobuy_id=cobuy, bought_together=together,
        direct=[Assertion(**row) for row in direct],
        shared=[Explanation(**row) for row in shared],
    )


def products_for_intention(
    store: GraphStore,
    intention: str,
    *,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    skip: int = 0,
    limit: int = 20,
) -> IntentionProducts:
    """Products whose co-buys assert ``intention`` (its id or its exact text).

    Ranked by ``score = Σ f(r)`` over the supporting assertions (those passing
    ``include_rejected``, ``min_score`` and ``accepted_only``), then by co-buys.

    Raises:
        QueryError: a bad argument. NotFoundError: no such intention.
    """
    check_page(skip, limit)
    which = assertion_filter(include_rejected, min_score, accepted_only)
    node = intention_row(store, intention)
    params = {"intention_id": node["id"], "relations": relation_ids(relations), **which,
              "skip": skip, "limit": limit}
    rows = read(store, "products_for_intention", params)
    return IntentionProducts(intention_id=node["id"], intention=node["text"] or "",
                             products=[ProductHit(**row) for row in rows])


def products_for_concept(
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
) -> list[ProductHit]:
    """Products whose co-buys assert intentions about ``concept`` or a concept below it.

    Ranked by ``score = Σ f(r)`` over the supporting assertions (those passing
    ``include_rejected``, ``min_score`` and ``accepted_only``), then by co-buys;
    ``intentions`` names each product's three strongest supporting intentions. One
    concept's first page with the default filters is read from the answer kept at
    load time (:func:`queries.rankings.kept_products`); anything else is computed
    from the graph (binding every assertion edge of the scope's intentions).

    Raises:
        QueryError: a bad argument. NotFoundError: no concept of that name.
    """
    check_page(skip, limit)
    check_depth(depth)
    which = assertion_filter(include_rejected, min_score, accepted_only)
    roots = concept_ids(store, concept)
    rels = relation_ids(relations)
    if len(roots) == 1 and not is_filtered(min_score, accepted_only):
        kept = kept_products(store, roots[0], depth=depth, relations=rels,
                             include_rejected=include_rejected, skip=skip, limit=limit)
        if kept is not None:
            return kept
    scope = [row["id"] for row in read(store, "concept_scope", {
        "concept_ids": roots, "depth": depth})]
    params = {"scope": scope, "relations": rels, **which, "skip": skip, "limit": limit}
    return [ProductHit(**row) for row in read(store, "products_for_concept", params)]


MAX_BASKET = 50
"""Most products a basket may hold."""


def recommend_for_basket(
    store: GraphStore,
    products: Sequence[str],
    *,
    relations: Sequence[str] | None = None,
    include_rejected: bool = False,
    min_score: float = 0.0,
    accepted_only: bool = False,
    max_degree: int = DEFAULT_MAX_DEGREE,
    skip: int = 0,
    limit: int = 10,
) -> list[BasketRecommendation]:
    """Products that serve the intentions the basket's products share, best first.

    An intention is shared when co-buys of at least two basket products assert it
    (of the one product, for a basket of one). A product ``q`` outside the basket
    is reached through it by ``b ←OF– cb1 –r1→ i ←r2– cb2 –OF→ q`` with weight
    ``w = (shared / basket size) · max f(r1) · f(r2)``; ``score(q) = Σ w``. Each
    result names its three strongest intentions and the basket products behind
    them. Intentions with more than ``max_degree`` incoming edges are skipped; only
    assertions passing ``include_rejected``, ``min_score`` and ``accepted_only`` count.

    Raises:
        QueryError: a bad argument (empty or oversized basket, bad paging).
    """
    check_page(skip, limit)
    basket = list(dict.fromkeys(check_text(p, "product id") for p in products))
    if not basket:
        raise QueryError("recommend-for-basket needs at least one product id")
    if len(basket) > MAX_BASKET:
        raise QueryError(f"a basket holds at most {MAX_BASKET} products, not {len(basket)}")
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) \
            or not 1 <= max_degree <= 10_000_000:
        raise QueryError(f"max_degree must be an integer in 1..10000000, not {max_degree!r}")
    params = {"products": basket, "min_shared": min(2, len(basket)),
              "relations": relation_ids(relations),
              **assertion_filter(include_rejected, min_score, accepted_only),
              "max_degree": max_degree, "skip": skip, "limit": limit}
    out = []
    for row in read(store, "recommend_for_basket", params):
        explanations = [Explanation(intention_id=e[0], intention=e[1], relation=e[2],
                                    via=sorted(e[3]), weight=e[4])
                        for e in row["explanations"] or []]
        out.append(BasketRecommendation(**{**row, "explanations": explanations}))
    return out
