"""``intentkg query <helper>``: the query helpers as commands (rich tables or ``--json``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

import queries as q
from intentkg.common import fail, settings_from
from kg.errors import IntentKGError
from kg.settings import Settings
from kg.store import GraphStore, open_store

__all__ = ["register"]

query_app = typer.Typer(help="Query the intention graph (analysts and recommenders).",
                        no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SkipOpt = Annotated[int, typer.Option(help="Results to skip.")]
LimitOpt = Annotated[int, typer.Option(help="Results to return.")]
DepthOpt = Annotated[int, typer.Option(help="IS_A levels below the concept (0..5).")]
RelOpt = Annotated[list[str] | None, typer.Option(
    "--relation", "-r", help="Only this relation (repeatable; ids or aliases).")]
RejOpt = Annotated[bool, typer.Option(help="Also use assertions the filter rejected.")]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        return "; ".join(_cell(v.intention if isinstance(v, q.Explanation) else v) for v in value)
    return str(value)


def _show(result: Any, as_json: bool, columns: Sequence[str], title: str) -> None:
    if as_json:
        data = ([r.model_dump(mode="json") for r in result] if isinstance(result, list)
                else result.model_dump(mode="json"))
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows: list[BaseModel] = result if isinstance(result, list) else [result]
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_cell(getattr(row, c, None)) for c in columns))
    Console().print(table)


@contextmanager
def _session(ctx: typer.Context) -> Iterator[tuple[Settings, GraphStore]]:
    """The settings and the open configured store; errors become one line and exit 1."""
    try:
        settings = settings_from(ctx)
        store = open_store(settings)
    except IntentKGError as exc:
        raise fail(str(exc)) from exc
    try:
        yield settings, store
    except IntentKGError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()


def _run(ctx: typer.Context, call: Callable[[GraphStore], Any]) -> Any:
    with _session(ctx) as (_, store):
        return call(store)


@query_app.command("intentions-by-concept")
def intentions_by_concept(ctx: typer.Context, concept: str, depth: DepthOpt = 2,
                          relation: RelOpt = None, include_rejected: RejOpt = False,
                          skip: SkipOpt = 0, limit: LimitOpt = 10,
                          as_json: JsonOpt = False) -> None:
    """Intentions about CONCEPT (id or name) or below it, grouped by relation."""
    groups = _run(ctx, lambda s: q.intentions_by_concept(
        s, concept, depth=depth, relations=relation, include_rejected=include_rejected,
        skip=skip, limit=limit))
    if as_json:
        _show(groups, True, [], "")
        return
    items = [item for g in groups for item in g.items]
    _show(items, False, ["relation", "text", "subjects", "support", "score", "concepts"],
          f"intentions about {concept}")


@query_app.command("top-concepts")
def top_concepts(ctx: typer.Context, relation: RelOpt = None,
                 category: Annotated[str | None, typer.Option(help="Co-buy category.")] = None,
                 include_rejected: RejOpt = False, skip: SkipOpt = 0, limit: LimitOpt = 20,
                 as_json: JsonOpt = False) -> None:
    """Concepts most referred to, per relation or per co-buy category."""
    rows = _run(ctx, lambda s: q.top_concepts(s, relations=relation, category=category,
                                              include_rejected=include_rejected, skip=skip,
                                              limit=limit))
    _show(rows, as_json, ["name", "assertions", "intentions", "score", "id"], "top concepts")


@query_app.command("concept-stats")
def concept_stats(ctx: typer.Context, skip: SkipOpt = 0, limit: LimitOpt = 20,
                  as_json: JsonOpt = False) -> None:
    """Concepts ranked by the intentions about them."""
    rows = _run(ctx, lambda s: q.concept_stats(s, skip=skip, limit=limit))
    _show(rows, as_json, ["name", "intentions", "children", "score", "id"], "concepts")


@query_app.command("relation-stats")
def relation_stats(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Assertions per relation: total, kept, intentions, mean filter score."""
    rows = _run(ctx, lambda s: q.relation_stats(s))
    _show(rows, as_json, ["relation", "assertions", "kept", "intentions", "mean_filter_score"],
          "relations")


@query_app.command("search-concepts")
def search_concepts(ctx: typer.Context, text: str, skip: SkipOpt = 0, limit: LimitOpt = 20,
                    as_json: JsonOpt = False) -> None:
    """Concepts whose name contains TEXT."""
    rows = _run(ctx, lambda s: q.search_concepts(s, text, skip=skip, limit=limit))
    _show(rows, as_json, ["name", "intentions", "synset", "id"], f"concepts like {text!r}")


@query_app.command("search-intentions")
def search_intentions(ctx: typer.Context, text: str, skip: SkipOpt = 0, limit: LimitOpt = 20,
                      as_json: JsonOpt = False) -> None:
    """Intentions matching any word of TEXT (full-text index)."""
    rows = _run(ctx, lambda s: q.search_intentions(s, text, skip=skip, limit=limit))
    _show(rows, as_json, ["text", "score", "support", "id"], f"intentions matching {text!r}")


@query_app.command("similar-intentions")
def similar_intentions(ctx: typer.Context, text: str, skip: SkipOpt = 0, limit: LimitOpt = 10,
                       as_json: JsonOpt = False) -> None:
    """Intentions closest in meaning to TEXT (embeds it with embed.model)."""
    from kg.embed import SentenceTransformerEmbedder

    with _session(ctx) as (settings, store):
        encoder = SentenceTransformerEmbedder(settings.embed.model, device=settings.embed.device)
        rows = q.similar_intentions(store, encoder, text, skip=skip, limit=limit)
    _show(rows, as_json, ["text", "score", "support", "id"], f"intentions like {text!r}")


