"""``intentkg model start|stop|status``: the local llama.cpp server (loopback only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from intentkg.common import settings_from
from kg.settings import LocalModelSettings

__all__ = ["register"]

ModelFile = Annotated[Path | None, typer.Option(
    "--model-file", help="GGUF weights (default: the pinned SmolLM2-135M-Instruct).")]


def _local(ctx: typer.Context, model_file: Path | None, **extra: int | None) -> LocalModelSettings:
    local = settings_from(ctx).llm.local
    update = {k: v for k, v in {"model_file": model_file, **extra}.items() if v is not None}
    return local.model_validate({**local.model_dump(), **update})


def register(app: typer.Typer) -> None:
    """Add the ``model`` group to ``app``."""
    model = typer.Typer(help="Run the local model server (llama.cpp, loopback only).",
                        no_args_is_help=True)

    @model.command("start")
    def start(
        ctx: typer.Context,
        model_file: ModelFile = None,
        threads: Annotated[int | None, typer.Option(min=1, help="CPU threads.")] = None,
        slots: Annotated[int | None, typer.Option(min=1, help="Parallel slots.")] = None,
    ) -> None:
        """Start the server in the background (built and fetched on first use)."""
        from distill.local_server import local_server

        server = local_server(_local(ctx, model_file, threads=threads, slots=slots),
                              detach=True).start()
        state = "started" if server.owned else "already running"
        typer.echo(f"{state}: {server.alias} at {server.base_url} (pid {server.pid}); "
                   f"distill with --backend local")

    @model.command("stop")
    def stop(ctx: typer.Context, model_file: ModelFile = None) -> None:
        """Stop the server of the model file."""
        from distill.local_server import settings_state_dir, stop_local_server

        state_dir, _ = settings_state_dir(_local(ctx, model_file))
        typer.echo("stopped" if stop_local_server(state_dir) else "no server was running")

    @model.command("status")
    def status(ctx: typer.Context, model_file: ModelFile = None) -> None:
        """Say whether the server runs; exit code 1 when it does not."""
        from distill.local_server import server_state, settings_state_dir

        state_dir, alias = settings_state_dir(_local(ctx, model_file))
        state = server_state(state_dir)
        if state is None:
            typer.echo(f"not running ({alias})")
            raise typer.Exit(1)
        typer.echo(f"running: {state['alias']} at http://127.0.0.1:{state['port']}/v1 "
                   f"(pid {state['pid']}, {state['threads']} threads, {state['slots']} slots)")

    app.add_typer(model, name="model")
