"""Entry point of the ``intentkg`` console script."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from intentkg import (
    build_cmd,
    distill_cmd,
    eval_cmd,
    ingest_cmd,
    query_cmd,
    run_cmd,
    serve_cmd,
    store_cmd,
)
from intentkg.common import configure_logging
from kg.errors import IntentKGError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="intentkg",
    help="Intention knowledge graphs: ingest, distill, build, load and query.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings file (default ./intentkg.toml).")
    ] = None,
    verbose: Annotated[
        int, typer.Option("-v", "--verbose", count=True, help="-v info, -vv debug.")
    ] = 0,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override any setting: --set section.key=value (repeatable; "
                      "e.g. --set llm.concurrency=8). Command flags win.")] = None,
) -> None:
    ctx.obj = {"config": config, "set": set_ or []}
    configure_logging(verbose)


for _module in (ingest_cmd, distill_cmd, build_cmd, store_cmd, query_cmd, serve_cmd, run_cmd,
                eval_cmd):
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; any :class:`IntentKGError` becomes one line on stderr and exit code 1."""
    try:
        result = app(args=argv, standalone_mode=False)
    except IntentKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
