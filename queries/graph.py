"""The neighbourhood of one node as nodes and edges, for drawing (web explorer, exports)."""

from __future__ import annotations

from typing import Literal, get_args

from kg.errors import QueryError
from kg.store import GraphStore
from queries._base import check_page, check_text, read
from queries.models import GraphEdge, GraphNode, Neighbourhood

__all__ = ["NodeKind", "neighbourhood"]

NodeKind = Literal["intention", "concept", "product", "post"]


def neighbourhood(
    store: GraphStore,
    kind: NodeKind,
    node_id: str,
    *,
    include_rejected: bool = False,
    limit: int = 25,
) -> Neighbourhood:
    """Nodes and edges around one node.

    - intention: its concepts and their parents, the posts and co-buys asserting
      it, and those co-buys' products;
    - concept: its parents, children and the intentions about it;
    - product: its co-buys, their other products and their intentions;
    - post: its intentions and their concepts.

    ``limit`` bounds each part separately. A node without edges (or unknown)
    gives a neighbourhood with no edges and the centre alone.

    Raises:
        QueryError: unknown kind or bad limit.
    """
    if kind not in get_args(NodeKind):
        raise QueryError(f"kind must be one of {', '.join(get_args(NodeKind))}, not {kind!r}")
    check_page(0, limit)
    node_id = check_text(node_id, "node id")
    rows = read(store, f"neighbourhood_{kind}",
                {"id": node_id, "include_rejected": include_rejected, "limit": limit})
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str, str], GraphEdge] = {}
    for row in rows:
        for side in ("source", "target"):
            nid = str(row[side])
            if nid not in nodes:
                label = row[f"{side}_label"]
                nodes[nid] = GraphNode(id=nid, kind=row[f"{side}_kind"],
                                       label=str(label) if label is not None else nid)
        key = (str(row["source"]), str(row["target"]), str(row["type"]))
        edges.setdefault(key, GraphEdge(source=key[0], target=key[1], type=key[2],
                                        relation=row["relation"]))
    if node_id not in nodes:
        nodes[node_id] = GraphNode(id=node_id, kind=kind, label=node_id)
    return Neighbourhood(center=node_id, nodes=list(nodes.values()), edges=list(edges.values()))
