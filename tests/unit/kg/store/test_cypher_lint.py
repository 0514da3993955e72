"""Every Cypher text the project can send to Neo4j passes Neo4j's own parser.

Runs ``tools/cypher-lint/lint.mjs`` (``@neo4j-cypher/language-support``) once for
all texts. Skips when Node or ``node_modules`` is missing, except on CI
(``CI=true``), where a missing linter is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from testkit.catalog import lint_schema, neo4j_queries

LINT_DIR = Path(__file__).resolve().parents[4] / "tools" / "cypher-lint"


def _node() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed (apt-get install nodejs)"
    elif not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        problem = f"run `npm ci` in {LINT_DIR} (or `make setup`)"
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the Cypher linter must run on CI: {problem}")
        pytest.skip(f"Cypher linter unavailable: {problem}")
    assert node is not None
    return node


def lint(queries: dict[str, str], schema: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    lines = [json.dumps({"schema": schema})]
    lines += [json.dumps({"name": name, "query": text}) for name, text in queries.items()]
    done = subprocess.run([_node(), "lint.mjs"], cwd=LINT_DIR, input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [r["name"] for r in results] == list(queries)
    return {r["name"]: r["diagnostics"] for r in results}


def test_catalog_covers_files_and_builders() -> None:
    queries = neo4j_queries()
    names = set(queries)
    assert "kg/store/cypher/posts.cypher" in names
    assert "kg/store/cypher/intentions.neo4j.cypher" in names
    assert not [n for n in names if n.endswith(".falkordb.cypher")]
    assert "dialect.assertion_edge_query[X_INTENT]" in names
    assert "dialect.assertion_edge_query[USED_FOR]" in names
    assert all(text.strip() for text in queries.values())


def test_every_neo4j_query_parses() -> None:
    queries = neo4j_queries()
    results = lint(queries, lint_schema(queries))
    errors = {name: [f"{d['message']} (line {d['line']}, col {d['character']})"
                     for d in diags if d["severity"] == 1]
              for name, diags in results.items()}
    errors = {name: errs for name, errs in errors.items() if errs}
    assert not errors, "Neo4j's parser rejects:\n" + "\n".join(
        f"{name}: {errs}\n  {queries[name]}" for name, errs in errors.items())


def test_linter_reports_broken_queries() -> None:
    queries = {"broken": "UNWIND $rows AS row MERGE (p:Post {id: row.id)",
               "undeclared": "MATCH (p:Post) RETURN $nope",
               "falkordb_only": "CALL db.idx.vector.queryNodes('Intention', 'embedding', 3, "
                                "vecf32($vector)) YIELD node RETURN node",
               "fine": "UNWIND $rows AS row MERGE (p:Post {id: row.id})"}
    results = lint(queries, {"labels": ["Post"], "parameters": ["rows", "vector"],
                             "propertyKeys": ["id"]})
    for name in ("broken", "undeclared", "falkordb_only"):
        assert any(d["severity"] == 1 for d in results[name]), name
    assert results["fine"] == []
