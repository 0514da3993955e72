"""The stage contract: one report type every stage writes, one progress interface.

Every stage (ingest, distill, build, load) returns a report that derives from
:class:`StageReport` and writes it to ``<workdir>/<stage>/report.json``
(:meth:`StageReport.write`). Long work reports progress through a
:class:`Progress` passed in by the caller; libraries never draw bars themselves
(the CLI passes a tqdm-backed one, everything else :class:`NoProgress`).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from kg.workdir import Stage, WorkDir

__all__ = ["NoProgress", "Progress", "StageReport"]


class Progress(Protocol):
    """Where a stage reports how far it is (items, rows, calls)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new phase named ``name`` starts (``total`` units when known)."""
        ...

    def advance(self, n: int = 1) -> None:
        """``n`` more units are done."""
        ...

    def counters(self, **values: int | str) -> None:
        """Running counters shown beside the phase (model calls, cache hits, tokens/s)."""
        ...

    def close(self) -> None:
        """The work is over (also after an error)."""
        ...


class NoProgress:
    """A :class:`Progress` that shows nothing (library default, tests)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Ignore the phase."""

    def advance(self, n: int = 1) -> None:
        """Ignore the units."""

    def counters(self, **values: int | str) -> None:
        """Ignore the counters."""

    def close(self) -> None:
        """Nothing to close."""


class StageReport(BaseModel):
    """What one run of a stage did; each stage's report adds its own fields.

    Attributes:
        stage: the stage (``ingest``, ``distill``, ``graph``, ``load``).
        started_at: when the run started (UTC, ISO-8601).
        seconds: wall time of the run.
    """

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    started_at: str = ""
    seconds: float = 0.0

    def start_clock(self) -> float:
        """Stamp ``started_at``; return a counter for :meth:`stop_clock`."""
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        return time.perf_counter()

    def stop_clock(self, started: float) -> None:
        """Set ``seconds`` from a :meth:`start_clock` counter."""
        self.seconds = round(time.perf_counter() - started, 3)

    def write(self, workdir: Path) -> Path:
        """Write the report to ``<workdir>/<stage>/report.json`` (atomically; owner-only)."""
        path = WorkDir(workdir).report(self.stage)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.model_dump_json(indent=2))
        tmp.replace(path)
        return path
