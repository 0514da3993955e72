"""The :class:`GraphStore` protocol every store implements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["DialectName", "GraphStore", "WriteSummary"]

DialectName = Literal["falkordb", "neo4j"]


@dataclass
class WriteSummary:
    """What a batched write changed."""

    rows: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0

    def add(self, other: WriteSummary) -> None:
        """Accumulate ``other`` into this summary."""
        self.rows += other.rows
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set


@runtime_checkable
class GraphStore(Protocol):
    """A property-graph database spoken to in Cypher with parameters only."""

    dialect: DialectName

    def ensure_schema(self, embedding_dim: int | None = None) -> None:
        """Create constraints and indexes (idempotent)."""
        ...

    def write_rows(
        self, query: str, rows: Iterable[Mapping[str, Any]], batch_size: int = 1000
    ) -> WriteSummary:
        """Run ``query`` (which reads ``UNWIND $rows AS row``) over ``rows`` in batches."""
        ...

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Run one write query."""
        ...

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> Sequence[dict[str, Any]]:
        """Run one read-only query and return its rows as dicts keyed by column name."""
        ...

    def clear(self) -> None:
        """Delete every node and relationship (tests and ``--fresh`` runs)."""
        ...

    def checkpoint(self) -> None:
        """Make what was written quick to reopen (the embedded store compacts its
        append-only file into a snapshot; a server database has nothing to do)."""
        ...

    def close(self) -> None:
        """Release connections; an embedded store stops its server when it was the last user."""
        ...
