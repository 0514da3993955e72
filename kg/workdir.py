"""The work directory: every path a stage reads or writes, named once.

```
<root>/ingest/{posts,products,cobuys}.parquet, report.json, .spool/
<root>/distill/{assertions,image_descriptions,key_info}.parquet, report.json, llm_cache.sqlite
<root>/graph/{intentions,assertions,concepts,concept_links,merges}.parquet, report.json,
             embeddings.sqlite, parse_cache.sqlite, candidates.npz
<root>/load/report.json
<root>/{distill,load}/.<stage>.lock   held while that stage runs (kg.locks.DirLock)
<root>/eval/judgments.parquet (human judgments: never reset, never rewritten by a stage),
            annotation_exports/<project>.json, intentionqa.json, sarcasm.json, report/
<root>/export/          exports (neo4j-admin CSV, Parquet, GraphML)
<root>/falkordb/        the embedded store (socket, append-only file, lock, log)
<root>/images/          images ingest downloaded (kept by reset, like a cache)
<root>/.wordnet/        the prepared WordNet copy concept linking reads (a cache)
```

Stages get a :class:`WorkDir` (or its root) and ask it for paths; no stage spells
a path of another. :meth:`WorkDir.reset` removes stage outputs and keeps the
caches (model calls, embeddings, parses), so a fresh run pays nothing twice.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["CACHE_FILES", "STAGES", "Stage", "WorkDir"]

Stage = Literal["ingest", "distill", "graph", "load", "eval"]
STAGES: tuple[Stage, ...] = ("ingest", "distill", "graph", "load", "eval")
INGEST_FILES = ("posts", "products", "cobuys")
DISTILL_FILES = ("assertions", "image_descriptions", "key_info")
GRAPH_FILES = ("intentions", "assertions", "concepts", "concept_links", "merges")
CACHE_FILES: dict[Stage, tuple[str, ...]] = {
    "distill": ("llm_cache.sqlite",),
    "graph": ("embeddings.sqlite", "parse_cache.sqlite", "candidates.npz")}
"""Caches :meth:`WorkDir.reset` keeps (with their SQLite ``-wal``/``-shm`` files)."""


@dataclass(frozen=True)
class WorkDir:
    """Paths of one work directory (nothing is created until a stage writes)."""

    root: Path

    def stage(self, stage: Stage) -> Path:
        """A stage's directory (``graph`` is the build's)."""
        return self.root / stage

    def report(self, stage: Stage) -> Path:
        """``<stage>/report.json``: what the stage's last run did."""
        return self.stage(stage) / "report.json"

    def ingest(self, name: str) -> Path:
        """``ingest/<name>.parquet`` (``posts``, ``products``, ``cobuys``)."""
        return self._file("ingest", name, INGEST_FILES)

    def distill(self, name: str) -> Path:
        """``distill/<name>.parquet`` (``assertions``, ``image_descriptions``, ``key_info``)."""
        return self._file("distill", name, DISTILL_FILES)

    def graph(self, name: str) -> Path:
        """``graph/<name>.parquet`` (``intentions``, ``assertions``, ``concepts`` ...)."""
        return self._file("graph", name, GRAPH_FILES)

    @property
    def spool(self) -> Path:
        """Ingest's scratch directory while reading (removed when it ends)."""
        return self.stage("ingest") / ".spool"

    @property
    def llm_cache(self) -> Path:
        """The model-call cache (SQLite)."""
        return self.stage("distill") / "llm_cache.sqlite"

    @property
    def embeddings_cache(self) -> Path:
        """The embedding cache (SQLite, by text hash)."""
        return self.stage("graph") / "embeddings.sqlite"

    @property
    def parse_cache(self) -> Path:
        """The spaCy parse cache (SQLite)."""
        return self.stage("graph") / "parse_cache.sqlite"

    @property
    def candidates_cache(self) -> Path:
        """The last build's candidate pairs (:mod:`kg.canon.candidates`)."""
        return self.stage("graph") / "candidates.npz"

    @property
    def wordnet_cache(self) -> Path:
        """The prepared WordNet copy (links + ``lexnames``) of :func:`kg.concepts.open_wordnet`."""
        return self.root / ".wordnet"

    @property
    def images(self) -> Path:
        """Where ingest stores the images it downloads."""
        return self.root / "images"

    @property
    def falkordb(self) -> Path:
        """The embedded store's default data directory."""
        return self.root / "falkordb"

    def export(self, name: str) -> Path:
        """``export/<name>`` (``neo4j``, ``parquet``, ``graph.graphml``)."""
        return self.root / "export" / name

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, for reports and messages."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def reset(self, *, store_dir: Path | None = None) -> list[Path]:
        """Remove every stage output, keep the caches; return what was removed.

        Args:
            store_dir: the embedded store's data directory to remove as well
                (``None``: leave any store alone).
        """
        keep = {self.stage(stage) / name for stage, names in CACHE_FILES.items()
                for base in names for name in (base, base + "-wal", base + "-shm")}
        removed: list[Path] = []
        for stage in STAGES:
            directory = self.stage(stage)
            if not directory.is_dir() or stage == "eval":  # human judgments are never reset
                continue
            for path in sorted(directory.iterdir()):
                if path in keep or path.name.endswith(".lock"):  # caches; a holder's lock
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        if store_dir is not None and store_dir.exists():
            shutil.rmtree(store_dir, ignore_errors=True)
            removed.append(store_dir)
        return removed

    def _file(self, stage: Stage, name: str, known: tuple[str, ...]) -> Path:
        if name not in known:
            raise ValueError(f"{stage}/{name}.parquet is not a work-dir file; "
                             f"known: {', '.join(known)}")
        return self.stage(stage) / f"{name}.parquet"
