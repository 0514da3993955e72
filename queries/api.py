"""Read-only HTTP API over the query helpers, plus the web explorer's static files.

``create_app(store, embedder)`` returns a FastAPI app whose GET endpoints map one
to one onto the helpers of :mod:`queries` (same parameters, same result models,
documented in the OpenAPI spec at ``/openapi.json`` and ``/docs``). Bad
arguments answer 400 (422 when a parameter does not even parse), unknown
anchors 404 and an unreachable store 503, always as ``{"error": "..."}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

import queries as q
from kg.errors import QueryError, StoreError
from kg.store import GraphStore

__all__ = ["WEB_DIR", "create_app"]

WEB_DIR = Path(__file__).resolve().parent / "web"
"""The explorer's static files (no build step, nothing fetched from elsewhere)."""

Skip = Annotated[int, Query(ge=0, le=q.MAX_SKIP, description="Results to skip.")]
Limit = Annotated[int, Query(ge=1, le=q.MAX_LIMIT, description="Results to return.")]
Depth = Annotated[int, Query(ge=0, le=q.MAX_DEPTH, description="IS_A levels to descend.")]
Relations = Annotated[list[str] | None, Query(
    alias="relation", description="Only these relations (repeatable; ids or aliases).")]
Rejected = Annotated[bool, Query(description="Also use assertions the filter rejected.")]


