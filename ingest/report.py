"""What a reader yields besides records, and what an ingest run reports."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from kg.records import CoBuy, Post, Product

__all__ = ["IngestProblem", "IngestReport", "Item", "Reason"]


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
        return f"{self.path}:{self.line}: {self.reason}: {self.detail}"


Item = Post | Product | CoBuy | IngestProblem
"""What a reader yields."""


class IngestReport(BaseModel):
    """Summary of one ``run_ingest`` call, also written to ``<workdir>/ingest/report.json``.

    Attributes:
        format: the reader used per input file (``auto`` resolved).
        read: records read per type (before de-duplication).
        written: records written per type in this run (after de-duplication).
        total: records in each output file after merging with earlier runs.
        skipped: skipped records per reason.
        problems: the first problems as ``file:line: reason: detail`` lines.
        images: image status counts (``ok``, ``missing``, ``broken``, ``not_downloaded``).
        unknown_product_pairs: co-buys naming a product without metadata.
        outputs: output file paths per type.
    """

    model_config = ConfigDict(extra="forbid")

    format: dict[str, str] = Field(default_factory=dict)
    read: dict[str, int] = Field(default_factory=dict)
    written: dict[str, int] = Field(default_factory=dict)
    total: dict[str, int] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    images: dict[str, int] = Field(default_factory=dict)
    unknown_product_pairs: int = 0
    outputs: dict[str, str] = Field(default_factory=dict)

    @property
    def records_written(self) -> int:
        """Records written in this run, all types together."""
        return sum(self.written.values())

    def add_problem(self, problem: IngestProblem, *, keep: int = 20) -> None:
        """Count ``problem`` and keep its line when fewer than ``keep`` are kept."""
        self.skip(problem.reason)
        if len(self.problems) < keep:
            self.problems.append(str(problem))

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records skipped for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count