@query_app.command("post-intentions")
def post_intentions(ctx: typer.Context, post_id: str, relation: RelOpt = None,
                    include_rejected: RejOpt = False, skip: SkipOpt = 0, limit: LimitOpt = 50,
                    as_json: JsonOpt = False) -> None:
    """A post's intentions with provenance."""
    rows = _run(ctx, lambda s: q.intentions_of_post(s, post_id, relations=relation,
                                                    include_rejected=include_rejected,
                                                    skip=skip, limit=limit))
    _show(rows, as_json, ["relation", "intention", "model", "prompt_version",
                          "image_description"], f"intentions of post {post_id}")


@query_app.command("product-intentions")
def product_intentions(ctx: typer.Context, product_id: str, relation: RelOpt = None,
                       include_rejected: RejOpt = False, skip: SkipOpt = 0,
                       limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """The intentions of a product's co-buys with provenance."""
    rows = _run(ctx, lambda s: q.intentions_of_product(s, product_id, relations=relation,
                                                       include_rejected=include_rejected,
                                                       skip=skip, limit=limit))
    _show(rows, as_json, ["partner", "relation", "intention", "filter_score", "keep", "model"],
          f"intentions of product {product_id}")


@query_app.command("similar-products")
def similar_products(ctx: typer.Context, product_id: str,
                     concepts: Annotated[bool, typer.Option(
                         help="Also follow shared concepts (slower).")] = False,
                     relation: RelOpt = None, include_rejected: RejOpt = False,
                     max_degree: Annotated[int, typer.Option(
                         help="Skip intentions/concepts with more incoming edges.")] = (
                         q.DEFAULT_MAX_DEGREE),
                     skip: SkipOpt = 0, limit: LimitOpt = 10, as_json: JsonOpt = False) -> None:
    """Products reachable from PRODUCT_ID through co-buy intention paths."""
    rows = _run(ctx, lambda s: q.similar_products(s, product_id, via_concepts=concepts,
                                                  relations=relation,
                                                  include_rejected=include_rejected,
                                                  max_degree=max_degree, skip=skip,
                                                  limit=limit))
    _show(rows, as_json, ["id", "title", "score", "paths", "direct", "explanations"],
          f"products like {product_id}")


@query_app.command("why")
def why(ctx: typer.Context, product_a: str, product_b: str, include_rejected: RejOpt = False,
        limit: LimitOpt = 10, as_json: JsonOpt = False) -> None:
    """Why PRODUCT_A and PRODUCT_B were bought together."""
    res = _run(ctx, lambda s: q.why_bought_together(s, product_a, product_b,
                                                    include_rejected=include_rejected,
                                                    limit=limit))
    if as_json:
        _show(res, True, [], "")
        return
    typer.echo(f"bought together: {'yes' if res.bought_together else 'no'} ({res.cobuy_id})")
    _show(res.direct, False, ["relation", "intention", "filter_score", "keep"], "their co-buy")
    _show(res.shared, False, ["intention", "relation", "weight"], "shared by other co-buys")


@query_app.command("products-for-intention")
def products_for_intention(ctx: typer.Context, intention: str, relation: RelOpt = None,
                           include_rejected: RejOpt = False, skip: SkipOpt = 0,
                           limit: LimitOpt = 20, as_json: JsonOpt = False) -> None:
    """Products whose co-buys assert INTENTION (id or exact text)."""
    res = _run(ctx, lambda s: q.products_for_intention(s, intention, relations=relation,
                                                       include_rejected=include_rejected,
                                                       skip=skip, limit=limit))
    if as_json:
        _show(res, True, [], "")
        return
    _show(res.products, False, ["id", "title", "cobuys", "score"],
          f"products for {res.intention!r}")


@query_app.command("products-for-concept")
def products_for_concept(ctx: typer.Context, concept: str, depth: DepthOpt = 2,
                         relation: RelOpt = None, include_rejected: RejOpt = False,
                         skip: SkipOpt = 0, limit: LimitOpt = 20, as_json: JsonOpt = False) -> None:
    """Products whose co-buys assert intentions about CONCEPT or below it."""
    rows = _run(ctx, lambda s: q.products_for_concept(s, concept, depth=depth,
                                                      relations=relation,
                                                      include_rejected=include_rejected,
                                                      skip=skip, limit=limit))
    _show(rows, as_json, ["id", "title", "cobuys", "score", "intentions"],
          f"products for concept {concept}")


@query_app.command("graph")
def graph(ctx: typer.Context, kind: str, node_id: str, limit: LimitOpt = 25,
          as_json: JsonOpt = False) -> None:
    """Edges around a node; KIND is intention, concept, product or post."""
    res = _run(ctx, lambda s: q.neighbourhood(s, kind, node_id, limit=limit))  # type: ignore[arg-type]
    if as_json:
        _show(res, True, [], "")
        return
    _show(res.edges, False, ["source", "type", "relation", "target"], f"around {node_id}")


def register(app: typer.Typer) -> None:
    """Add the ``query`` command group to ``app``."""
    app.add_typer(query_app, name="query")
