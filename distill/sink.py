"""Where results go, whichever engine made them: the three output files, the counts, the bar.

Both engines hand each item's result to one :class:`Sink` in input order (the
local engine through :class:`InOrder`, the Ray engine because Ray Data keeps
the order), so a run writes the same rows in the same order on either engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from distill.cache import CallStats
from distill.cobuy import CoBuyResult
from distill.posts import PostResult
from distill.progress import CallProgress
from distill.report import DistillReport, StageCounts
from kg.io import RecordWriter, iter_records
from kg.records import CoBuy, ImageDescription, IntentionAssertion, Product
from kg.workdir import WorkDir

__all__ = ["InOrder", "Outputs", "Sink", "merge_stats", "products_of_pairs"]

T = TypeVar("T")


class Outputs:
    """The run's three output files, written as results arrive; duplicate assertion ids
    (the same subject, relation and text twice) are written once."""

    def __init__(self, out: WorkDir) -> None:
        self.assertions = RecordWriter(out.distill("assertions"))
        self.descriptions = RecordWriter(out.distill("image_descriptions"))
        self.key_info = RecordWriter(out.distill("key_info"))
        self._seen: set[str] = set()

    def assertion(self, rec: IntentionAssertion) -> None:
        """Write ``rec`` unless an assertion with its id was written already."""
        if rec.id not in self._seen:
            self._seen.add(rec.id)
            self.assertions.write(rec)

    def commit(self) -> dict[str, int]:
        """Replace the old files with the new ones; rows written per file."""
        return {"assertions": self.assertions.commit(),
                "image_descriptions": self.descriptions.commit(),
                "key_info": self.key_info.commit()}

    def abort(self) -> None:
        """Drop the new files (the old ones stay)."""
        for writer in (self.assertions, self.descriptions, self.key_info):
            writer.abort()


class InOrder(Generic[T]):
    """Passes results that finish out of order on in input order.

    Holds only results that finished before an earlier item did (bounded by the
    items in flight times how long the slowest one takes).
    """

    def __init__(self, emit: Callable[[T], None]) -> None:
        self._emit = emit
        self._next = 0
        self._held: dict[int, T] = {}

    def add(self, index: int, result: T) -> None:
        """Result ``index`` is done: emit it and every held one that now follows in order."""
        self._held[index] = result
        while self._next in self._held:
            self._emit(self._held.pop(self._next))
            self._next += 1


class Sink:
    """Takes each item's result in input order: writes records, counts items, moves the bar.

    Attributes:
        texts: product id → its description, for the pairs (filled by :meth:`product`).
    """

    def __init__(self, outputs: Outputs, report: DistillReport, bar: CallProgress) -> None:
        self.outputs = outputs
        self.report = report
        self.bar = bar
        self.texts: dict[str, str] = {}

    def post(self, res: PostResult) -> None:
        """One post's descriptions, key information and assertions."""
        for d in res.descriptions:
            self.outputs.descriptions.write(d)
        if res.key_info:
            self.outputs.key_info.write(res.key_info)
        for a in res.assertions:
            self.outputs.assertion(a)
        counts = self.report.stage_counts("posts")
        counts.items += 1
        counts.ok += int(res.key_info is not None or bool(res.assertions))
        self.bar.item()

    def product(self, desc: ImageDescription | None) -> None:
        """One product's description (None: it failed)."""
        if desc is not None:
            self.outputs.descriptions.write(desc)
            self.texts[desc.subject_id] = desc.description
        self.bar.item()

    def pair(self, res: CoBuyResult) -> None:
        """One co-buy pair's assertions."""
        for a in res.assertions:
            self.outputs.assertion(a)
        counts = self.report.stage_counts("cobuys")
        counts.items += 1
        counts.ok += int(bool(res.assertions))
        self.bar.item()


def products_of_pairs(products_path: Path, cobuys_path: Path) -> list[Product]:
    """The products some co-buy pair names, sorted by id (the order they are described in)."""
    needed = {p for c in iter_records(cobuys_path, CoBuy) for p in (c.product_a, c.product_b)}
    found = {p.id: p for p in iter_records(products_path, Product) if p.id in needed}
    return [found[k] for k in sorted(found)]


def merge_stats(report: DistillReport, stats: CallStats) -> None:
    """Add one caller's call and token counters to ``report``."""
    report.tokens_in += stats.tokens_in
    report.tokens_out += stats.tokens_out
    for stage, per in stats.by_stage.items():
        counts = report.stages.setdefault(stage, StageCounts())
        counts.calls += per["calls"]
        counts.cached += per["cached"]
        counts.call_errors += per["failed"]
