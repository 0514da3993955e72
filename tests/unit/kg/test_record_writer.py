"""Streaming Parquet writes: batches, atomic commit, abort keeps the old file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kg.io import RecordWriter, arrow_schema, count_records, read_records, write_records
from kg.records import CoBuy, ConceptLink, IntentionAssertion


def _pairs(n: int, start: int = 0) -> list[CoBuy]:
    return [CoBuy.of(f"A{i:04d}", f"B{i:04d}") for i in range(start, start + n)]


def test_batches_stream_to_a_temp_file_until_commit(tmp_path: Path) -> None:
    path = tmp_path / "out" / "pairs.parquet"
    writer = RecordWriter(path, batch_size=4)
    for rec in _pairs(10):
        writer.write(rec)
    [tmp] = path.parent.glob("pairs.parquet.*.tmp")
    assert writer.count == 8 and tmp.exists() and not path.exists()  # two batches out
    assert writer.commit() == 10
    assert not tmp.exists() and count_records(path) == 10
    assert read_records(path, CoBuy) == _pairs(10)


def test_abort_leaves_the_earlier_file(tmp_path: Path) -> None:
    path = tmp_path / "pairs.parquet"
    write_records(path, _pairs(3))
    with pytest.raises(KeyboardInterrupt), RecordWriter(path, batch_size=2) as writer:
        for rec in _pairs(5, start=100):
            writer.write(rec)
        raise KeyboardInterrupt
    assert read_records(path, CoBuy) == _pairs(3)
    assert not list(tmp_path.glob("*.tmp"))


def test_two_writers_of_one_path_use_their_own_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "pairs.parquet"
    first, second = RecordWriter(path, batch_size=2), RecordWriter(path, batch_size=2)
    for rec in _pairs(3):
        first.write(rec)
        second.write(rec)
    assert len(list(tmp_path.glob("pairs.parquet.*.tmp"))) == 2
    second.abort()
    assert first.commit() == 3 and read_records(path, CoBuy) == _pairs(3)


def test_committing_nothing_removes_a_stale_file(tmp_path: Path) -> None:
    path = tmp_path / "pairs.parquet"
    write_records(path, _pairs(2))
    assert write_records(path, []) == 0
    assert not path.exists() and count_records(path) == 0


def test_flat_records_are_written_as_their_json_dump(tmp_path: Path) -> None:
    # records of scalar fields go column by column: the same table as their model_dump
    rows = [IntentionAssertion(id=f"a{i}", subject_id="s", subject_kind="post",
                               relation="xIntent", text=f"t{i}", raw_text="r", model="m",
                               prompt_version="v", plausibility=[None, 0.5, float("nan")][i % 3],
                               keep=bool(i % 2), intention_id=None if i % 2 else "x")
            for i in range(7)]
    links = [ConceptLink(kind="about", source_id=f"i{i}", target_id="c", score=i / 3)
             for i in range(5)]
    for name, records in (("assertions", rows), ("links", links)):
        path = tmp_path / f"{name}.parquet"
        assert write_records(path, records, batch_size=3) == len(records)
        expected = pa.Table.from_pylist([r.model_dump(mode="json") for r in records],
                                        schema=arrow_schema(type(records[0])))
        assert pq.read_table(path).to_pylist().__repr__() == expected.to_pylist().__repr__()
        assert pq.read_table(path).schema.equals(expected.schema)
        assert pq.ParquetFile(path).metadata.num_row_groups == -(-len(records) // 3)
    assert read_records(tmp_path / "links.parquet", ConceptLink) == links
