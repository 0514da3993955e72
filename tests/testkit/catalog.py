"""Every Cypher text the project can send to Neo4j, for checking with Neo4j's own parser.

:func:`neo4j_queries` collects all ``*.cypher`` files of the project's packages
(except ``*.falkordb.cypher`` variants) and the Neo4j output of every builder in
:mod:`kg.store.dialect` and :mod:`kg.store.neo4j`. The test suite runs them
through ``tools/cypher-lint`` (``@neo4j-cypher/language-support``) and fails on
any error; :func:`lint_schema` is the graph vocabulary handed to the linter.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.schema import property_keys
from kg.store import dialect as d
from kg.store.cypher_files import strip_comments
from kg.store.neo4j import AWAIT_INDEXES_QUERY, CLEAR_QUERY

__all__ = ["CYPHER_PACKAGES", "PROPERTY_KEYS", "lint_schema", "neo4j_queries"]

CYPHER_PACKAGES: tuple[str, ...] = ("kg", "queries", "ingest", "distill")
PROPERTY_KEYS: tuple[str, ...] = property_keys()
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_EMBEDDING_DIM = 384
_SKIP = frozenset({"__pycache__", "node_modules"})


def _package_dirs(package: str) -> list[Path]:
    """Directories of ``package`` (a namespace package may have several)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if spec is None or spec.submodule_search_locations is None:
        return []
    return [Path(p) for p in dict.fromkeys(spec.submodule_search_locations) if Path(p).is_dir()]


def _files(packages: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for package in packages:
        for root in _package_dirs(package):
            for path in sorted(root.rglob("*.cypher")):
                rel = path.relative_to(root)
                if path.name.endswith(".falkordb.cypher") or any(
                        part.startswith(".") or part in _SKIP for part in rel.parts):
                    continue
                found[f"{package}/{rel.as_posix()}"] = strip_comments(
                    path.read_text(encoding="utf-8"))
    return found


def _builders() -> dict[str, str]:
    built: dict[str, str] = {}
    for graph_type, rel in sorted(d.assertion_graph_types().items()):
        built[f"dialect.assertion_edge_query[{graph_type}]"] = d.assertion_edge_query(
            rel.id, rel.domain)
    for i, query in enumerate(d.index_queries("neo4j", _EMBEDDING_DIM)):
        built[f"dialect.index_queries[{i}]"] = query
    built["dialect.vector_query"] = d.vector_query("neo4j")
    built["dialect.fulltext_query"] = d.fulltext_query("neo4j")
    built["neo4j.CLEAR_QUERY"] = CLEAR_QUERY
    built["neo4j.AWAIT_INDEXES_QUERY"] = AWAIT_INDEXES_QUERY
    return built


def neo4j_queries(packages: Iterable[str] = CYPHER_PACKAGES) -> dict[str, str]:
    """Every Cypher text that can reach Neo4j, keyed by where it comes from.

    Args:
        packages: top-level packages searched (recursively) for ``*.cypher`` files;
            packages that are not installed are skipped.

    Returns:
        ``{"kg/store/cypher/posts.cypher": "UNWIND ...", "dialect.vector_query": ...}``.
    """
    return {**_files(packages), **_builders()}


def lint_schema(queries: dict[str, str]) -> dict[str, Any]:
    """The vocabulary the linter checks ``queries`` against (labels, types, keys, params)."""
    params = sorted({p for text in queries.values() for p in _PARAM.findall(text)})
    return {
        "labels": list(d.NODE_LABELS),
        "relationshipTypes": [*d.FIXED_RELATIONSHIP_TYPES, *sorted(d.assertion_graph_types())],
        "propertyKeys": sorted(set(PROPERTY_KEYS)),
        "parameters": params,
    }
