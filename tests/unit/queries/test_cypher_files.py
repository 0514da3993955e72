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


# FalkorDB variants that differ for another reason than the degree function, with it
OTHER_VARIANTS = {
    "graph_summary": "db.meta.stats",  # label counts from the server's own statistics
}


def test_falkordb_variants_differ_only_in_the_degree_function() -> None:
    variants = sorted((ROOT / "queries" / "cypher").glob("*.falkordb.cypher"))
    names = {p.name.removesuffix(".falkordb.cypher") for p in variants}
    assert set(OTHER_VARIANTS) <= names, "an OTHER_VARIANTS entry has no FalkorDB file"
    for name in sorted(names):
        falkor = load_cypher(CYPHER_PACKAGE, name, "falkordb")
        neo = load_cypher(CYPHER_PACKAGE, name, "neo4j")
        if name in OTHER_VARIANTS:
            assert OTHER_VARIANTS[name] in falkor and OTHER_VARIANTS[name] not in neo, name
            continue
        assert "indegree(" in falkor and "COUNT {" in neo
        assert re.sub(r"COUNT \{ \((\w)\)<--\(\) \}", r"indegree(\1)", neo) == falkor
