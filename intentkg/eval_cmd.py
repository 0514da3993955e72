"""``intentkg eval``: the evaluation command group; command modules add their commands to it."""

from __future__ import annotations

import typer

__all__ = ["eval_app", "register"]

eval_app = typer.Typer(name="eval", help="Measure the knowledge and the graph.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Fill the ``eval`` group and add it to ``app``."""
    from intentkg import eval_quality_cmd

    eval_quality_cmd.register(eval_app)
    app.add_typer(eval_app, name="eval")
