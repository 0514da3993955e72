"""Reading the ingest outputs back (for the later stages and for checks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.report import IngestReport
from ingest.run import output_paths
from kg.errors import IngestError
from kg.io import iter_records
from kg.records import CoBuy, Post, Product
from kg.workdir import WorkDir

__all__ = ["iter_cobuys", "iter_posts", "iter_products", "read_report"]


def iter_posts(workdir: Path) -> Iterator[Post]:
    """Posts in ``<workdir>/ingest/posts.parquet`` (nothing when the file is absent)."""
    return iter_records(output_paths(workdir)["posts"], Post)


def iter_products(workdir: Path) -> Iterator[Product]:
    """Products in ``<workdir>/ingest/products.parquet``."""
    return iter_records(output_paths(workdir)["products"], Product)


def iter_cobuys(workdir: Path) -> Iterator[CoBuy]:
    """Co-buys in ``<workdir>/ingest/cobuys.parquet``."""
    return iter_records(output_paths(workdir)["cobuys"], CoBuy)


def read_report(workdir: Path) -> IngestReport:
    """The report of the last ingest run in ``workdir``.

    Raises:
        IngestError: no ingest has been run there yet.
    """
    path = WorkDir(workdir).report("ingest")
    if not path.exists():
        raise IngestError("no ingest report; run `intentkg ingest` first", path=str(path))
    return IngestReport.model_validate_json(path.read_text(encoding="utf-8"))
