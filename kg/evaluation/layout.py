"""Where the evaluations keep their files in the work dir (``<workdir>/eval``).

Nothing here is written by ingest, distill or build, and ``intentkg run --fresh``
removes only their Parquet outputs, so human judgments survive every rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["EvalPaths"]


@dataclass(frozen=True)
class EvalPaths:
    """The evaluation files of one work dir."""

    workdir: Path

    @property
    def root(self) -> Path:
        """``<workdir>/eval``."""
        return self.workdir / "eval"

    @property
    def judgments(self) -> Path:
        """Human judgments of assertions, keyed by assertion id and annotator."""
        return self.root / "judgments.parquet"

    @property
    def exports(self) -> Path:
        """One manifest per annotation export (project id → assertion ids)."""
        return self.root / "annotation_exports"

    @property
    def intentionqa(self) -> Path:
        """The last ``intentkg eval intentionqa`` results (JSON)."""
        return self.root / "intentionqa.json"

    @property
    def sarcasm(self) -> Path:
        """The last ``intentkg eval sarcasm`` results (JSON)."""
        return self.root / "sarcasm.json"

    @property
    def assertions(self) -> Path:
        """The assertions judged: the build's copy when there is one, else distill's."""
        built = self.workdir / "graph" / "assertions.parquet"
        return built if built.is_file() else self.workdir / "distill" / "assertions.parquet"
