"""Distill's progress: items per stage and the model-call counters, told to a
:class:`kg.reports.Progress` (the CLI draws it; a library caller gets nothing drawn)."""

from __future__ import annotations

import time

from distill.cache import CallStats
from kg.reports import NoProgress, Progress

__all__ = ["CallProgress"]


class CallProgress:
    """One phase per stage; calls made, cached and failed and tokens/s as counters."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress: Progress = progress if progress is not None else NoProgress()
        self._stats: CallStats | None = None
        self._start = time.perf_counter()
        self._last = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        """Stage ``name`` starts (``total`` items, when known)."""
        self.progress.stage(name, total)

    def item(self) -> None:
        """One item of the current stage is done."""
        self._counters()
        self.progress.advance(1)

    def on_event(self, what: str, stats: CallStats) -> None:
        """Hook for :class:`distill.cache.CachedCaller`: refresh the counters (at most 4/s)."""
        self._stats = stats
        now = time.perf_counter()
        if now - self._last > 0.25:
            self._last = now
            self._counters()

    def _counters(self) -> None:
        s = self._stats
        if s is None:
            return
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        self.progress.counters(calls=s.calls, cached=s.cached, failed=s.failed,
                               tok_s=f"{s.tokens_out / elapsed:.0f}")

    def close(self) -> None:
        """The run is over."""
        self._counters()
        self.progress.close()
