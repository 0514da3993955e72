"""Cypher-literal parameters round-trip through a real FalkorDB server.

Every randomized case is written twice — by the fast ``params_header`` and by the
reference ``cypher_literal`` — and the server must read back exactly what was sent.
Floats are checked on the server against an exact ``m * 2^p`` decomposition,
because result sets print floats with only 15 digits.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.errors import StoreError
from kg.store.falkordb import FalkorStore
from kg.store.falkordb_params import INT64_MAX, INT64_MIN, cypher_literal, params_header

AWKWARD = ['\\', '"', "'", "\n", "\r", "\t", "\x01", "\x08", "\x0c", "\x1f", "\x7f", "é", "😀",
           "\u2028", "`", "{", "}", ":", ",", "[", "]", "$", "\\u0041", '":', '\\"', "//",
           " ", "CYPHER x=1 ", "=", "\\n", "ß", "中文", "a", "Z", "0", "\ufeff", "\U0010ffff"]
ROW_QUERY = ("UNWIND $rows AS row RETURN row.s AS s, row.i AS i, row.b AS b, row.n AS n, "
             "row.l AS l")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorStore]:
    s = FalkorStore.open(tmp_path_factory.mktemp("params") / "db", graph="params")
    yield s
    s.close()


def _awkward_string(rng: random.Random) -> str:
    return "".join(rng.choice(AWKWARD) for _ in range(rng.randrange(0, 12)))


def _rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    ints = [0, 1, -1, INT64_MAX, INT64_MIN + 1, 2**53 + 1, -(2**40)]
    return [{"s": _awkward_string(rng),
             "i": rng.choice(ints) if rng.random() < 0.3 else rng.randrange(-10**12, 10**12),
             "b": rng.random() < 0.5, "n": None,
             "l": [_awkward_string(rng) for _ in range(rng.randrange(0, 4))]}
            for _ in range(n)]


def _query(store: FalkorStore, text: str) -> list[list[Any]]:
    """Run a raw query text (parameters already in it) with the official client."""
    from falkordb import FalkorDB

    assert store.server is not None
    db = FalkorDB(unix_socket_path=str(store.server.socket_path))
    try:
        return [list(r) for r in db.select_graph("raw").query(text).result_set]
    finally:
        db.connection.close()


@pytest.mark.parametrize("seed", range(4))
def test_awkward_rows_round_trip_through_both_writers(store: FalkorStore, seed: int) -> None:
    rows = _rows(random.Random(seed), 300)
    expected = [[r["s"], r["i"], r["b"], None, r["l"]] for r in rows]
    fast = params_header({"rows": rows})
    reference = f"CYPHER `rows`={cypher_literal(rows)} "
    assert _query(store, fast + ROW_QUERY) == expected
    assert _query(store, reference + ROW_QUERY) == expected


def _random_double(rng: random.Random) -> float:
    while True:
        x: float = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(x):
            return x


def _exact_parts(x: float) -> dict[str, Any]:
    """x == m * 2^p1 * 2^p2 exactly, with every factor a normal double."""
    num, den = x.as_integer_ratio()
    p = 0
    while num and num % 2 == 0:
        num //= 2
        p += 1
    p -= den.bit_length() - 1
    return {"x": x, "m": num, "p1": p // 2, "p2": p - p // 2}


def test_floats_are_read_back_exactly(store: FalkorStore) -> None:
    rng = random.Random(7)
    values = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
              0.1, 1 / 3, 1e-05, 123456789.123, -2.5e-7]
    values += [_random_double(rng) for _ in range(1500)]
    values += [rng.uniform(-1, 1) for _ in range(500)]
    rows = [_exact_parts(x) for x in values]
    query = ("UNWIND $rows AS row RETURN row.x = toFloat(row.m) * 2.0 ^ row.p1 * 2.0 ^ row.p2 "
             "AND row.x IN [row.x] AS same")
    for header in (params_header({"rows": rows}), f"CYPHER `rows`={cypher_literal(rows)} "):
        bad = [values[i] for i, (same,) in enumerate(_query(store, header + query)) if not same]
        assert bad == []


def test_float_lists_become_the_same_vector(store: FalkorStore) -> None:
    rng = random.Random(3)
    vec = [rng.uniform(-1, 1) for _ in range(384)]
    header = params_header({"a": vec, "b": [float(struct.unpack("<f", struct.pack("<f", v))[0])
                                             for v in vec]})
    (same,), = _query(store, header + "RETURN vecf32($a) = vecf32($b)")
    assert same is True


@pytest.mark.parametrize("value", [
    float("nan"), float("inf"), [1.0, float("-inf")], INT64_MAX + 1, [INT64_MIN - 1],
    [{"a": 2**70}], "a\x00b", ["ok", "\ud800"], {"bad key": 1}, [{"`x": 1}], b"bytes",
    {1, 2}, [object()],
])
def test_values_the_server_cannot_hold_are_refused(value: Any) -> None:
    with pytest.raises(StoreError):
        params_header({"v": value})
    with pytest.raises(StoreError):
        cypher_literal(value)


def test_parameter_names_must_be_identifiers() -> None:
    with pytest.raises(StoreError, match="identifier"):
        params_header({"my rows": []})
    assert params_header({}) == ""


def test_fast_and_reference_writers_agree_on_plain_rows() -> None:
    rows = [{"id": "a", "x": 1.5, "t": True, "n": None, "l": ["b"], "e": [0.25, -1.0]},
            {"id": "c\n\"", "x": -0.0, "t": False, "n": 3, "l": [], "e": []}]
    assert params_header({"rows": rows}) == f"CYPHER `rows`={cypher_literal(rows)} "


def test_write_rows_pipelines_batches_and_counts(store: FalkorStore, tmp_path: Path) -> None:
    query = "UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n.name = row.name"
    rows = [{"id": f"concept:{i}", "name": _awkward_string(random.Random(i))} for i in range(250)]
    first = store.write_rows(query, iter(rows), batch_size=40)
    again = store.write_rows(query, iter(rows), batch_size=40)
    assert (first.rows, first.nodes_created) == (250, 250)
    assert (again.rows, again.nodes_created) == (250, 0)
    got = store.read("MATCH (n:Concept) RETURN n.id AS id, n.name AS name")
    assert {r["id"]: r["name"] for r in got} == {r["id"]: r["name"] for r in rows}


def test_a_bad_batch_fails_cleanly_and_the_store_stays_usable(store: FalkorStore) -> None:
    query = "UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n.score = row.score"
    rows: list[dict[str, Any]] = [{"id": f"c:{i}", "score": 0.5} for i in range(30)]
    rows[25]["score"] = float("nan")
    with pytest.raises(StoreError, match="NaN"):
        store.write_rows(query, rows, batch_size=10)
    # The first batches were written; the connection answers the next query normally.
    got = store.read("MATCH (n:Concept) WHERE n.id STARTS WITH 'c:' RETURN count(n) AS n")
    assert got == [{"n": 20}]
    with pytest.raises(StoreError, match="rejected"):
        store.write_rows("UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n.x = 1 / 0 "
                         "RETURN nonsense(", rows[:5], batch_size=2)
    assert store.read("RETURN 1 AS one") == [{"one": 1}]
