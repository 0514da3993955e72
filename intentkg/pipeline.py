"""The whole job end to end: ingest → distill → build (canonicalize + concepts) → load.

This is the one place (with the CLI modules of :mod:`intentkg`) that ties the stages
together. Each stage reads and writes the work directory (docs/schema.md), so any stage
can be re-run on its own; model calls are cached, loads are MERGEs, so a re-run pays
nothing twice and duplicates nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intentkg.common import merge_opinion, progress_for
from kg.errors import ConfigError
from kg.settings import Settings
from kg.workdir import WorkDir

__all__ = ["InputSpec", "PipelineReport", "StageResult", "run_pipeline"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputSpec:
    """Raw files of one format (``"auto"`` detects it per file)."""

    fmt: str
    paths: tuple[Path, ...]


@dataclass
class StageResult:
    """One stage's report object and how long it took."""

    name: str
    seconds: float
    report: Any


@dataclass
class PipelineReport:
    """Every stage that ran, in order."""

    stages: list[StageResult] = field(default_factory=list)

    def timed(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` as stage ``name`` and record its report and duration."""
        start = time.perf_counter()
        log.info("stage %s: start", name)
        report = fn()
        self.stages.append(StageResult(name, time.perf_counter() - start, report))
        log.info("stage %s: done in %.1fs", name, self.stages[-1].seconds)
        return report


def run_pipeline(
    inputs: Sequence[InputSpec],
    settings: Settings,
    *,
    image_map: Path | None = None,
    download_images: bool = False,
    relations: list[str] | None = None,
    fresh: bool = False,
    progress: bool = False,
    after_ingest: Callable[[Path], None] | None = None,
) -> PipelineReport:
    """Run every stage on ``inputs`` into ``settings.workdir`` and the configured store.

    Args:
        inputs: raw files to ingest.
        settings: all settings; ``settings.llm`` picks the model backend.
        image_map: JSON file mapping image URLs to local files (offline examples).
        download_images: fetch http(s) images (bounded) instead of leaving them as URLs.
        relations: a relation subset for distillation (aliases allowed); all by default.
        fresh: delete the work dir's stage outputs and the graph first (the LLM cache is kept,
            so a fresh run still makes no model call it already paid for).
        progress: show progress bars on stderr.
        after_ingest: called with the work dir between ingest and distill (the live
            demo keeps a subset there).

    Returns:
        The per-stage reports with their durations.
    """
    from distill import run_distill
    from ingest import run_ingest
    from kg.build import build_graph
    from kg.load import load_graph
    from kg.store import open_store

    if not inputs:
        raise ConfigError("nothing to ingest: give at least one input file")
    workdir = settings.workdir
    if fresh:
        _reset(workdir, settings)
    report = PipelineReport()
    report.timed(
        "ingest",
        lambda: [
            run_ingest(
                spec.fmt,
                list(spec.paths),
                workdir,
                image_map=image_map,
                download_images=download_images,
                progress=progress_for(progress, " rec"),
            )
            for spec in inputs
        ],
    )
    if after_ingest is not None:
        after_ingest(workdir)
    report.timed(
        "distill", lambda: run_distill(workdir, settings, relations=relations,
                                         progress=progress_for(progress, " item"))
    )
    def _build() -> Any:
        with merge_opinion(settings) as opinion:
            return build_graph(workdir, settings, progress=progress_for(progress, ""),
                               opinion=opinion)

    report.timed("build", _build)

    def _load() -> Any:
        store = open_store(settings)
        try:
            return load_graph(store, workdir, batch_size=settings.batch_size,
                              progress=progress_for(progress))
        finally:
            store.close()

    report.timed("load", _load)
    return report


def _reset(workdir: Path, settings: Settings) -> None:
    """Remove stage outputs, keeping the model-call, embedding and parse caches."""
    WorkDir(workdir).reset(
        store_dir=settings.falkordb_dir if settings.store == "falkordb" else None)
