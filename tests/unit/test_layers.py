"""Imports flow one way (STYLE.md rule 12): a walk over every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "distill", "kg", "queries", "intentkg")
# The ground floor of ``kg``: what every package may import.
GROUND = frozenset({"kg", "kg.records", "kg.settings", "kg.errors", "kg.ids", "kg.relations",
                    "kg.io", "kg.workdir", "kg.locks", "kg.reports", "kg.imagecheck",
                    "kg.raycluster"})
STORE_PUBLIC = frozenset({"kg.store", "kg.store.search", "kg.store.base"})


def _imports(source: str) -> set[str]:
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _in(name: str, allowed: frozenset[str]) -> bool:
    """``name`` is an allowed module, or a name (not a submodule) taken from one."""
    if name in allowed:
        return True
    parent = name.rsplit(".", 1)[0]
    return parent != name and parent in allowed and not _is_module(name)


def _is_ground(module: str) -> bool:
    return module in GROUND


def upward_imports(module: str, source: str) -> list[str]:
    """Every import in ``source`` (of ``module``) against the layer rule (``module -> target``)."""
    top = module.split(".")[0]
    bad = []
    for target in sorted(_imports(source)):
        target_top = target.split(".")[0]
        if target_top == top and top != "kg":
            continue
        if top == "intentkg":
            continue
        if target_top == "intentkg":
            bad.append(target)
        elif top in ("ingest", "distill"):
            if target_top != "kg" or not _in(target, GROUND):
                bad.append(target)
        elif top == "kg":
            if target_top != "kg" or (_is_ground(module) and not _in(target, GROUND)):
                bad.append(target)
        elif top == "queries" and (target_top != "kg"
                                   or not (_in(target, GROUND) or _in(target, STORE_PUBLIC))):
            bad.append(target)
    return [f"{module} -> {t}" for t in bad]


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_every_package_is_walked() -> None:
    names = {_module_name(p) for p in _modules()}
    assert {"kg.records", "ingest.run", "distill.run", "queries.search", "intentkg.main"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path: Path) -> None:
    assert upward_imports(_module_name(path), path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("kg.load", "from queries.search import search_intentions\nimport kg.build\n",
     ["queries.search", "queries.search.search_intentions"]),
    ("ingest.run", "from kg.build import build_graph\nfrom kg.records import Post\n",
     ["kg.build", "kg.build.build_graph"]),
    ("distill.run", "import ingest\n", ["ingest"]),
    ("kg.records", "from kg.store import open_store\n", ["kg.store", "kg.store.open_store"]),
    ("queries.search", "from kg.store.dialect import vector_query\n",
     ["kg.store.dialect", "kg.store.dialect.vector_query"]),
    ("kg.build", "from intentkg.main import app\n", ["intentkg.main", "intentkg.main.app"]),
    ("intentkg.main", "import ingest, distill, kg.build, queries\n", []),
])
def test_the_walk_catches_upward_imports(module: str, source: str, expected: list[str]) -> None:
    assert upward_imports(module, source) == [f"{module} -> {t}" for t in expected]
