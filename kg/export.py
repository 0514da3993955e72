"""Exports of the built graph: Parquet node/edge tables, GraphML, neo4j-admin CSV.

All three start from :func:`graph_tables`, which reads the work dir's Parquet
files into one Arrow table per node label (``id`` first) and per relationship
type and start label (``start``, ``end`` first). Labels and types come from
docs/schema.md and :mod:`kg.relations` only.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kg.errors import ConfigError
from kg.relations import REGISTRY

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

_EDGE_PROPS = ("id", "relation", "text", "raw_text", "rationale", "plausibility", "typicality",
               "filter_score", "filter_reason", "keep", "model", "prompt_version",
               "image_description")


@dataclass
class GraphTables:
    """Node tables by label and edge tables by ``(type, start label, end label)``."""

    nodes: dict[str, pa.Table]
    edges: dict[tuple[str, str, str], pa.Table]


def _read(path: Path, columns: list[str] | None = None) -> pa.Table | None:
    if not path.is_file():
        return None
    table = pq.read_table(path)
    if columns is not None:
        table = table.select([c for c in columns if c in table.column_names])
    return table


def _edge(table: pa.Table, start: str, end: str, props: Iterable[str] = ()) -> pa.Table:
    cols = {"start": table.column(start), "end": table.column(end)}
    for p in props:
        if p in table.column_names:
            cols[p] = table.column(p)
    return pa.table(cols)


def graph_tables(workdir: Path) -> GraphTables:
    """Read the graph (and ingest) files of ``workdir`` into Arrow tables.

    Raises:
        ConfigError: ``graph/intentions.parquet`` is missing (run ``intentkg build``).
    """
    g, ing = workdir / "graph", workdir / "ingest"
    intentions = _read(g / "intentions.parquet")
    if intentions is None:
        raise ConfigError(f"{g / 'intentions.parquet'} does not exist; run `intentkg build`")
    if "abstract" not in intentions.column_names:
        intentions = intentions.append_column(
            "abstract", pa.array([False] * intentions.num_rows, pa.bool_()))
    nodes: dict[str, pa.Table] = {"Intention": intentions}
    edges: dict[tuple[str, str, str], pa.Table] = {}
    concepts = _read(g / "concepts.parquet")
    if concepts is not None:
        nodes["Concept"] = concepts
    links = _read(g / "concept_links.parquet")
    if links is not None:
        for kind, rel, end in (("about", "ABOUT", "Concept"), ("is_a", "IS_A", "Concept"),
                               ("instance_of", "INSTANCE_OF", "Intention")):
            part = links.filter(pc.equal(links.column("kind"), kind))
            if part.num_rows:
                start = "Intention" if kind != "is_a" else "Concept"
                edges[(rel, start, end)] = _edge(part, "source_id", "target_id", ["score"])
    posts = _read(ing / "posts.parquet", ["id", "source", "source_id", "text", "clean_text",
                                          "lang", "created_at", "author", "label"])
    if posts is not None:
        nodes["Post"] = posts
    products = _read(ing / "products.parquet", ["id", "title", "category", "brand", "price",
                                                "description"])
    if products is not None:
        nodes["Product"] = products
    cobuys = _read(ing / "cobuys.parquet", ["id", "product_a", "product_b", "source",
                                            "category"])
    if cobuys is not None:
        nodes["CoBuy"] = cobuys.select(["id", "source", "category"])
        edges[("OF", "CoBuy", "Product")] = pa.concat_tables(
            [_edge(cobuys, "id", "product_a"), _edge(cobuys, "id", "product_b")])
    assertions = _read(g / "assertions.parquet")
    if assertions is not None:
        for relation in REGISTRY.values():
            for kind, label in (("post", "Post"), ("cobuy", "CoBuy")):
                mask = pc.and_(pc.equal(assertions.column("relation"), relation.id),
                               pc.equal(assertions.column("subject_kind"), kind))
                part = assertions.filter(mask)
                if part.num_rows:
                    edges[(relation.graph_type, label, "Intention")] = _edge(
                        part, "subject_id", "intention_id", _EDGE_PROPS)
    _stub_missing_subjects(nodes, edges)
    return GraphTables(nodes=nodes, edges=edges)


def _stub_missing_subjects(nodes: dict[str, pa.Table],
                           edges: dict[tuple[str, str, str], pa.Table]) -> None:
    # Edges whose start label has no ingest file still need their nodes (ids only).
    for label in sorted({s for (_r, s, _e) in edges} - set(nodes)):
        ids = pa.concat_arrays([t.column("start").combine_chunks()
                                for (_r, s, _e), t in sorted(edges.items()) if s == label])
        nodes[label] = pa.table({"id": pc.unique(ids)})


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
    """Write the graph as GraphML for Gephi (lists joined with ``|``, no embeddings)."""
    import networkx as nx

    tables = graph_tables(workdir)
    graph = nx.MultiDiGraph()
    for label, table in sorted(tables.nodes.items()):
        for row in table.drop_columns([c for c in ("embedding",)
                                       if c in table.column_names]).to_pylist():
            attrs = {k: _scalar(v) for k, v in row.items() if k != "id"}
            graph.add_node(row["id"], label=label, **attrs)
    for (rel, _start, _end), table in sorted(tables.edges.items()):
        for row in table.to_pylist():
            attrs = {k: _scalar(v) for k, v in row.items() if k not in ("start", "end")}
            graph.add_edge(row["start"], row["end"], type=rel, **attrs)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, path)
    return path


_NULL_TYPES = {"plausibility": "double", "typicality": "double", "filter_score": "double",
               "price": "double", "score": "double", "support": "int", "keep": "boolean",
               "abstract": "boolean", "aliases": "string[]", "embedding": "float[]"}


def _neo4j_type(field: pa.Field) -> str:
    t = field.type
    if pa.types.is_null(t):  # an all-null column: type it from the schema's field name
        return _NULL_TYPES.get(field.name, "string")
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        inner = t.value_type
        base = ("float" if pa.types.is_floating(inner) else
                "long" if pa.types.is_integer(inner) else "string")
        return f"{base}[]"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "int" if field.name == "support" else "long"
    if pa.types.is_floating(t):
        return "float" if field.name == "embedding" else "double"
    return "string"


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
        header = [f"id:ID({label})" if f.name == "id" else f"{f.name}:{_neo4j_type(f)}"
                  for f in table.schema]
        path = out_dir / f"nodes_{label}.csv"
        _write_csv(path, header, table, (":LABEL", label))
        args.append(f"--nodes={path}")
    for (rel, start, end), table in sorted(tables.edges.items()):
        header = [f":START_ID({start})", f":END_ID({end})"] + [
            f"{f.name}:{_neo4j_type(f)}" for f in table.schema if f.name not in ("start", "end")]
        path = out_dir / f"edges_{_edge_name(tables, rel, start)}.csv"
        _write_csv(path, header, table, (":TYPE", rel))
        args.append(f"--relationships={path}")
    command = " ".join(["neo4j-admin database import full", *args,
                        "--array-delimiter=U+001F", "--overwrite-destination", database])
    (out_dir / "import_command.txt").write_text(command + "\n", encoding="utf-8")
    return command
