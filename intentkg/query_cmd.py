"""``intentkg query <name>``: every query of :data:`queries.catalog.QUERIES` as a command.

Commands are generated from the catalogue (arguments, options, bounds, tables), so
the CLI, the HTTP API and the Python helpers share names and limits. Output is a
rich table, or JSON with ``--json``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, Literal, get_args, get_origin

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text

import queries as q
from intentkg.common import printable, settings_from
from kg.errors import QueryError
from kg.settings import Settings
from kg.store import GraphStore, open_store
from queries.catalog import QUERIES, QuerySpec, is_argument, option_flags, rows_of

__all__ = ["register"]

query_app = typer.Typer(help="Query the intention graph (analysts and recommenders).",
                        no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


_C1 = re.compile(r"[\x80-\x9f]")


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
        # json escapes C0 controls; C1 (U+0080..U+009F) would pass raw with ensure_ascii=False
        typer.echo(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}",
                           json.dumps(data, ensure_ascii=False, indent=2)))
        return
    rows: list[BaseModel] = result if isinstance(result, list) else [result]
    # Text(...) is never parsed as Rich markup: "[/]" or "[link=...]" in stored text is shown as is
    table = Table(*columns, title=Text(printable(title)))
    for row in rows:
        table.add_row(*(Text(printable(_cell(getattr(row, c, None)))) for c in columns))
    Console().print(table)


@contextmanager
def _session(ctx: typer.Context) -> Iterator[tuple[Settings, GraphStore]]:
    """The settings and the open configured store (closed when the block ends)."""
    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        yield settings, store
    finally:
        store.close()


def _option(name: str, info: Any) -> inspect.Parameter:
    """A typer argument or option for one field of a query's parameter model."""
    help_text = info.description or ""
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        annotation = str  # choices are checked by the parameter model, like every bound
        help_text += f" One of: {', '.join(get_args(info.annotation))}."
    if is_argument(info):
        marker: Any = typer.Argument(help=help_text, show_default=False)
    elif annotation is bool:
        flag = option_flags(name, info)[0]
        marker = typer.Option(f"{flag}/--no-{flag[2:]}", help=help_text)
    else:
        marker = typer.Option(*option_flags(name, info), help=help_text)
    default = inspect.Parameter.empty if info.is_required() else info.default
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, marker])


def _encoder(settings: Settings) -> Any:
    from kg.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.embed.model, device=settings.embed.device)


def _command(spec: QuerySpec) -> Callable[..., None]:
    def command(ctx: typer.Context, as_json: bool = False, **values: Any) -> None:
        try:
            params = spec.params(**values)
        except ValidationError as exc:
            raise QueryError(f"{spec.name}: " + "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
                for e in exc.errors())
            ) from None
        with _session(ctx) as (settings, store):
            encoder = _encoder(settings) if spec.needs_encoder else None
            result = spec.call(store, params, encoder)
        if as_json:
            _show(result, True, [], "")
            return
        if spec.name == "why-bought-together":
            typer.echo(f"bought together: {'yes' if result.bought_together else 'no'} "
                       f"({printable(result.cobuy_id or '')})")
        for table in spec.tables:
            _show(rows_of(result, table), False, table.columns,
                  table.title.format(**params.model_dump()))

    fields = [_option(n, f) for n, f in spec.params.model_fields.items()]
    fields.sort(key=lambda p: p.default is not inspect.Parameter.empty)
    command.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=typer.Context),
        *fields,
        inspect.Parameter("as_json", inspect.Parameter.KEYWORD_ONLY, default=False,
                          annotation=JsonOpt)])
    command.__name__ = spec.name.replace("-", "_")
    command.__doc__ = spec.summary
    return command


for _spec in QUERIES.values():
    query_app.command(_spec.name)(_command(_spec))
    for _alias in _spec.aliases:  # the names these commands had before; hidden
        query_app.command(_alias, hidden=True)(_command(_spec))


def register(app: typer.Typer) -> None:
    """Add the ``query`` command group to ``app``."""
    app.add_typer(query_app, name="query")
