"""``intentkg build`` and ``intentkg export graphml|parquet|neo4j-import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from intentkg.common import BarProgress, Workdir, merge_opinion, settings_from
from kg.build import build_graph
from kg.export import export_graphml, export_neo4j_import, export_parquet
from kg.workdir import WorkDir

__all__ = ["register"]



def register(app: typer.Typer) -> None:
    """Add ``build`` and the ``export`` group to ``app``."""
    export = typer.Typer(help="Export the built graph (GraphML, Parquet, neo4j-admin CSV).",
                         no_args_is_help=True)

    @app.command("build")
    def build(
        ctx: typer.Context,
        workdir: Workdir = None,
        threshold: Annotated[float | None, typer.Option(
            help="Cosine floor of a candidate merge; default settings.canon.threshold.")] = None,
        model: Annotated[str | None, typer.Option(help="Embedding model name or path.")] = None,
    ) -> None:
        """Canonicalize distilled assertions into Intention and Concept nodes."""
        settings = settings_from(ctx, workdir=workdir)
        if threshold is not None:
            settings.canon.threshold = threshold
        if model is not None:
            settings.embed.model = model
        with merge_opinion(settings) as opinion:
            report = build_graph(settings.workdir, settings, progress=BarProgress(""),
                                 opinion=opinion)
        typer.echo(f"{report.assertions} assertions -> {report.intentions} intentions "
                   f"({report.merges} merges, candidates at cosine >= {report.threshold}), "
                   f"{report.concepts} concepts, "
                   f"{report.concept_links} concept links, {report.abstract_intentions} abstract "
                   f"intentions ({report.instance_of_links} INSTANCE_OF links); "
                   f"embedded {report.embedded} new texts"
                   + (f"; the model was asked about {report.model_asked} pairs"
                      if settings.canon.model_judge else ""))

    @export.command("graphml")
    def graphml(ctx: typer.Context, workdir: Workdir = None,
                out: Annotated[Path | None, typer.Option(help="Output file.")] = None) -> None:
        """Write the graph as GraphML (Gephi)."""
        settings = settings_from(ctx, workdir=workdir)
        path = export_graphml(settings.workdir,
                              out or WorkDir(settings.workdir).export("graph.graphml"))
        typer.echo(str(path))

    @export.command("parquet")
    def parquet(ctx: typer.Context, workdir: Workdir = None,
                out: Annotated[Path | None, typer.Option(help="Output directory.")] = None) -> None:
        """Write nodes_<Label>.parquet and edges_<TYPE>.parquet tables."""
        settings = settings_from(ctx, workdir=workdir)
        paths = export_parquet(settings.workdir,
                               out or WorkDir(settings.workdir).export("parquet"))
        for path in paths:
            typer.echo(str(path))

    @export.command("neo4j-import")
    def neo4j_import(ctx: typer.Context, workdir: Workdir = None,
                     out: Annotated[Path | None, typer.Option(help="Output directory.")] = None,
                     database: Annotated[str, typer.Option(help="Target database.")] = "neo4j",
                     ) -> None:
        """Write neo4j-admin CSV files and print the import command."""
        settings = settings_from(ctx, workdir=workdir)
        command = export_neo4j_import(settings.workdir,
                                      out or WorkDir(settings.workdir).export("neo4j"),
                                      database=database)
        typer.echo(command)

    app.add_typer(export, name="export")
