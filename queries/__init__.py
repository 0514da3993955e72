"""Typed query helpers over the intention graph, for analysts and recommenders.

Every helper takes a :class:`kg.store.GraphStore` first, reads only (parameters
only, read transactions), validates its paging (``skip``/``limit``) and returns
pydantic models from :mod:`queries.models`. The same helpers back the
``intentkg query`` CLI and the HTTP API (:func:`queries.api.create_app`).

>>> from queries import intentions_by_concept, similar_products
>>> groups = intentions_by_concept(store, "warmth", depth=2)      # doctest: +SKIP
>>> recs = similar_products(store, "B000123", limit=5)            # doctest: +SKIP
"""

from queries._base import MAX_DEPTH, MAX_LIMIT, MAX_SKIP, NotFoundError
from queries.analysts import (
    concept_children,
    concept_stats,
    graph_summary,
    intentions_by_concept,
    intentions_of_post,
    intentions_of_product,
    intentions_trend,
    relation_stats,
    search_concepts,
    top_concepts,
)
from queries.graph import NodeKind, neighbourhood
from queries.models import (
    Assertion,
    BasketRecommendation,
    ConceptCount,
    ConceptHit,
    Explanation,
    GraphEdge,
    GraphNode,
    GraphSummary,
    IntentionHit,
    IntentionProducts,
    Neighbourhood,
    ProductHit,
    ProductRecommendation,
    RelationCount,
    RelationGroup,
    ScoredIntention,
    TrendPoint,
    WhyBoughtTogether,
)
from queries.recommend import (
    DEFAULT_DECAY,
    DEFAULT_MAX_DEGREE,
    MAX_BASKET,
    products_for_concept,
    products_for_intention,
    recommend_for_basket,
    similar_products,
    why_bought_together,
)
from queries.search import TextEncoder, search_intentions, similar_intentions

__all__ = [
    "DEFAULT_DECAY",
    "DEFAULT_MAX_DEGREE",
    "MAX_BASKET",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "MAX_SKIP",
    "Assertion",
    "BasketRecommendation",
    "ConceptCount",
    "ConceptHit",
    "Explanation",
    "GraphEdge",
    "GraphNode",
    "GraphSummary",
    "IntentionHit",
    "IntentionProducts",
    "Neighbourhood",
    "NodeKind",
    "NotFoundError",
    "ProductHit",
    "ProductRecommendation",
    "RelationCount",
    "RelationGroup",
    "ScoredIntention",
    "TextEncoder",
    "TrendPoint",
    "WhyBoughtTogether",
    "concept_children",
    "concept_stats",
    "graph_summary",
    "intentions_by_concept",
    "intentions_of_post",
    "intentions_of_product",
    "intentions_trend",
    "neighbourhood",
    "products_for_concept",
    "products_for_intention",
    "recommend_for_basket",
    "relation_stats",
    "search_concepts",
    "search_intentions",
    "similar_intentions",
    "similar_products",
    "top_concepts",
    "why_bought_together",
]
