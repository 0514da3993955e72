"""Helpers shared by the CLI modules: settings from context, one-line errors, logging."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer

from kg.settings import Settings, load_settings

__all__ = ["configure_logging", "fail", "settings_from"]


def settings_from(ctx: typer.Context | None, **overrides: Any) -> Settings:
    """Settings from ``--config`` (kept on the root context), environment and CLI ``overrides``."""
    config: Path | None = None
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict):
            config = root.obj.get("config")
    return load_settings(config, **overrides)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as one line on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def configure_logging(verbose: int) -> None:
    """WARNING by default, INFO with ``-v``, DEBUG with ``-vv`` (payloads are truncated there)."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