def _error(status: int, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": str(exc)})


def create_app(store: GraphStore, embedder: q.TextEncoder | None = None) -> FastAPI:
    """Build the API app over ``store``; ``embedder`` enables ``/api/intentions/similar``.

    Args:
        store: an open graph store; the app only reads from it and never closes it.
        embedder: the model that embedded the intentions (same dimension as the index).
    """
    app = FastAPI(
        title="intention-kg query API",
        version="0.1.0",
        description="Read-only queries over an intention knowledge graph "
                    "(posts, co-buys, intentions, concepts).",
    )

    @app.exception_handler(q.NotFoundError)
    async def _not_found(_: Request, exc: q.NotFoundError) -> JSONResponse:
        return _error(404, exc)

    @app.exception_handler(QueryError)
    async def _bad_query(_: Request, exc: QueryError) -> JSONResponse:
        return _error(400, exc)

    @app.exception_handler(StoreError)
    async def _store_down(_: Request, exc: StoreError) -> JSONResponse:
        return _error(503, exc)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str | bool]:
        """The store's dialect and whether vector search is available."""
        return {"status": "ok", "dialect": store.dialect, "vector_search": embedder is not None}

    @app.get("/api/intentions/by-concept", tags=["analysts"])
    def intentions_by_concept(concept: str, depth: Depth = 2, relations: Relations = None,
                              include_rejected: Rejected = False, skip: Skip = 0,
                              limit: Limit = 20) -> list[q.RelationGroup]:
        """Intentions about a concept or its IS_A descendants, grouped by relation."""
        return q.intentions_by_concept(store, concept, depth=depth, relations=relations,
                                       include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/concepts/top", tags=["analysts"])
    def top_concepts(relations: Relations = None, category: str | None = None,
                     include_rejected: Rejected = False, skip: Skip = 0,
                     limit: Limit = 20) -> list[q.ConceptCount]:
        """Concepts most referred to, per relation or per co-buy category."""
        return q.top_concepts(store, relations=relations, category=category,
                              include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/concepts/stats", tags=["analysts"])
    def concept_stats(skip: Skip = 0, limit: Limit = 20) -> list[q.ConceptCount]:
        """Concepts ranked by the intentions about them."""
        return q.concept_stats(store, skip=skip, limit=limit)

    @app.get("/api/relations/stats", tags=["analysts"])
    def relation_stats(skip: Skip = 0, limit: Limit = 100) -> list[q.RelationCount]:
        """Assertions per relation."""
        return q.relation_stats(store, skip=skip, limit=limit)

    @app.get("/api/concepts/search", tags=["analysts"])
    def search_concepts(text: Annotated[str, Query(alias="q")], skip: Skip = 0,
                        limit: Limit = 20) -> list[q.ConceptHit]:
        """Concepts whose name contains the text."""
        return q.search_concepts(store, text, skip=skip, limit=limit)

    @app.get("/api/posts/intentions", tags=["analysts"])
    def intentions_of_post(post_id: Annotated[str, Query(alias="id")], relations: Relations = None,
                           include_rejected: Rejected = False, skip: Skip = 0,
                           limit: Limit = 50) -> list[q.Assertion]:
        """A post's intentions with provenance."""
        return q.intentions_of_post(store, post_id, relations=relations,
                                    include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/products/intentions", tags=["analysts"])
    def intentions_of_product(product_id: Annotated[str, Query(alias="id")],
                              relations: Relations = None, include_rejected: Rejected = False,
                              skip: Skip = 0, limit: Limit = 50) -> list[q.Assertion]:
        """The intentions of a product's co-buys with provenance."""
        return q.intentions_of_product(store, product_id, relations=relations,
                                       include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/intentions/search", tags=["analysts"])
    def search_intentions(text: Annotated[str, Query(alias="q")], skip: Skip = 0,
                          limit: Limit = 20) -> list[q.ScoredIntention]:
        """Full-text search over intention texts."""
        return q.search_intentions(store, text, skip=skip, limit=limit)

    @app.get("/api/intentions/similar", tags=["analysts"])
    def similar_intentions(text: Annotated[str, Query(alias="q")], skip: Skip = 0,
                           limit: Limit = 10) -> list[q.ScoredIntention]:
        """Intentions closest in meaning to the text (vector index)."""
        return q.similar_intentions(store, embedder, text, skip=skip, limit=limit)

    @app.get("/api/products/similar", tags=["recommenders"])
    def similar_products(
        product_id: Annotated[str, Query(alias="id")], via_concepts: bool = False,
        relations: Relations = None, include_rejected: Rejected = False,
        max_degree: Annotated[int, Query(ge=1, le=10_000_000, description=(
            "Do not pass through intentions or concepts with more incoming edges."))] = (
            q.DEFAULT_MAX_DEGREE),
        skip: Skip = 0, limit: Limit = 10,
    ) -> list[q.ProductRecommendation]:
        """Products reachable through co-buy intention paths, with explanations."""
        return q.similar_products(store, product_id, via_concepts=via_concepts,
                                  relations=relations, include_rejected=include_rejected,
                                  max_degree=max_degree, skip=skip, limit=limit)

    @app.get("/api/products/why", tags=["recommenders"])
    def why_bought_together(a: str, b: str, include_rejected: Rejected = False,
                            limit: Limit = 10) -> q.WhyBoughtTogether:
        """Why two products were bought together."""
        return q.why_bought_together(store, a, b, include_rejected=include_rejected, limit=limit)

    @app.get("/api/intentions/products", tags=["recommenders"])
    def products_for_intention(intention: str, relations: Relations = None,
                               include_rejected: Rejected = False, skip: Skip = 0,
                               limit: Limit = 20) -> q.IntentionProducts:
        """Products whose co-buys assert an intention (id or exact text)."""
        return q.products_for_intention(store, intention, relations=relations,
                                        include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/concepts/products", tags=["recommenders"])
    def products_for_concept(concept: str, depth: Depth = 2, relations: Relations = None,
                             include_rejected: Rejected = False, skip: Skip = 0,
                             limit: Limit = 20) -> list[q.ProductHit]:
        """Products whose co-buys assert intentions about a concept or below it."""
        return q.products_for_concept(store, concept, depth=depth, relations=relations,
                                      include_rejected=include_rejected, skip=skip, limit=limit)

    @app.get("/api/graph", tags=["explorer"])
    def graph(kind: q.NodeKind, node_id: Annotated[str, Query(alias="id")],
              include_rejected: Rejected = False,
              limit: Annotated[int, Query(ge=1, le=200)] = 25) -> q.Neighbourhood:
        """Nodes and edges around an intention, concept, product or post."""
        return q.neighbourhood(store, kind, node_id, include_rejected=include_rejected,
                               limit=limit)

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> RedirectResponse:
        query = request.url.query
        return RedirectResponse("/web/index.html" + (f"?{query}" if query else ""))

    @app.get("/web/", include_in_schema=False)
    def web_index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    return app
