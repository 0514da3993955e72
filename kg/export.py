"""Exports of the built graph: Parquet node/edge tables, GraphML, neo4j-admin CSV.

All three start from :func:`graph_tables`, which applies the writes of
:data:`kg.schema.WRITES` to the rows :mod:`kg.graph_rows` makes of the work dir —
the same rows ``intentkg load`` sends to a store — in memory, with the stores'
MERGE semantics. So an export holds exactly the graph a load builds: the same
labels, relationship types, properties and counts. Columns and their types come
from :mod:`kg.schema`.
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kg.errors import ConfigError
from kg.graph_rows import RowsReport, assertion_rows, step_rows, subject_label
from kg.schema import (
    NODES,
    RELATIONSHIPS,
    STAT_WRITES,
    EdgeWrite,
    NodeWrite,
    Prop,
    assertion_write,
)
from kg.store.answers import AnswerInputs, answer_rows, answers
from kg.store.stats import ConceptMap, IntentionCells, compute_stats, facts_of
from kg.workdir import WorkDir

__all__ = [
    "ARRAY_DELIMITER",
    "GraphTables",
    "export_graphml",
    "export_neo4j_import",
    "export_parquet",
    "graph_tables",
]

log = logging.getLogger(__name__)

ARRAY_DELIMITER = "\x1f"
"""Array delimiter of the neo4j-admin CSV files (U+001F never occurs in text)."""


@dataclass
class GraphTables:
    """Node tables by label (``id`` first) and edge tables by ``(type, start, end)``
    (``start``, ``end`` first); columns in :mod:`kg.schema` order."""

    nodes: dict[str, pa.Table]
    edges: dict[tuple[str, str, str], pa.Table]


class _Graph:
    """Nodes and edges in memory, written with MERGE semantics (what the stores do)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, dict[str, Any]]] = {label: {} for label in NODES}
        self.edges: dict[tuple[str, str, str], dict[tuple[Any, ...], dict[str, Any]]] = {}

    def node(self, write: NodeWrite, row: dict[str, Any]) -> None:
        nodes = self.nodes[write.label]
        node_id = row.get(write.key)
        if node_id is None:
            return
        node = nodes.get(node_id)
        if node is None:
            if not write.create:  # MATCH ... SET: nothing to update
                return
            node = nodes[node_id] = {}
        kept = dict(write.kept)
        for prop, key in write.props:
            value = row.get(key)
            if value is None and prop in kept:  # coalesce(row.p, n.p, default)
                value = node.get(prop)
                value = kept[prop] if value is None else value
            elif prop == "embedding" and value is not None:
                value = np.asarray(value, dtype=np.float32)
            node[prop] = value

    def edge(self, write: EdgeWrite, row: dict[str, Any]) -> None:
        start_id, end_id = row.get(write.start_key), row.get(write.end_key)
        start = next((label for label in write.start if start_id in self.nodes[label]), None)
        if start is None or end_id not in self.nodes[write.end]:
            return  # MATCH finds no end: the stores write no edge either
        rel = RELATIONSHIPS[write.type]
        key = (start_id, end_id, row.get(rel.key) if rel.key else None)
        edge = self.edges.setdefault((write.type, start, write.end), {}).setdefault(key, {})
        edge.update((prop, row.get(k)) for prop, k in write.props)
        self.nodes[write.end][end_id].update(write.marks_end)


def _arrow_type(prop: Prop) -> pa.DataType:
    return {"string": pa.string(), "double": pa.float64(), "long": pa.int64(),
            "int": pa.int64(), "boolean": pa.bool_(), "string[]": pa.list_(pa.string()),
            "float[]": pa.list_(pa.float32())}[prop.type]


def _column(prop: Prop, values: list[Any]) -> pa.Array:
    if prop.type == "float[]":
        return pa.array([None if v is None else v.tolist() for v in values],
                        type=_arrow_type(prop))
    return pa.array(values, type=_arrow_type(prop))


def _table(first: list[tuple[str, list[Any]]], props: tuple[Prop, ...],
           rows: list[dict[str, Any]]) -> pa.Table:
    columns = {name: pa.array(values, type=pa.string()) for name, values in first}
    for prop in props:
        if prop.name not in columns:
            columns[prop.name] = _column(prop, [r.get(prop.name) for r in rows])
    return pa.table(columns)


