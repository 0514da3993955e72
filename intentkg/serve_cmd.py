"""``intentkg serve``: the read-only HTTP API and web explorer on loopback."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import Annotated

import typer

from intentkg.common import settings_from
from kg.errors import ConfigError
from kg.locks import Presence
from kg.settings import Settings

__all__ = ["announce", "check_bind", "register"]


def check_bind(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback ``host`` unless ``allow_remote``.

    The API has no authentication; binding it beyond this machine must be a
    deliberate choice.

    Raises:
        ConfigError: ``host`` is not a loopback address and ``allow_remote`` is false.
    """
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        raise ConfigError(f"refusing to serve on {host!r}, which is not a loopback address: "
                          "the API has no authentication; pass --allow-remote to bind it anyway")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a non-loopback --host (no authentication!).")] = False,
    vector: Annotated[bool, typer.Option(
        help="Load the embedding model for similarity search.")] = True,
) -> None:
    """Serve the query API (/openapi.json) and the web explorer (/) over the configured store."""
    import uvicorn

    from kg.store import open_store
    from queries.api import allowed_hosts_for, create_app

    check_bind(host, allow_remote)
    settings = settings_from(ctx)
    presence = announce(settings, f"http://{host}:{port}/")
    encoder = None
    if vector:
        from kg.embed import SentenceTransformerEmbedder

        encoder = SentenceTransformerEmbedder(settings.embed.model,
                                              device=settings.embed.device)
    store = open_store(settings)
    try:
        typer.echo(f"serving on http://{host}:{port}/ (API spec at /openapi.json); Ctrl-C stops",
                   err=True)
        app = create_app(store, encoder, allowed_hosts=allowed_hosts_for(host, port))
        with presence or contextlib.nullcontext():
            uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()


def announce(settings: Settings, url: str) -> Presence | None:
    """The presence note of a ``serve`` at ``url`` on the embedded store's data dir.

    Several ``serve`` on one store are fine (each reads the same server), so a second
    one on another address attaches, saying so; one on the same address is refused
    with the pid to stop. Neo4j stores are shared by design: no note.

    Raises:
        ConfigError: a live ``serve`` of this store already answers at ``url``.
    """
    if settings.store != "falkordb":
        return None
    data_dir = settings.falkordb_dir
    presence = Presence(data_dir, "serve", url)
    for pid, note in presence.others():
        if note == url:
            raise ConfigError(f"{data_dir} is already served at {url} by process {pid}; open "
                              f"that address, or stop it (kill {pid}) and retry")
        typer.echo(f"note: {data_dir} is also served by process {pid} at {note}; both answer "
                   "from the same store", err=True)
    return presence


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(serve)
