"""Abstract intentions through ``build_graph`` and into the embedded store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from kgbuild_support import WORDNET, make_assertions

from kg.build import BuildReport, build_graph, graph_paths
from kg.embed import SentenceTransformerEmbedder
from kg.export import graph_tables
from kg.io import read_records, write_records
from kg.load import load_graph
from kg.records import ConceptLink, Intention, IntentionAssertion
from kg.settings import Settings
from kg.store.falkordb import FalkorStore
from kg.workdir import GRAPH_FILES, WorkDir

pytestmark = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(),
                                reason="Debian wordnet-base is not installed")

EXTRA = [("cobuy:g", "usedFor", "drink coffee"), ("cobuy:h", "usedFor", "drink tea"),
         ("cobuy:i", "usedFor", "drink lemonade"), ("twitter_v1:8", "xWant", "wear a warm hat"),
         ("twitter_v1:9", "xWant", "wear a wool scarf")]
EXPECTED = {"drink beverages": {"drink coffee", "drink tea", "drink lemonade"},
            "wear clothing": {"wear a warm hat", "wear a wool scarf"}}


def _write(workdir: Path, extra: list[tuple[str, str, str]]) -> Path:
    rows = make_assertions()
    for subject, rel, text in extra:
        rows.append(IntentionAssertion(
            id=IntentionAssertion.make_id(subject, rel, text), subject_id=subject,
            subject_kind="post" if subject.startswith("twitter") else "cobuy", relation=rel,
            text=text, raw_text=text, model="test-model", prompt_version="v1"))
    write_records(workdir / "distill" / "assertions.parquet", rows)
    return workdir


def _settings(workdir: Path, **abstract: object) -> Settings:
    return Settings(workdir=workdir, concepts={"wordnet_dir": WORDNET}, abstract=abstract)


def _instance_of(workdir: Path) -> dict[str, set[str]]:
    paths = graph_paths(workdir)
    text = {i.id: i.text for i in read_records(paths["intentions"], Intention)}
    out: dict[str, set[str]] = {}
    for link in read_records(paths["concept_links"], ConceptLink):
        if link.kind == "instance_of":
            out.setdefault(text[link.target_id], set()).add(text[link.source_id])
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory,
          minilm: SentenceTransformerEmbedder) -> tuple[Path, BuildReport]:
    workdir = _write(tmp_path_factory.mktemp("abstract"), EXTRA)
    return workdir, build_graph(workdir, _settings(workdir), embedder=minilm)


def test_build_makes_abstract_intentions(built: tuple[Path, BuildReport]) -> None:
    workdir, report = built
    assert _instance_of(workdir) == EXPECTED  # one per verb; drink and wear never mix
    intentions = read_records(graph_paths(workdir)["intentions"], Intention)
    abstract = {i.text: i for i in intentions if i.abstract}
    assert set(abstract) == set(EXPECTED)
    drink = abstract["drink beverages"]
    assert drink.id == Intention.make_id("drink beverages")
    assert drink.support == 3 and len(drink.embedding or []) == 384
    assert (report.abstract_intentions, report.abstract_reused, report.instance_of_links) == \
        (2, 0, 5)
    assert report.intentions == len(intentions) - 2  # canonical intentions only
    links = [x for x in read_records(graph_paths(workdir)["concept_links"], ConceptLink)
             if x.kind == "instance_of"]
    assert all(0.0 < x.score <= 1.0 for x in links)
    # the Neo4j/GraphML exports see the flag
    nodes = graph_tables(workdir).nodes["Intention"]
    assert sum(nodes.column("abstract").to_pylist()) == 2


def test_rebuild_gives_the_same_abstractions(built: tuple[Path, BuildReport],
                                             minilm: SentenceTransformerEmbedder,
                                             tmp_path: Path) -> None:
    # the first build parsed and searched; a rebuild chooses the senses of cached parses
    # while the candidate search runs, or takes the last candidate pairs
    workdir, first = built
    assert first.parsed > 0 and not first.candidates_cached
    for fresh_search in (True, False):
        copy = shutil.copytree(workdir, tmp_path / f"again-{fresh_search}")
        if fresh_search:
            WorkDir(copy).candidates_cache.unlink()
        report = build_graph(copy, _settings(copy), embedder=minilm)
        assert report.embedded == 0 and report.parsed == 0
        assert report.candidates_cached is not fresh_search
        for name in GRAPH_FILES:
            assert pq.read_table(graph_paths(copy)[name]).to_pylist() == \
                pq.read_table(graph_paths(workdir)[name]).to_pylist()


def test_disabled_or_stricter_settings(built: tuple[Path, BuildReport],
                                       minilm: SentenceTransformerEmbedder,
                                       tmp_path: Path) -> None:
    workdir, _ = built
    copy = shutil.copytree(workdir, tmp_path / "off")
    report = build_graph(copy, _settings(copy, enabled=False), embedder=minilm)
    assert report.abstract_intentions == report.instance_of_links == 0
    assert _instance_of(copy) == {}
    assert not any(i.abstract for i in read_records(graph_paths(copy)["intentions"], Intention))
    build_graph(copy, _settings(copy, min_instances=3), embedder=minilm)
    assert _instance_of(copy) == {"drink beverages": EXPECTED["drink beverages"]}


def test_an_existing_intention_is_reused_as_the_abstraction(
        built: tuple[Path, BuildReport], minilm: SentenceTransformerEmbedder,
        tmp_path: Path) -> None:
    workdir, _ = built
    copy = _write(shutil.copytree(workdir, tmp_path / "reuse"),
                  [*EXTRA, ("cobuy:j", "usedFor", "Drink beverages.")])
    report = build_graph(copy, _settings(copy), embedder=minilm)
    intentions = read_records(graph_paths(copy)["intentions"], Intention)
    drink = [i for i in intentions if i.text == "drink beverages"]
    assert len(drink) == 1 and drink[0].abstract and drink[0].support == 1  # its assertions
    assert _instance_of(copy)["drink beverages"] == EXPECTED["drink beverages"]
    assert report.abstract_reused == 1


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FalkorStore]:
    s = FalkorStore.open(tmp_path / "db", graph="abstract")
    yield s
    s.close()


def test_load_writes_instance_of_edges_and_abstract_nodes(
        built: tuple[Path, BuildReport], store: FalkorStore) -> None:
    workdir, _ = built
    load_graph(store, workdir, batch_size=100)
    rows = store.read("MATCH (i:Intention)-[r:INSTANCE_OF]->(a:Intention) "
                      "RETURN a.text AS a, a.abstract AS abstract, a.support AS support, "
                      "i.text AS i, i.abstract AS inst ORDER BY a, i")
    assert {(r["a"], r["i"]) for r in rows} == {(a, i) for a, ins in EXPECTED.items()
                                                  for i in ins}
    assert all(r["abstract"] is True and r["inst"] is False for r in rows)
    abstract = store.read("MATCH (a:Intention {abstract: true}) RETURN a.text AS t ORDER BY t")
    assert [r["t"] for r in abstract] == sorted(EXPECTED)
    # abstract intentions are embedded, so vector search finds them
    vec = read_records(graph_paths(workdir)["intentions"], Intention)
    query = next(i.embedding for i in vec if i.text == "wear clothing")
    near = store.read("CALL db.idx.vector.queryNodes('IntentionVector', 'embedding', 1, "
                      "vecf32($v)) YIELD node RETURN node.text AS t", {"v": query})
    assert near == [{"t": "wear clothing"}]
    again = load_graph(store, workdir, batch_size=100)
    assert (again.nodes_created, again.relationships_created) == (0, 0)
