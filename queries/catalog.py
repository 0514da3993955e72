"""Every query helper declared once: name, function, parameters, result, table, HTTP path.

The HTTP API (:func:`queries.api.create_app`) and the ``intentkg query`` CLI are
generated from :data:`QUERIES`, so an operation has one name on every surface
(``intentions-by-concept`` is the CLI command, the OpenAPI operation id and the
key here) and its bounds are written once, in its parameter model.

A parameter model is a pydantic model whose fields are the helper's keyword
arguments. Field extras say how a surface spells a field: ``http`` (the query
string name, e.g. ``q`` or ``id``), ``cli`` (``"argument"`` for a positional
argument, or the option's flags).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.store import GraphStore
from queries import analysts, graph, recommend, search
from queries._base import MAX_DEPTH, MAX_LIMIT, MAX_SKIP, MAX_TEXT
from queries.models import (
    Assertion,
    BasketRecommendation,
    ConceptCount,
    ConceptHit,
    GraphSummary,
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
from queries.search import TextEncoder

__all__ = ["QUERIES", "QuerySpec", "TableSpec", "http_name", "is_argument", "option_flags"]


def _text(description: str, http: str, **extra: Any) -> Any:
    return Field(min_length=1, max_length=MAX_TEXT, description=description,
                 json_schema_extra={"http": http, "cli": "argument", **extra})


def _id(description: str) -> Any:
    return _text(description, "id")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Page(_Params):
    skip: int = Field(0, ge=0, le=MAX_SKIP, description="Results to skip.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Results to return.")


class _Judged(_Params):
    """Which assertions count besides ``include_rejected``
    (:func:`queries._base.assertion_filter`)."""

    min_score: float = Field(0.0, ge=0, le=1, description=(
        "Only assertions whose filter score is at least this (0..1); assertions no filter "
        "ran on (posts) count as 1 and always pass."))
    accepted_only: bool = Field(False, description=(
        "Only assertions a majority of human annotators accepted (unjudged ones are left "
        "out; judgments reach the graph with `intentkg load`)."))


class _Filtered(_Page, _Judged):
    relations: list[str] | None = Field(
        None, description="Only these relations (repeatable; ids or aliases).",
        json_schema_extra={"http": "relation", "cli": ["--relation", "-r"]})
    include_rejected: bool = Field(False, description="Also use assertions the filter rejected.")


class _Deep(_Filtered):
    concept: str = _text("A concept id or name.", "concept")
    depth: int = Field(2, ge=0, le=MAX_DEPTH, description="IS_A levels below the concept.")


class IntentionsByConcept(_Deep):
    """Parameters of ``intentions-by-concept``."""


class TopConcepts(_Filtered):
    """Parameters of ``top-concepts``."""

    category: str | None = Field(None, min_length=1, max_length=MAX_TEXT,
                                 description="Co-buy category.")
    source: str | None = Field(None, min_length=1, max_length=MAX_TEXT, description=(
        "Subject source (twitter, amazon, ...); not together with a category."))


class ConceptStats(_Page):
    """Parameters of ``concept-stats``."""


class RelationStats(_Page):
    """Parameters of ``relation-stats``."""

    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Results to return.")


class SearchConcepts(_Page):
    """Parameters of ``search-concepts``."""

    text: str = _text("Words of the concept name.", "q")


class IntentionsOfPost(_Filtered):
    """Parameters of ``intentions-of-post``."""

    post_id: str = _id("The post id (`<source>:<id>`).")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Results to return.")


class IntentionsOfProduct(_Filtered):
    """Parameters of ``intentions-of-product``."""

    product_id: str = _id("The product id (ASIN).")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Results to return.")


class SearchIntentions(_Page):
    """Parameters of ``search-intentions``."""

    text: str = _text("Words to match (any of them).", "q")


class SimilarIntentions(_Page):
    """Parameters of ``similar-intentions``."""

    text: str = _text("Text to embed and look up in the vector index.", "q")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Results to return.")


class SimilarProducts(_Filtered):
    """Parameters of ``similar-products``."""

    product_id: str = _id("The product id (ASIN).")
    via_concepts: bool = Field(False, description="Also follow shared concepts (slower).")
    max_degree: int = Field(recommend.DEFAULT_MAX_DEGREE, ge=1, le=10_000_000, description=(
        "Do not pass through intentions or concepts with more incoming edges."))
    decay: float = Field(recommend.DEFAULT_DECAY, gt=0, le=1, description=(
        "Weight factor per two extra hops of a path (via concepts)."))
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Results to return.")


class WhyBoughtTogetherParams(_Params):
    """Parameters of ``why-bought-together``."""

    product_a: str = _text("One product id (ASIN).", "a")
    product_b: str = _text("The other product id (ASIN).", "b")
    include_rejected: bool = Field(False, description="Also use assertions the filter rejected.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Results to return.")


class ProductsForIntention(_Filtered):
    """Parameters of ``products-for-intention``."""

    intention: str = _text("An intention id or its exact text.", "intention")


class ProductsForConcept(_Deep):
    """Parameters of ``products-for-concept``."""


class ConceptChildren(_Page, _Judged):
    """Parameters of ``concept-children``."""

    concept: str = _text("A concept id or name.", "concept")
    include_rejected: bool = Field(False, description="Also count assertions the filter rejected.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Results to return.")


class IntentionsTrend(_Params):
    """Parameters of ``intentions-trend``."""

    concept: str = _text("A concept id or name.", "concept")
    by: Literal["month"] = Field("month", description="The period.",
                                 json_schema_extra={"http": "by", "cli": ["--by"]})
    include_rejected: bool = Field(False, description="Also count assertions the filter rejected.")


class GraphSummaryParams(_Params):
    """Parameters of ``graph-summary`` (none)."""


class RecommendForBasket(_Page, _Judged):
    """Parameters of ``recommend-for-basket``."""

    products: list[str] = Field(
        min_length=1, max_length=recommend.MAX_BASKET,
        description="The basket's product ids (ASINs; repeat `product` over HTTP).",
        json_schema_extra={"http": "product", "cli": "argument"})
    relations: list[str] | None = Field(
        None, description="Only these relations (repeatable; ids or aliases).",
        json_schema_extra={"http": "relation", "cli": ["--relation", "-r"]})
    include_rejected: bool = Field(False, description="Also use assertions the filter rejected.")
    max_degree: int = Field(recommend.DEFAULT_MAX_DEGREE, ge=1, le=10_000_000, description=(
        "Do not pass through intentions with more incoming edges."))
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Results to return.")


class Neighbours(_Params):
    """Parameters of ``neighbourhood``."""

    kind: Literal["intention", "concept", "product", "post"] = Field(
        description="What the node is.", json_schema_extra={"http": "kind", "cli": "argument"})
    node_id: str = _id("The node id.")
    include_rejected: bool = Field(False, description="Also use assertions the filter rejected.")
    limit: int = Field(25, ge=1, le=200, description="Edges to return.")


@dataclass(frozen=True)
class TableSpec:
    """How the CLI shows (part of) a result as a table.

    ``rows`` names the result's attribute holding the rows (``None``: the result
    itself, a list or one model; ``"*.items"``: every group's ``items``).
    """

    columns: tuple[str, ...]
    title: str
    rows: str | None = None


@dataclass(frozen=True)
class QuerySpec:
    """One query helper and how every surface exposes it."""

    name: str
    function: Callable[..., Any]
    params: type[BaseModel]
    result: Any
    path: str
    tag: Literal["analysts", "recommenders", "explorer"]
    tables: tuple[TableSpec, ...]
    summary: str
    needs_encoder: bool = False
    aliases: tuple[str, ...] = field(default=())

    def call(self, store: GraphStore, params: BaseModel,
             encoder: TextEncoder | None = None) -> Any:
        """Run the helper with validated ``params``."""
        values = params.model_dump()
        positional = [values.pop(name) for name, f in self.params.model_fields.items()
                      if is_argument(f)]
        if self.needs_encoder:
            return self.function(store, encoder, *positional, **values)
        return self.function(store, *positional, **values)


def _extra(info: Any) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def is_argument(info: Any) -> bool:
    """The field is a positional argument of the helper and of the CLI command."""
    return bool(_extra(info).get("cli") == "argument")


def http_name(name: str, info: Any) -> str:
    """The query-string name of a field."""
    return str(_extra(info).get("http", name))


def option_flags(name: str, info: Any) -> list[str]:
    """The CLI option flags of a (non-argument) field."""
    flags = _extra(info).get("cli")
    return list(flags) if isinstance(flags, list) else ["--" + name.replace("_", "-")]


_ASSERTION_COLS = ("relation", "intention", "model", "prompt_version", "image_description")

QUERIES: dict[str, QuerySpec] = {s.name: s for s in (
    QuerySpec("intentions-by-concept", analysts.intentions_by_concept, IntentionsByConcept,
              list[RelationGroup], "/api/intentions/by-concept", "analysts",
              (TableSpec(("relation", "text", "subjects", "support", "score", "concepts"),
                         "intentions about {concept}", "*.items"),),
              "Intentions about a concept (id or name) or its IS_A descendants, by relation."),
    QuerySpec("top-concepts", analysts.top_concepts, TopConcepts, list[ConceptCount],
              "/api/concepts/top", "analysts",
              (TableSpec(("name", "assertions", "intentions", "score", "id"), "top concepts"),),
              "Concepts most referred to, per relation or per co-buy category."),
    QuerySpec("concept-stats", analysts.concept_stats, ConceptStats, list[ConceptCount],
              "/api/concepts/stats", "analysts",
              (TableSpec(("name", "intentions", "children", "score", "id"), "concepts"),),
              "Concepts ranked by the intentions about them."),
    QuerySpec("relation-stats", analysts.relation_stats, RelationStats, list[RelationCount],
              "/api/relations/stats", "analysts",
              (TableSpec(("relation", "assertions", "kept", "intentions", "mean_filter_score"),
                         "relations"),),
              "Assertions per relation: total, kept, intentions, mean filter score."),
    QuerySpec("search-concepts", analysts.search_concepts, SearchConcepts, list[ConceptHit],
              "/api/concepts/search", "analysts",
              (TableSpec(("name", "intentions", "synset", "id"), "concepts like {text!r}"),),
              "Concepts whose name contains the text."),
    QuerySpec("intentions-of-post", analysts.intentions_of_post, IntentionsOfPost,
              list[Assertion], "/api/posts/intentions", "analysts",
              (TableSpec(_ASSERTION_COLS, "intentions of post {post_id}"),),
              "A post's intentions with provenance.", aliases=("post-intentions",)),
    QuerySpec("intentions-of-product", analysts.intentions_of_product, IntentionsOfProduct,
              list[Assertion], "/api/products/intentions", "analysts",
              (TableSpec(("partner", "relation", "intention", "filter_score", "keep", "model"),
                         "intentions of product {product_id}"),),
              "The intentions of a product's co-buys with provenance.",
              aliases=("product-intentions",)),
    QuerySpec("search-intentions", search.search_intentions, SearchIntentions,
              list[ScoredIntention], "/api/intentions/search", "analysts",
              (TableSpec(("text", "score", "support", "id"), "intentions matching {text!r}"),),
              "Intentions matching any word of the text (full-text index)."),
    QuerySpec("similar-intentions", search.similar_intentions, SimilarIntentions,
              list[ScoredIntention], "/api/intentions/similar", "analysts",
              (TableSpec(("text", "score", "support", "id"), "intentions like {text!r}"),),
              "Intentions closest in meaning to the text (vector index; embeds it with "
              "embed.model).", needs_encoder=True),
    QuerySpec("similar-products", recommend.similar_products, SimilarProducts,
              list[ProductRecommendation], "/api/products/similar", "recommenders",
              (TableSpec(("id", "title", "score", "paths", "direct", "explanations"),
                         "products like {product_id}"),),
              "Products reachable through co-buy intention paths, with explanations."),
    QuerySpec("why-bought-together", recommend.why_bought_together, WhyBoughtTogetherParams,
              WhyBoughtTogether, "/api/products/why", "recommenders",
              (TableSpec(("relation", "intention", "filter_score", "keep"), "their co-buy",
                         "direct"),
               TableSpec(("intention", "relation", "weight"), "shared by other co-buys",
                         "shared")),
              "Why two products were bought together.", aliases=("why",)),
    QuerySpec("products-for-intention", recommend.products_for_intention, ProductsForIntention,
              IntentionProducts, "/api/intentions/products", "recommenders",
              (TableSpec(("id", "title", "cobuys", "score"), "products for {intention!r}",
                         "products"),),
              "Products whose co-buys assert an intention (id or exact text)."),
    QuerySpec("products-for-concept", recommend.products_for_concept, ProductsForConcept,
              list[ProductHit], "/api/concepts/products", "recommenders",
              (TableSpec(("id", "title", "cobuys", "score", "intentions"),
                         "products for concept {concept}"),),
              "Products whose co-buys assert intentions about a concept or below it."),
    QuerySpec("graph-summary", analysts.graph_summary, GraphSummaryParams, GraphSummary,
              "/api/graph/summary", "analysts",
              (TableSpec(("posts", "products", "cobuys", "intentions", "concepts", "assertions",
                          "kept"), "graph"),),
              "The graph's size: nodes per kind and assertion edges (all, kept)."),
    QuerySpec("concept-children", analysts.concept_children, ConceptChildren,
              list[ConceptCount], "/api/concepts/children", "analysts",
              (TableSpec(("name", "assertions", "intentions", "children", "id"),
                         "below {concept}"),),
              "The concepts directly below a concept (IS_A) with their counts."),
    QuerySpec("intentions-trend", analysts.intentions_trend, IntentionsTrend, list[TrendPoint],
              "/api/concepts/trend", "analysts",
              (TableSpec(("period", "assertions", "intentions"), "{concept} by {by}"),),
              "Assertions about a concept per month (posts with a time)."),
    QuerySpec("recommend-for-basket", recommend.recommend_for_basket, RecommendForBasket,
              list[BasketRecommendation], "/api/products/basket", "recommenders",
              (TableSpec(("id", "title", "score", "paths", "explanations"),
                         "for the basket {products}"),),
              "Products serving the intentions a basket's products share, with explanations."),
    QuerySpec("neighbourhood", graph.neighbourhood, Neighbours, Neighbourhood, "/api/graph",
              "explorer",
              (TableSpec(("source", "type", "relation", "target"), "around {node_id}", "edges"),),
              "Nodes and edges around an intention, concept, product or post.",
              aliases=("graph",)),
)}


def rows_of(result: Any, table: TableSpec) -> Sequence[Any]:
    """The rows ``table`` shows of ``result``."""
    if table.rows is None:
        return result if isinstance(result, list) else [result]
    if table.rows.startswith("*."):
        attr = table.rows[2:]
        return [row for group in result for row in getattr(group, attr)]
    return list(getattr(result, table.rows))