def graph_tables(workdir: Path) -> GraphTables:
    """The graph ``intentkg load`` would build from ``workdir``, as Arrow tables.

    Raises:
        ConfigError: ``graph/intentions.parquet`` is missing (run ``intentkg build``).
    """
    intentions = WorkDir(workdir).graph("intentions")
    if not intentions.is_file():
        raise ConfigError(f"{intentions} does not exist; run `intentkg build`")
    graph = _Graph()
    report = RowsReport()
    for write, rows in step_rows(workdir, report):
        if write.step == "ABOUT":  # assertion edges load between concepts and links
            for _relation, kind, graph_type, row in assertion_rows(workdir, report):
                graph.edge(assertion_write(graph_type, subject_label(kind)), row)
        for row in rows:
            for effect in write.effects:
                if isinstance(effect, NodeWrite):
                    graph.node(effect, row)
                else:
                    graph.edge(effect, row)
    _add_stats(graph)
    nodes = {}
    for label, by_id in graph.nodes.items():
        if by_id:
            rows = list(by_id.values())
            nodes[label] = _table([("id", list(by_id))], NODES[label].props, rows)
    edges = {}
    for (rel_type, start, end), by_key in sorted(graph.edges.items()):
        keys = list(by_key)
        edges[(rel_type, start, end)] = _table(
            [("start", [k[0] for k in keys]), ("end", [k[1] for k in keys])],
            RELATIONSHIPS[rel_type].props, list(by_key.values()))
    return GraphTables(nodes=nodes, edges=edges)


def _add_stats(graph: _Graph) -> None:
    """The aggregate nodes :func:`kg.store.stats.refresh_stats` adds after a load."""
    assertions: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []
    for (rel_type, start, _end), by_key in graph.edges.items():
        if RELATIONSHIPS[rel_type].key != "id":
            continue
        subjects = graph.nodes[start]
        assertions.extend((s, subjects[s], i, props) for (s, i, _), props in by_key.items())
    about = [(i, c, props.get("score")) for (i, c, _), props in
             graph.edges.get(("ABOUT", "Intention", "Concept"), {}).items()]
    is_a = [(child, parent) for (child, parent, _) in
            graph.edges.get(("IS_A", "Concept", "Concept"), {})]
    rows = compute_stats(facts_of(assertions), about, graph.nodes["Concept"], is_a,
                         answer_rows=lambda by_concept, cells, children: _answer_rows(
                             graph, by_concept, cells, children))
    for write in STAT_WRITES:
        for effect in write.effects:
            assert isinstance(effect, NodeWrite)
            for row in rows[effect.label]:
                graph.node(effect, row)


