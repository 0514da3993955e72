"""Entry point of the ``intentkg`` console script.

Exit codes (every command):

* 0 done (records skipped for a reason are counted in the stage's report);
* 1 error: one ``error: ...`` line on stderr, no traceback (``-vv`` logs it);
* 2 usage error (unknown option, missing argument);
* 3 ``ingest`` finished, but some input files could not be read, or only in part
  (each is listed; what was read is written);
* 130 interrupted with Ctrl-C, and only then.

Files and folders the CLI creates are private to the user (umask 077): the work
dir holds the model-call cache, inputs and outputs.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from intentkg import (
    build_cmd,
    distill_cmd,
    eval_cmd,
    ingest_cmd,
    model_cmd,
    query_cmd,
    run_cmd,
    serve_cmd,
    store_cmd,
)
from intentkg.common import ErrorBoundary, configure_logging

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="intentkg",
    help="Intention knowledge graphs: ingest, distill, build, load and query.",
    cls=ErrorBoundary,  # the one place a project error becomes `error: ...` and exit 1
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


for _module in (ingest_cmd, distill_cmd, build_cmd, store_cmd, model_cmd, query_cmd, serve_cmd,
                run_cmd, eval_cmd):
    _module.register(app)


def _terminated(signum: int, _frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C: `finally` blocks run, so a command stops what it
    # started (an embedded store it was the last user of) instead of dying over it.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; any error becomes one line on stderr (see the module docstring for codes)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    old_umask = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(old_umask)  # matters only when main() is called in-process (tests)


def _main(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt) as exc:
        # click turns both Ctrl-C and a stray EOFError into Abort; only Ctrl-C is 130
        cause = exc.__cause__ or exc.__context__
        if isinstance(exc, KeyboardInterrupt) or isinstance(cause, KeyboardInterrupt):
            typer.echo("aborted", err=True)
            return 130
        typer.echo(f"error: unexpected end of input ({cause or exc})", err=True)
        return 1
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    except Exception as exc:  # a bug, not an input problem: one line, traceback at -vv
        logging.getLogger("intentkg").debug("unexpected error", exc_info=True)
        typer.echo(f"error: unexpected {type(exc).__name__}: {str(exc)[:300]} (run with -vv "
                   "for the traceback, and please report it)", err=True)
        return 1
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
