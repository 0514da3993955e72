"""The graph schema is declared once (kg.schema); Cypher files and docs agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.schema import (
    NODES,
    RELATIONSHIPS,
    STAT_WRITES,
    WRITES,
    EdgeWrite,
    NodeWrite,
    Write,
    markdown_tables,
    property_keys,
)
from kg.store import dialect as d
from kg.store.cypher_files import load_cypher, strip_comments

ROOT = Path(__file__).resolve().parents[3]
# `x.prop = row.key`, also inside coalesce(...) / vecf32(...) / CASE ... END
_SET = re.compile(r"\b\w+\.(\w+)\s*=\s*(?:coalesce\(|CASE WHEN row\.\w+ IS NULL THEN \S+ ELSE )?"
                  r"(?:vecf32\()?row\.(\w+)")
_MERGE = re.compile(r"(?:MERGE|MATCH)\s*\(\w*:(\w+)\s*\{id:\s*row\.(\w+)\}\)")
_EDGE = re.compile(r"MERGE \((\w+)\)-\[\w*:(\w+)\]->\((\w+)\)")


def _declared(write: Write) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[str]]:
    props: set[tuple[str, str]] = set()
    keys: set[tuple[str, str]] = set()
    types: set[str] = set()
    for effect in write.effects:
        props |= set(effect.props)
        if isinstance(effect, NodeWrite):
            keys.add((effect.label, effect.key))
        else:
            assert isinstance(effect, EdgeWrite)
            types.add(effect.type)
            keys.add((effect.end, effect.end_key))
            keys.update((label, effect.start_key) for label in effect.start)
    return props, keys, types


@pytest.mark.parametrize("dialect", ["falkordb", "neo4j"])
@pytest.mark.parametrize("write", WRITES + STAT_WRITES, ids=lambda w: w.step)
def test_every_cypher_file_writes_what_its_schema_write_declares(write: Write,
                                                                 dialect: str) -> None:
    text = strip_comments(load_cypher("kg.store.cypher", write.cypher, dialect))  # type: ignore[arg-type]
    props, keys, types = _declared(write)
    assert set(_SET.findall(text)) == props
    assert set(_MERGE.findall(text)) == keys
    assert {m[1] for m in _EDGE.findall(text)} == types
    for effect in write.effects:  # the declared coalesces and end-node marks are in the text
        for prop, default in getattr(effect, "kept", ()):
            key = dict(effect.props)[prop]
            assert re.search(rf"coalesce\(row\.{key}, \w+\.{prop}, {_literal(default)}\)", text)
        for prop, value in getattr(effect, "marks_end", ()):
            assert re.search(rf"SET \w+\.{prop} = {_literal(value)}\b", text)


def _literal(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def test_every_property_written_is_in_the_schema() -> None:
    for write in WRITES + STAT_WRITES:
        for effect in write.effects:
            schema = (NODES[effect.label] if isinstance(effect, NodeWrite)
                      else RELATIONSHIPS[effect.type])
            names = {p.name for p in schema.props}
            assert {prop for prop, _ in effect.props} <= names, write.step
    # every node property is written by some step
    written = {(e.label, p) for w in WRITES + STAT_WRITES for e in w.effects
               if isinstance(e, NodeWrite) for p, _ in e.props}
    assert {(n.label, p.name) for n in NODES.values() for p in n.props} == written


def test_store_vocabulary_comes_from_the_schema() -> None:
    assert tuple(NODES) == d.NODE_LABELS
    assert set(d.FIXED_RELATIONSHIP_TYPES) | set(d.assertion_graph_types()) == set(RELATIONSHIPS)
    assert {"hashtags", "feature_prompt_version", "key_action", "score"} <= set(property_keys())


def test_docs_schema_holds_the_generated_tables() -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert markdown_tables() in doc, "regenerate with: python -m kg.schema"
    assert "hashtags (string[])" in doc and "feature_prompt_version" in doc
