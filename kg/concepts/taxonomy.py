"""The concept taxonomy in memory (networkx): ancestors, descendants, LCH, export.

Edges point from the more specific concept to the more general one
(``child -> parent``), as ``IS_A`` does in the graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg.records import Concept, ConceptLink

__all__ = ["Taxonomy"]


class Taxonomy:
    """IS_A hierarchy of :class:`~kg.records.Concept` nodes.

    Args:
        concepts: the nodes (their fields become node attributes).
        links: links of any kind; only ``is_a`` ones are used.
    """

    def __init__(self, concepts: Iterable[Concept], links: Iterable[ConceptLink]) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()
        for c in concepts:
            self.graph.add_node(c.id, name=c.name, source=c.source, synset=c.synset or "",
                                gloss=c.gloss or "")
        for link in links:
            if link.kind == "is_a":
                self.graph.add_edge(link.source_id, link.target_id, score=link.score)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.graph

    def __len__(self) -> int:
        return int(self.graph.number_of_nodes())

    def parents(self, concept_id: str) -> list[str]:
        """Direct hypernyms of ``concept_id``, sorted."""
        return sorted(self.graph.successors(concept_id))

    def ancestors(self, concept_id: str) -> set[str]:
        """Every concept above ``concept_id``."""
        return set(nx.descendants(self.graph, concept_id))

    def descendants(self, concept_id: str) -> set[str]:
        """Every concept below ``concept_id``."""
        return set(nx.ancestors(self.graph, concept_id))

    def lowest_common_hypernym(self, a: str, b: str) -> str | None:
        """The common ancestor (or self) of ``a`` and ``b`` closest to both.

        Closest means the smallest sum of IS_A steps from ``a`` and from ``b``;
        ties go to the smaller id. ``None`` when they share nothing.
        """
        da = nx.single_source_shortest_path_length(self.graph, a)
        db = nx.single_source_shortest_path_length(self.graph, b)
        common = set(da) & set(db)
        if not common:
            return None
        return str(min(common, key=lambda c: (da[c] + db[c], c)))

    def name(self, concept_id: str) -> str:
        """The concept's name."""
        return str(self.graph.nodes[concept_id].get("name", concept_id))

    def to_graphml(self, path: Path) -> Path:
        """Write the taxonomy as GraphML (Gephi, yEd)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(self.graph, path)
        return path

    def to_json(self, path: Path) -> Path:
        """Write the taxonomy as node-link JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = nx.node_link_data(self.graph, edges="edges")
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        return path
