"""What the evaluations keep inside the work dir's ``eval/`` (:class:`kg.workdir.WorkDir`
declares the directory; this module the files in it).

No stage writes there and :meth:`WorkDir.reset` never touches it, so human
judgments survive every rebuild and ``intentkg run --fresh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.workdir import WorkDir

__all__ = ["EvalPaths"]


@dataclass(frozen=True)
class EvalPaths:
    """The evaluation files of one work dir."""

    workdir: Path

    @property
    def dirs(self) -> WorkDir:
        """The work dir's stage paths."""
        return WorkDir(self.workdir)

    @property
    def root(self) -> Path:
        """``<workdir>/eval``."""
        return self.dirs.stage("eval")

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
    def report_dir(self) -> Path:
        """Where ``intentkg eval report`` writes by default (``report.md`` and its tables)."""
        return self.root / "report"

    @property
    def assertions(self) -> Path:
        """The assertions judged: the build's copy when there is one, else distill's."""
        built = self.dirs.graph("assertions")
        return built if built.is_file() else self.dirs.distill("assertions")
