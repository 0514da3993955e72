"""``intentkg eval``: quality of the build's decisions on a user's own labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from intentkg.common import fail, settings_from
from kg.concepts.evaluate import eval_concepts
from kg.errors import IntentKGError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``eval`` group to ``app``."""
    group = typer.Typer(help="Evaluate merges and concept links on your own data.",
                        no_args_is_help=True)

    @group.command("concepts")
    def concepts(
        ctx: typer.Context,
        phrases: Annotated[Path, typer.Argument(help="Text file, one intention phrase a line.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Links TSV file to write.")],
        workdir: Annotated[Path | None, typer.Option(
            "--workdir", "-w", help="Work directory (its graph/ caches are reused).")] = None,
    ) -> None:
        """Write every concept link the build would make: phrase, concept, synset, score."""
        settings = settings_from(ctx, workdir=workdir)
        try:
            n = eval_concepts(phrases, out, settings)
        except IntentKGError as exc:
            raise fail(str(exc)) from exc
        typer.echo(f"{n} concept links -> {out}")

    app.add_typer(group, name="eval")
