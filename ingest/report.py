"""What a reader yields besides records, and what an ingest run reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from pydantic import Field

from kg.records import CoBuy, Post, Product
from kg.reports import StageReport
from kg.workdir import Stage

__all__ = ["IngestProblem", "IngestReport", "Item", "Reason", "collecting_notes", "note",
           "printable"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, limit: int = 300) -> str:
    """``text`` safe to print and to store as UTF-8: controls and lone surrogates replaced."""
    text = text[:limit].encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("\ufffd", text)


class Reason:
    """Short, stable keys of skip reasons (the report counts per key)."""

    MALFORMED = "malformed"
    MISSING_ID = "missing_id"
    MISSING_TEXT = "missing_text"
    NOT_A_RECORD = "not_a_record"
    DUPLICATE = "duplicate"
    SELF_PAIR = "self_pair"
    UNKNOWN_PRODUCT = "unknown_product"
    SAMPLED_OUT = "sampled_out"
    INVALID = "invalid"
    INVALID_UTF8 = "invalid_utf8"
    LONE_SURROGATE = "lone_surrogate"
    NUL_CHARACTER = "nul_character"
    WRONG_TYPE = "wrong_type"


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A record a reader could not turn into a typed record; reading goes on.

    Attributes:
        path: the input file.
        line: 1-based line (or first line of the block) in ``path``; 0 when unknown.
        reason: a :class:`Reason` key.
        detail: a human-readable explanation.
    """

    path: str
    line: int
    reason: str
    detail: str

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.reason}: {self.detail}", 600)


Item = Post | Product | CoBuy | IngestProblem
"""What a reader yields."""


class IngestReport(StageReport):
    """Summary of one ``run_ingest`` call, also written to ``<workdir>/ingest/report.json``.

    Attributes (besides :class:`kg.reports.StageReport`'s):
        format: the reader used per input file (``auto`` resolved).
        read: records read per type (before de-duplication).
        written: records written per type in this run (after de-duplication).
        total: records in each output file after merging with earlier runs.
        skipped: skipped records per reason.
        problems: the first problems as ``file:line: reason: detail`` lines.
        images: image status counts (``ok``, ``missing``, ``broken``, ``not_downloaded``).
        unknown_product_pairs: co-buys naming a product without metadata.
        outputs: output file paths per type.
        cleaned: records kept after a change worth knowing, per kind
            (``html_in_title``: markup removed from a title; ``title_only_html``: the
            title was nothing but a markup fragment and is now empty).
        notes: the first such changes as ``file:line: kind: detail`` lines.
        unreadable_files: ``file: reason`` for each input of which nothing was read.
        incomplete_files: ``file: reason`` for each input that broke part way; the
            records before the break are kept.
    """

    stage: Stage = "ingest"
    format: dict[str, str] = Field(default_factory=dict)
    read: dict[str, int] = Field(default_factory=dict)
    written: dict[str, int] = Field(default_factory=dict)
    total: dict[str, int] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    images: dict[str, int] = Field(default_factory=dict)
    unknown_product_pairs: int = 0
    outputs: dict[str, str] = Field(default_factory=dict)
    cleaned: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    unreadable_files: list[str] = Field(default_factory=list)
    incomplete_files: list[str] = Field(default_factory=list)

    def add_problem(self, problem: IngestProblem, *, keep: int = 20) -> None:
        """Count ``problem`` and keep its line when fewer than ``keep`` are kept."""
        self.skip(problem.reason)
        if len(self.problems) < keep:
            self.problems.append(str(problem))

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records skipped for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count

    def add_note(self, kind: str, where: str, detail: str, *, keep: int = 20) -> None:
        """Count a record kept after a change of ``kind``; keep the first lines."""
        self.cleaned[kind] = self.cleaned.get(kind, 0) + 1
        if len(self.notes) < keep:
            self.notes.append(printable(f"{where}: {kind}: {detail}", 600))


_SINK: ContextVar[IngestReport | None] = ContextVar("ingest_notes", default=None)


@contextmanager
def collecting_notes(report: IngestReport) -> Iterator[None]:
    """Within the block, :func:`note` calls (from readers) are counted in ``report``."""
    token = _SINK.set(report)
    try:
        yield
    finally:
        _SINK.reset(token)


def note(kind: str, path: object, line: int, detail: str) -> None:
    """Record that a reader kept a record after changing it (see ``IngestReport.cleaned``)."""
    report = _SINK.get()
    if report is not None:
        report.add_note(kind, f"{path}:{line}", detail)