def _answer_rows(graph: _Graph, by_concept: ConceptMap, cells: Mapping[str, IntentionCells],
                 children: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The ``ConceptAnswer`` nodes a full stats refresh keeps (:mod:`kg.store.answers`),
    with the co-buys read from the graph in memory as ``cobuy_weights`` reads them from a
    store."""
    products_of: dict[str, list[str]] = defaultdict(list)
    for (cobuy, product, _), _props in graph.edges.get(("OF", "CoBuy", "Product"), {}).items():
        products_of[cobuy].append(product)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for (rel_type, start, _end), by_key in graph.edges.items():
        if start != "CoBuy" or RELATIONSHIPS[rel_type].key != "id":
            continue
        for (cobuy, intention, _), props in by_key.items():
            if props.get("relation") is not None and props.get("keep") is not False \
                    and cobuy in products_of:
                score = props.get("filter_score")
                weights[(intention, cobuy)] += 1.0 if score is None else float(score)
    inputs = AnswerInputs(about=by_concept, cells=cells, children=children,
                          names={c: p.get("name") for c, p in graph.nodes["Concept"].items()},
                          products_of=dict(products_of))
    for (intention, cobuy), weight in weights.items():
        inputs.cobuys.setdefault(intention, []).append((cobuy, weight))
    inputs.texts.update({i: (p.get("text"), int(p.get("support") or 0))
                         for i, p in graph.nodes["Intention"].items()})
    inputs.titles.update({i: (p.get("title"), p.get("category"))
                          for i, p in graph.nodes["Product"].items()})
    wanted = dict.fromkeys(set(graph.nodes["Concept"]) | set(by_concept), 0)
    return answer_rows(inputs, answers(inputs, wanted))


def export_parquet(workdir: Path, out_dir: Path) -> list[Path]:
    """Write ``nodes_<Label>.parquet`` and ``edges_<TYPE>[_<Start>].parquet`` files.

    An edge type used from more than one start label gets one file per label.
    """
    tables = graph_tables(workdir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for label, table in sorted(tables.nodes.items()):
        written.append(out_dir / f"nodes_{label}.parquet")
        pq.write_table(table, written[-1])
    for (rel, start, _end), table in sorted(tables.edges.items()):
        written.append(out_dir / f"edges_{_edge_name(tables, rel, start)}.parquet")
        pq.write_table(table, written[-1])
    return written


def _edge_name(tables: GraphTables, rel: str, start: str) -> str:
    starts = {s for (r, s, _e) in tables.edges if r == rel}
    return rel if len(starts) == 1 else f"{rel}_{start}"


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return "" if value is None else value


def export_graphml(workdir: Path, path: Path) -> Path:
    """Write the graph as GraphML for Gephi (lists joined with ``|``, no embeddings).

    Node labels are in the ``labels`` attribute (``:Post``, as APOC writes them), so
    they never clash with a property (posts have a ``label``: the sarcasm label).
    """
    import networkx as nx

    tables = graph_tables(workdir)
    graph = nx.MultiDiGraph()
    for label, table in sorted(tables.nodes.items()):
        for row in table.drop_columns([c for c in ("embedding",)
                                       if c in table.column_names]).to_pylist():
            attrs = {k: _scalar(v) for k, v in row.items() if k != "id"}
            graph.add_node(row["id"], labels=f":{label}", **attrs)
    for (rel, _start, _end), table in sorted(tables.edges.items()):
        for row in table.to_pylist():
            attrs = {k: _scalar(v) for k, v in row.items() if k not in ("start", "end")}
            graph.add_edge(row["start"], row["end"], type=rel, **attrs)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, path)
    return path


def _neo4j_type(label_or_type: str, name: str) -> str:
    schema = NODES.get(label_or_type) or RELATIONSHIPS[label_or_type]
    return next(p.type for p in schema.props if p.name == name)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _write_csv(path: Path, header: list[str], table: pa.Table, tag: tuple[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([*header, tag[0]])
        for batch in table.to_batches(max_chunksize=10000):
            for row in batch.to_pylist():
                writer.writerow([*(_cell(v) for v in row.values()), tag[1]])


def export_neo4j_import(workdir: Path, out_dir: Path, *, database: str = "neo4j") -> str:
    """Write neo4j-admin CSV files into ``out_dir`` and return the import command.

    Node files carry ``id:ID(<Label>)`` and ``:LABEL``; relationship files
    ``:START_ID(<Label>)``, ``:END_ID(<Label>)`` and ``:TYPE``; properties are
    typed (``support:int``, ``aliases:string[]``, ``embedding:float[]``...).
    Arrays use U+001F as delimiter, which the command passes on.
    """
    tables = graph_tables(workdir)
    out_dir.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for label, table in sorted(tables.nodes.items()):
        header = [f"id:ID({label})" if f.name == "id" else
                  f"{f.name}:{_neo4j_type(label, f.name)}" for f in table.schema]
        path = out_dir / f"nodes_{label}.csv"
        _write_csv(path, header, table, (":LABEL", label))
        args.append(f"--nodes={path}")
    for (rel, start, end), table in sorted(tables.edges.items()):
        header = [f":START_ID({start})", f":END_ID({end})"] + [
            f"{f.name}:{_neo4j_type(rel, f.name)}" for f in table.schema
            if f.name not in ("start", "end")]
        path = out_dir / f"edges_{_edge_name(tables, rel, start)}.csv"
        _write_csv(path, header, table, (":TYPE", rel))
        args.append(f"--relationships={path}")
    command = " ".join(["neo4j-admin database import full", *args,
                        "--array-delimiter=U+001F", "--overwrite-destination", database])
    (out_dir / "import_command.txt").write_text(command + "\n", encoding="utf-8")
    return command
