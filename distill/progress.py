"""A tqdm progress bar on stderr: items done, calls made/cached/failed, tokens/s, ETA."""

from __future__ import annotations

import sys
import time
from typing import Any

from distill.cache import CallStats

__all__ = ["Progress"]


class Progress:
    """One bar per stage; call counters in its postfix. Does nothing when disabled."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stats: CallStats | None = None
        self._start = time.perf_counter()
        self._last = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        """Start the bar of stage ``name`` (``total`` items, when known)."""
        if not self.enabled:
            return
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(total=total, desc=name, unit="item", file=sys.stderr,
                         dynamic_ncols=True, leave=True)

    def item(self) -> None:
        """One item of the current stage is done."""
        if self._bar is not None:
            self._bar.update(1)
            self._postfix()

    def on_event(self, what: str, stats: CallStats) -> None:
        """Hook for :class:`distill.cache.CachedCaller`: refresh counters (at most 4/s)."""
        self._stats = stats
        now = time.perf_counter()
        if self._bar is not None and now - self._last > 0.25:
            self._last = now
            self._postfix()

    def _postfix(self) -> None:
        s = self._stats
        if s is None or self._bar is None:
            return
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        self._bar.set_postfix(calls=s.calls, cached=s.cached, failed=s.failed,
                              tok_s=f"{s.tokens_out / elapsed:.0f}", refresh=False)

    def close(self) -> None:
        """Close the current bar."""
        if self._bar is not None:
            self._postfix()
            self._bar.close()
            self._bar = None
