"""Helpers shared by the CLI modules: settings from context, one-line errors, logging."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kg.errors import ConfigError, IntentKGError
from kg.reports import NoProgress, Progress
from kg.settings import Settings, load_settings

if TYPE_CHECKING:
    from kg.canon.decide import SecondOpinion

__all__ = ["BarProgress", "ErrorBoundary", "Workdir", "configure_logging", "fail", "merge_opinion",
           "parse_set_options", "printable", "progress_for", "settings_from"]

Workdir = Annotated[Path | None, typer.Option(
    "--workdir", "-w", help="Work directory (default: settings.workdir, ./work).")]
"""The work-dir option, spelled the same on every command."""


def parse_set_options(items: Sequence[str]) -> dict[str, Any]:
    """``["llm.concurrency=8", "canon.threshold=0.8"]`` → nested overrides.

    A value is read as JSON when it parses (numbers, booleans, lists, ``null``),
    else kept as a string.

    Raises:
        ConfigError: an item is not ``section.key=value``.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(p.strip() for p in parts):
            raise ConfigError(f"--set {item!r}: expected section.key=value "
                              "(e.g. --set llm.concurrency=8)")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is set to a value elsewhere")
            node = child
        node[parts[-1]] = value
    return out


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif value is not None:
            merged[key] = value
    return merged


def settings_from(ctx: typer.Context | None, **overrides: Any) -> Settings:
    """Settings: defaults < TOML (``--config``) < environment < ``--set`` < command flags.

    ``--config`` and ``--set`` are kept on the root context by the ``intentkg``
    callback; ``overrides`` are the command's own flags (``None`` = not given).
    """
    config: Path | None = None
    sets: dict[str, Any] = {}
    if ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict):
            config = root.obj.get("config")
            sets = parse_set_options(root.obj.get("set") or [])
    # a bad value is a ConfigError naming the setting, never its value (kg.settings)
    return load_settings(config, **_merge(sets, overrides))


@contextmanager
def merge_opinion(settings: Settings) -> Iterator[SecondOpinion | None]:
    """The model's second opinion on merges when ``canon.model_judge`` is on (the ``llm``
    backend, answers cached in the work dir: :func:`distill.same_meaning.same_meaning`),
    else ``None``."""
    if not settings.canon.model_judge:
        yield None
        return
    from distill.same_meaning import same_meaning

    with same_meaning(settings.workdir, settings) as ask:
        yield ask


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as one line on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


class ErrorBoundary(TyperGroup):
    """The root command group: any :class:`IntentKGError` a command raises becomes one line.

    The CLI's only error boundary: commands let project errors propagate, and this
    prints ``error: <message>`` on stderr (no traceback) and exits with code 1.
    Every command, including those of sub-groups, runs inside the root's
    :meth:`invoke`.
    """

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        """Run the command; a project error is one ``error:`` line and exit code 1."""
        try:
            return super().invoke(ctx)
        except IntentKGError as exc:
            logging.getLogger("intentkg").debug("command failed", exc_info=True)
            raise fail(str(exc)) from None


def configure_logging(verbose: int) -> None:
    """WARNING by default, INFO with ``-v``, DEBUG with ``-vv`` (payloads are truncated there)."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


class BarProgress:
    """A :class:`kg.reports.Progress` drawn as a tqdm bar on stderr (the CLI's only bars)."""

    def __init__(self, unit: str = " rows") -> None:
        self.unit = unit
        self._bar: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a bar for phase ``name``."""
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(total=total, desc=name, unit=self.unit, leave=False)

    def advance(self, n: int = 1) -> None:
        """Move the bar by ``n``."""
        if self._bar is not None:
            self._bar.update(n)

    def counters(self, **values: int | str) -> None:
        """Show ``values`` after the bar (drawn with the next update)."""
        if self._bar is not None:
            self._bar.set_postfix(values, refresh=False)

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_for(enabled: bool, unit: str = " rows") -> Progress:
    """A bar when ``enabled``, else nothing."""
    return BarProgress(unit) if enabled else NoProgress()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without C0/C1 control characters (ESC sequences, BEL...), tabs and newlines kept.

    Stored text comes from the input data and the model: it must not drive the terminal.
    """
    return _CONTROL.sub("\ufffd", text)
