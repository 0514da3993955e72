"""``intentkg store start|stop|status`` (embedded FalkorDB) and ``intentkg load``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from intentkg.common import BarProgress, Workdir, settings_from
from kg.load import load_graph
from kg.store import open_store
from kg.store.falkordb_server import FalkorServer, stop_server

__all__ = ["register"]

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Embedded store directory (default <workdir>/falkordb).")]


def _data_dir(ctx: typer.Context, workdir: Path | None, data_dir: Path | None) -> Path:
    settings = settings_from(ctx, workdir=workdir)
    return data_dir or settings.falkordb_dir


def register(app: typer.Typer) -> None:
    """Add the ``store`` group and the ``load`` command to ``app``."""
    store = typer.Typer(help="Run the embedded FalkorDB server (unix socket only).",
                        no_args_is_help=True)

    @store.command("start")
    def start(ctx: typer.Context, workdir: Workdir = None, data_dir: DataDir = None) -> None:
        """Start the embedded server in the background (it outlives this command)."""
        settings = settings_from(ctx, workdir=workdir)
        directory = data_dir or settings.falkordb_dir
        server = FalkorServer(directory, detach=True,
                              start_timeout_s=settings.falkordb.start_timeout_s,
                              on_wait=lambda msg: typer.echo(msg, err=True)).start()
        state = ("started" if server.owned else
                 "adopted the running server (it now runs until `intentkg store stop`)"
                 if server.adopted else "already running")
        server.release()
        typer.echo(f"{state}: pid {server.pid}, socket {server.socket_path}")

    @store.command("stop")
    def stop(ctx: typer.Context, workdir: Workdir = None, data_dir: DataDir = None) -> None:
        """Shut the embedded server down (its append-only file is flushed first)."""
        directory = _data_dir(ctx, workdir, data_dir)
        typer.echo("stopped" if stop_server(directory) else "no server was running")

    @store.command("status")
    def status(ctx: typer.Context, workdir: Workdir = None, data_dir: DataDir = None) -> None:
        """Say whether the embedded server runs; exit code 1 when it does not."""
        server = FalkorServer(_data_dir(ctx, workdir, data_dir))
        state = server.state()
        if state == "down":
            typer.echo(f"not running ({server.data_dir})")
            raise typer.Exit(1)
        kind = "permanent" if server.keep_path.exists() else "stops with its last user"
        typer.echo(f"{state}: pid {server.pid}, socket {server.socket_path} ({kind})")

    app.add_typer(store, name="store")

    @app.command("load")
    def load(
        ctx: typer.Context,
        workdir: Workdir = None,
        store_name: Annotated[Literal["falkordb", "neo4j"] | None, typer.Option(
            "--store", help="falkordb (embedded, default) or neo4j.")] = None,
        batch_size: Annotated[int | None, typer.Option(
            "--batch-size", min=1, help="Rows per UNWIND query.")] = None,
        fresh: Annotated[bool, typer.Option(
            "--fresh", help="Delete everything in the store first.")] = False,
    ) -> None:
        """Load a work directory's records into the configured graph store."""
        settings = settings_from(ctx, workdir=workdir, store=store_name, batch_size=batch_size)
        graph = open_store(settings)
        try:
            if fresh:
                graph.clear()
            report = load_graph(graph, settings.workdir, batch_size=settings.batch_size,
                                progress=BarProgress())
        finally:
            graph.close()
        for step, summary in report.steps.items():
            typer.echo(f"{step:28} {summary.rows:>9} rows {summary.nodes_created:>8} nodes "
                       f"{summary.relationships_created:>8} edges created")
        typer.echo(f"loaded {report.rows} rows into {settings.store}: "
                   f"{report.nodes_created} nodes, {report.relationships_created} edges created")
        if report.skipped_files:
            typer.echo(f"not found (skipped): {', '.join(report.skipped_files)}")
