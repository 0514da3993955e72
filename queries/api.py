"""Read-only HTTP API over the query helpers, plus the web explorer's static files.

``create_app(store, embedder)`` returns a FastAPI app with one GET endpoint per
query of :data:`queries.catalog.QUERIES`, generated from its declaration: same
parameters and bounds, same result model, its name as the OpenAPI operation id
(documented in the OpenAPI spec at ``/openapi.json``; there is no ``/docs`` page,
since FastAPI's Swagger UI would load its JavaScript from a CDN).

Errors, one shape for every non-2xx answer: ``{"error": "<one line>"}`` with

* 400 bad arguments, 422 a parameter that does not parse or is out of bounds,
* 404 unknown anchor or path, 405 a method other than GET/HEAD,
* 421 a ``Host`` header that is not the bound address (DNS rebinding),
* 503 the store is unreachable, 500 anything else.

503 and 500 say only that; the cause (socket paths, Cypher text) goes to the
server log, never to the client.

Every answer carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
a same-origin ``Content-Security-Policy`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import inspect
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Annotated, Any

import annotated_types
from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import queries as q
from kg.errors import QueryError, StoreError
from kg.store import GraphStore
from queries.catalog import QUERIES, QuerySpec, http_name

__all__ = ["LOOPBACK_HOSTS", "SECURITY_HEADERS", "WEB_DIR", "allowed_hosts_for", "create_app"]

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
"""Host names (any port) accepted when ``create_app`` is given no ``allowed_hosts``."""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
"""Headers set on every answer."""

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


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message},
                        headers=SECURITY_HEADERS)


def allowed_hosts_for(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` header values a server bound to ``host:port`` accepts.

    A loopback bind accepts the loopback names with that port; a named address
    accepts itself; a wildcard bind (``0.0.0.0``, ``::``) returns ``None``: any
    host, which only ``--allow-remote`` permits.
    """
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        addr = None
    if addr is not None and addr.is_unspecified:
        return None
    names = {f"[{host}]" if addr is not None and addr.version == 6 else host}
    if host == "localhost" or (addr is not None and addr.is_loopback):
        names |= LOOPBACK_HOSTS
    return frozenset({f"{n}:{port}" for n in names} | (names if port == 80 else set()))


def _host_ok(header: str, allowed: Collection[str] | None) -> bool:
    """``header`` names an allowed ``host:port``, or a host allowed on any port."""
    if allowed is None:
        return True
    value = header.strip().lower()
    name = value if value.endswith("]") or ":" not in value else value.rsplit(":", 1)[0]
    return bool(value) and (value in allowed or name in allowed)


def _one_line(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "query")
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid parameter " + "; ".join(parts)


def create_app(store: GraphStore, embedder: q.TextEncoder | None = None, *,
               allowed_hosts: Collection[str] | None = LOOPBACK_HOSTS) -> FastAPI:
    """Build the API app over ``store``; ``embedder`` enables ``/api/intentions/similar``.

    Args:
        store: an open graph store; the app only reads from it and never closes it.
        embedder: the model that embedded the intentions (same dimension as the index).
        allowed_hosts: accepted ``Host`` header values (``host:port``, lower case), see
            :func:`allowed_hosts_for`; the default accepts the loopback names on any
            port; ``None`` accepts any host (a deliberate remote bind).
    """
    app = FastAPI(
        title="intention-kg query API",
        version="0.1.0",
        description="Read-only queries over an intention knowledge graph "
                    "(posts, co-buys, intentions, concepts). Every error is "
                    '{"error": "<one line>"}.',
        docs_url=None,
        redoc_url=None,
    )
    hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)

    @app.middleware("http")
    async def _guard(request: Request,
                     call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not _host_ok(request.headers.get("host", ""), hosts):
            return _error(421, "this server answers only to the address it is bound to "
                               "(Host header refused)")
        if request.method not in ("GET", "HEAD"):
            return _error(405, "the API is read-only: use GET")
        try:
            response = await call_next(request)
        except Exception:  # an error no handler took: log it, say nothing about it
            log.exception("API %s failed", request.url.path)
            return _error(500, "internal error; see the server log")
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(q.NotFoundError)
    async def _not_found(_: Request, exc: q.NotFoundError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(QueryError)
    async def _bad_query(_: Request, exc: QueryError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(StoreError)
    async def _store_down(request: Request, exc: StoreError) -> JSONResponse:
        log.error("API %s: store error: %s", request.url.path, exc)
        return _error(503, "the graph store is unavailable or failed; see the server log")

    @app.exception_handler(RequestValidationError)
    async def _unparsable(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _one_line(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such path", 405: "method not allowed"}
        return _error(exc.status_code, messages.get(exc.status_code, "request refused"))

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
