"""Records to and from Parquet files in the work directory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from kg.errors import IntentKGError
from kg.records import Record

__all__ = ["iter_records", "read_records", "write_records"]

R = TypeVar("R", bound=Record)


def write_records(path: Path, records: Iterable[Record], *, batch_size: int = 10000) -> int:
    """Write ``records`` to ``path`` as Parquet, atomically (temp file + rename).

    Returns the number of records written. An empty iterable writes no file and
    removes a stale one, so readers see "no records" rather than old data.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    writer: pq.ParquetWriter | None = None
    count = 0
    batch: list[dict[str, object]] = []
    schema: pa.Schema | None = None
    try:
        for rec in records:
            batch.append(rec.model_dump(mode="json"))
            if len(batch) >= batch_size:
                schema, writer = _flush(tmp, batch, schema, writer)
                count += len(batch)
                batch = []
        if batch:
            schema, writer = _flush(tmp, batch, schema, writer)
            count += len(batch)
    finally:
        if writer is not None:
            writer.close()
    if count:
        os.replace(tmp, path)
    else:
        path.unlink(missing_ok=True)
    return count


def _flush(
    tmp: Path, batch: list[dict[str, object]], schema: pa.Schema | None,
    writer: pq.ParquetWriter | None,
) -> tuple[pa.Schema, pq.ParquetWriter]:
    table = pa.Table.from_pylist(batch, schema=schema)
    if writer is None:
        writer = pq.ParquetWriter(tmp, table.schema)
    writer.write_table(table)
    return table.schema, writer


def iter_records(path: Path, cls: type[R], *, batch_size: int = 10000) -> Iterator[R]:
    """Stream records of type ``cls`` from a Parquet file; a missing file yields nothing."""
    if not path.exists():
        return
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise IntentKGError(f"{path}: not a readable Parquet file ({exc}); re-run the stage "
                            "that writes it") from exc
    for batch in pf.iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            yield cls.model_validate(row)


def read_records(path: Path, cls: type[R]) -> list[R]:
    """All records of type ``cls`` in ``path`` (empty when the file does not exist)."""
    return list(iter_records(path, cls))
