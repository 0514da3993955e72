"""Read-only HTTP API over the query helpers, plus the web explorer's static files.

``create_app(store, embedder)`` returns a FastAPI app with one GET endpoint per
query of :data:`queries.catalog.QUERIES`, generated from its declaration: same
parameters and bounds, same result model, its name as the OpenAPI operation id
(documented at ``/openapi.json`` and ``/docs``). Bad
arguments answer 400 (422 when a parameter does not even parse), unknown
anchors 404 and an unreachable store 503, always as ``{"error": "..."}``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import annotated_types
from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

import queries as q
from kg.errors import QueryError, StoreError
from kg.store import GraphStore
from queries.catalog import QUERIES, QuerySpec, http_name

__all__ = ["WEB_DIR", "create_app"]

WEB_DIR = Path(__file__).resolve().parent / "web"
"""The explorer's static files (no build step, nothing fetched from elsewhere)."""

def _query_param(name: str, info: Any) -> inspect.Parameter:
    """A FastAPI query parameter for one field of a parameter model (its bounds included)."""
    bounds: dict[str, Any] = {}
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            bounds["ge"] = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            bounds["gt"] = meta.gt
        elif isinstance(meta, annotated_types.Le):
            bounds["le"] = meta.le
        elif isinstance(meta, annotated_types.MinLen):
            bounds["min_length"] = meta.min_length
        elif isinstance(meta, annotated_types.MaxLen):
            bounds["max_length"] = meta.max_length
    query = Query(alias=http_name(name, info), description=info.description, **bounds)
    default = inspect.Parameter.empty if info.is_required() else info.default
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[info.annotation, query])


def _add_endpoint(app: FastAPI, spec: QuerySpec, store: GraphStore,
                  embedder: q.TextEncoder | None) -> None:
    def endpoint(**values: Any) -> Any:
        return spec.call(store, spec.params(**values), embedder)

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [_query_param(name, info) for name, info in spec.params.model_fields.items()])
    endpoint.__name__ = spec.name.replace("-", "_")
    endpoint.__doc__ = spec.summary
    app.get(spec.path, tags=[spec.tag], operation_id=spec.name, response_model=spec.result,
            summary=spec.summary)(endpoint)


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
        """The store's dialect and whether vector search is available; 503 when the
        store does not answer (it is asked every time)."""
        store.read("RETURN 1 AS ok")
        return {"status": "ok", "dialect": store.dialect, "vector_search": embedder is not None}

    for spec in QUERIES.values():
        _add_endpoint(app, spec, store, embedder)

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> RedirectResponse:
        query = request.url.query
        return RedirectResponse("/web/index.html" + (f"?{query}" if query else ""))

    @app.get("/web/", include_in_schema=False)
    def web_index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    return app
