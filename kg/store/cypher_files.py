"""Cypher texts kept in ``.cypher`` files inside Python packages.

Convention for the whole project: ``name.cypher`` is shared by every dialect;
``name.neo4j.cypher`` and ``name.falkordb.cypher`` are per-dialect variants and
win over the shared file. Lines starting with ``//`` are comments and are
removed before a text is sent to a server.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from kg.errors import StoreError
from kg.store.base import DialectName

__all__ = ["cypher_names", "load_cypher", "strip_comments"]

_DIALECTS: tuple[DialectName, ...] = ("falkordb", "neo4j")


def strip_comments(text: str) -> str:
    """``text`` without whole-line ``//`` comments and blank lines."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln.strip() and not ln.lstrip().startswith("//"))


@lru_cache(maxsize=512)
def load_cypher(package: str, name: str, dialect: DialectName) -> str:
    """Return the Cypher text ``name`` of ``package`` for ``dialect``.

    Args:
        package: dotted package holding the files (``"kg.store.cypher"``).
        name: file name without suffixes (``"posts"``).
        dialect: ``"falkordb"`` or ``"neo4j"``; its variant wins over the shared file.

    Raises:
        StoreError: neither ``name.<dialect>.cypher`` nor ``name.cypher`` exists.
    """
    if dialect not in _DIALECTS:
        raise StoreError(f"unknown Cypher dialect {dialect!r}; expected one of {_DIALECTS}")
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise StoreError(f"Cypher package {package!r} does not exist") from exc
    for candidate in (f"{name}.{dialect}.cypher", f"{name}.cypher"):
        path = root / candidate
        if path.is_file():
            return strip_comments(path.read_text(encoding="utf-8"))
    raise StoreError(f"no Cypher file {name}.cypher or {name}.{dialect}.cypher in package "
                     f"{package}; add it next to that package's other .cypher files")


def cypher_names(package: str) -> list[str]:
    """Names (without suffixes) of every Cypher text in ``package``, sorted."""
    names: set[str] = set()
    for entry in resources.files(package).iterdir():
        if entry.name.endswith(".cypher"):
            stem = entry.name.removesuffix(".cypher")
            for dialect in _DIALECTS:
                stem = stem.removesuffix(f".{dialect}")
            names.add(stem)
    return sorted(names)
