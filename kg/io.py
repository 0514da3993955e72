"""Records to and from Parquet files in the work directory.

The Arrow schema of a file comes from the record type's field annotations
(:func:`arrow_schema`), not from the first batch's values, so an optional field
that is ``None`` throughout the first batch (``Post.lang``, ``ImageRef.local_path``)
still gets its real type and later batches with values fit it. A type with a field
the mapping does not cover falls back to inferring the schema from the first batch.
"""

from __future__ import annotations

import os
import secrets
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import pyarrow as pa
import pyarrow.parquet as pq

from kg.errors import IntentKGError
from kg.records import Record

__all__ = ["RecordWriter", "arrow_schema", "count_records", "iter_records", "read_records",
           "write_records"]

R = TypeVar("R", bound=Record)

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def _arrow_type(annotation: Any) -> pa.DataType | None:
    """The Arrow type of a field annotation, or ``None`` when it is not covered."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _arrow_type(args[0]) if len(args) == 1 else None
    if origin is Literal:
        values = get_args(annotation)
        return pa.string() if all(isinstance(v, str) for v in values) else None
    if origin is list:
        (item,) = get_args(annotation)
        inner = _arrow_type(item)
        return pa.list_(inner) if inner is not None else None
    if isinstance(annotation, type) and issubclass(annotation, Record):
        schema = arrow_schema(annotation)
        return pa.struct(list(schema)) if schema is not None else None
    return _SCALARS.get(annotation)


def arrow_schema(cls: type[Record]) -> pa.Schema | None:
    """The Arrow schema of ``cls``'s Parquet files, or ``None`` if a field type is not covered.

    Columns follow the field order of ``model_dump``; every column is nullable.
    """
    fields = []
    for name, info in cls.model_fields.items():
        arrow = _arrow_type(info.annotation)
        if arrow is None:
            return None
        fields.append(pa.field(name, arrow))
    return pa.schema(fields)


class RecordWriter:
    """Streams records to a Parquet file, atomically: a temp file (unique to this writer)
    renamed by :meth:`commit`.

    Records are buffered ``batch_size`` at a time, so a long stream never sits
    in memory. As a context manager it commits on success and, on any
    exception (``KeyboardInterrupt`` included), removes the temp file and
    leaves an earlier file at ``path`` untouched.

    Args:
        path: the Parquet file to write (its directory is created).
        batch_size: records per row group.
    """

    def __init__(self, path: Path, *, batch_size: int = 10000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.count = 0
        # One temp file per writer: two runs on one directory never share one.
        self._tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        self._batch_size = batch_size
        self._batch: list[dict[str, object]] = []
        # records whose fields are all scalars are kept as value tuples and written column
        # by column (what model_dump(mode="json") gives for them, without calling it)
        self._rows: list[tuple[object, ...]] = []
        self._flat: tuple[str, ...] | None = None
        self._schema: pa.Schema | None = None
        self._writer: pq.ParquetWriter | None = None

    def write_table(self, cls: type[Record], table: pa.Table) -> None:
        """Add the rows of ``table``, whose columns are ``cls``'s record fields as
        :func:`arrow_schema` types them (built column by column, for large numeric
        fields: no record objects). Row groups are ``batch_size`` rows, as with
        :meth:`write`.

        Raises:
            ValueError: ``table``'s schema is not ``cls``'s.
        """
        schema = arrow_schema(cls)
        if schema is None or not table.schema.equals(schema):
            raise ValueError(f"table schema {table.schema} is not that of {cls.__name__}")
        self._flush()
        if self._writer is None:
            self._schema = schema
        for start in range(0, table.num_rows, self._batch_size):
            self._schema, self._writer = _flush_table(
                self._tmp, table.slice(start, self._batch_size), self._writer)
            self.count += min(self._batch_size, table.num_rows - start)

    def write(self, rec: Record) -> None:
        """Add one record."""
        if self._writer is None and not self._batch and not self._rows:  # the first record
            self._schema = arrow_schema(type(rec))
            self._flat = _flat_fields(type(rec), self._schema)
        if self._flat is not None:
            self._rows.append(tuple(getattr(rec, name) for name in self._flat))
            if len(self._rows) >= self._batch_size:
                self._flush()
            return
        self._batch.append(rec.model_dump(mode="json"))
        if len(self._batch) >= self._batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            assert self._flat is not None and self._schema is not None
            columns = [pa.array(list(col), type=self._schema.field(name).type)
                       for name, col in zip(self._flat, zip(*self._rows, strict=True),
                                            strict=True)]
            self._schema, self._writer = _flush_table(
                self._tmp, pa.Table.from_arrays(columns, schema=self._schema), self._writer)
            self.count += len(self._rows)
            self._rows = []
        if self._batch:
            self._schema, self._writer = _flush(self._tmp, self._batch, self._schema,
                                                self._writer)
            self.count += len(self._batch)
            self._batch = []

    def commit(self) -> int:
        """Write what is buffered and move the file into place; return the record count.

        No records: no file, and a stale one is removed, so readers see "no
        records" rather than old data.
        """
        try:
            self._flush()
        finally:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self.count:
            os.replace(self._tmp, self.path)
        else:
            self.path.unlink(missing_ok=True)
        return self.count

    def abort(self) -> None:
        """Drop everything written so far."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _flat_fields(cls: type[Record], schema: pa.Schema | None) -> tuple[str, ...] | None:
    """The field names of ``cls`` when every field is a string, integer, float or boolean
    (optional or not, string literals included), else ``None``."""
    if schema is None or list(schema.names) != list(cls.model_fields):
        return None
    scalar = set(_SCALARS.values())
    if any(field.type not in scalar for field in schema):
        return None
    return tuple(schema.names)


def write_records(path: Path, records: Iterable[Record], *, batch_size: int = 10000) -> int:
    """Write ``records`` to ``path`` as Parquet, atomically (temp file + rename).

    Returns the number of records written. An empty iterable writes no file and
    removes a stale one, so readers see "no records" rather than old data.
    """
    with RecordWriter(path, batch_size=batch_size) as writer:
        for rec in records:
            writer.write(rec)
    return writer.count


def count_records(path: Path) -> int:
    """Rows in a Parquet file (from its footer), 0 when it does not exist."""
    if not path.exists():
        return 0
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, pa.ArrowInvalid) as exc:
        raise IntentKGError(f"{path}: not a readable Parquet file ({exc}); re-run the stage "
                            "that writes it") from exc


def _flush(
    tmp: Path, batch: list[dict[str, object]], schema: pa.Schema | None,
    writer: pq.ParquetWriter | None,
) -> tuple[pa.Schema, pq.ParquetWriter]:
    return _flush_table(tmp, pa.Table.from_pylist(batch, schema=schema), writer)


def _flush_table(tmp: Path, table: pa.Table, writer: pq.ParquetWriter | None,
                 ) -> tuple[pa.Schema, pq.ParquetWriter]:
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
