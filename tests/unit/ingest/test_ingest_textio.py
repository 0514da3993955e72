"""Streaming JSON arrays and JSON/literal lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ingest.textio import iter_json_array, loads_json_or_literal


def test_one_line_array_larger_than_the_buffer(tmp_path: Path) -> None:
    rows = [{"image_id": 2**60 + i, "text": "x" * 50} for i in range(3000)]  # ~250 KB
    path = tmp_path / "big.json.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps(rows))
    got = list(iter_json_array(path, big_ints_as_str=True))
    assert len(got) == 3000
    assert all(line == 1 for line, _ in got)
    assert got[-1][1]["image_id"] == str(2**60 + 2999)


def test_array_with_a_broken_element_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "arr.json"
    path.write_text('[{"a": 1},\n{"a": 2, "b": \n{"a": 3},\n{"a": 4}\n]\n')
    got = list(iter_json_array(path))
    values = [(line, v if isinstance(v, dict) else "error") for line, v in got]
    assert values == [(1, {"a": 1}), (2, "error"), (3, {"a": 3}), (4, {"a": 4})]


def test_not_an_array_is_read_per_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text('{"a": 1}\n\n{\'a\': 2}\nnot json\n')
    got = list(iter_json_array(path))
    assert [line for line, _ in got] == [1, 3, 4]
    assert got[1][1] == {"a": 2} and isinstance(got[2][1], ValueError)


def test_loads_json_or_literal() -> None:
    assert loads_json_or_literal("['1', \"it's\", 1]") == ["1", "it's", 1]
    assert loads_json_or_literal('{"id": 862902619928506372}', big_ints_as_str=True) == {
        "id": "862902619928506372"}
