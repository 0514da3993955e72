"""The helpers' Cypher files: every name the code reads exists for both dialects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.store.cypher_files import cypher_names, load_cypher
from queries._base import CYPHER_PACKAGE

ROOT = Path(__file__).resolve().parents[3]
CODE = "\n".join(p.read_text() for p in (ROOT / "queries").glob("*.py"))
USED = set(re.findall(r'read\(store, "(\w+)"', CODE)) | {
    f"neighbourhood_{k}" for k in ("intention", "concept", "product", "post")}


def test_every_query_the_code_reads_has_a_file() -> None:
    names = set(cypher_names(CYPHER_PACKAGE))
    assert names >= USED, f"missing: {sorted(USED - names)}"
    assert names <= USED, f"unused Cypher files: {sorted(names - USED)}"


@pytest.mark.parametrize("dialect", ["falkordb", "neo4j"])
def test_texts_load_and_use_parameters_only(dialect: str) -> None:
    for name in USED:
        text = load_cypher(CYPHER_PACKAGE, name, dialect)  # type: ignore[arg-type]
        assert "MATCH" in text and "//" not in text
        assert not re.search(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", text), name  # read-only


def test_falkordb_variants_differ_only_in_the_degree_function() -> None:
    for path in (ROOT / "queries" / "cypher").glob("*.falkordb.cypher"):
        name = path.name.removesuffix(".falkordb.cypher")
        falkor = load_cypher(CYPHER_PACKAGE, name, "falkordb")
        neo = load_cypher(CYPHER_PACKAGE, name, "neo4j")
        assert "indegree(" in falkor and "COUNT {" in neo
        assert re.sub(r"COUNT \{ \((\w)\)<--\(\) \}", r"indegree(\1)", neo) == falkor
