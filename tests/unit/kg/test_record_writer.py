"""Streaming Parquet writes: batches, atomic commit, abort keeps the old file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.io import RecordWriter, count_records, read_records, write_records
from kg.records import CoBuy


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
