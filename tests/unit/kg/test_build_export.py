"""End-to-end build on hand-written assertions, rebuild caching, exports and the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest
from kgbuild_support import WORDNET, CountingEmbedder, make_assertions
from typer.testing import CliRunner

from kg.build import BuildReport, build_graph, graph_paths
from kg.canon import normalize_intention
from kg.embed import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from kg.export import export_graphml, export_neo4j_import, export_parquet
from kg.io import read_records, write_records
from kg.records import ConceptLink, Intention, IntentionAssertion, MergeRecord
from kg.settings import Settings

PAIRS = Path(__file__).parents[3] / "bench" / "data" / "intention_pairs.tsv"


def _settings(workdir: Path) -> Settings:
    return Settings(workdir=workdir, concepts={"wordnet_dir": WORDNET}
                    if (WORDNET / "data.noun").is_file() else {})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory,
          minilm: SentenceTransformerEmbedder) -> tuple[Path, BuildReport]:
    """One build of the hand-written assertions, shared by the read-only tests."""
    workdir = tmp_path_factory.mktemp("built")
    write_records(workdir / "distill" / "assertions.parquet", make_assertions())
    return workdir, build_graph(workdir, _settings(workdir), embedder=minilm)


def test_build_writes_its_stage_report(built: tuple[Path, BuildReport]) -> None:
    workdir, report = built
    saved = BuildReport.model_validate_json((workdir / "graph" / "report.json").read_text())
    assert saved == report and saved.stage == "graph" and saved.started_at
    assert list(saved.phases) == ["read", "canonicalize", "concepts", "abstract", "write_nodes",
                                  "write_assertions"]


def test_build_merges_near_duplicates_and_keeps_raw_text(
        built: tuple[Path, BuildReport]) -> None:
    workdir, report = built
    paths = graph_paths(workdir)
    intentions = read_records(paths["intentions"], Intention)
    by_text = {i.text: i for i in intentions}
    warm = by_text["keep warm on winter hikes"]
    assert warm.support == 3 and warm.aliases == ["keep warm during winter hikes"]
    assert "keep cool in the summer heat" in by_text  # the antonym stays apart
    assert sum(i.support for i in intentions) == report.assertions == 13
    assert len(warm.embedding or []) == 384
    merges = read_records(paths["merges"], MergeRecord)
    assert len(merges) == report.merges > 0
    # every merge keeps its evidence: the stage and rule that decided it, the candidate floor
    assert all(m.stage == "rules" and m.rule in {"identical", "lemmas", "synonyms", "light"}
               and m.similarity >= m.threshold == 0.55 for m in merges)
    by_member = {m.member_text: m for m in merges}
    assert by_member["keep warm during winter hikes"].canonical_text == "keep warm on winter hikes"
    # another object or a narrower one is not merged ("the phone" / "the phone battery")
    assert "charging the phone" in by_text and "charging the phone battery" in by_text
    assert "protecting the phone" in by_text and "protecting the phone from scratches" in by_text
    edges = read_records(paths["assertions"], IntentionAssertion)
    ids = {i.id for i in intentions}
    assert all(a.intention_id in ids for a in edges)
    assert {a.raw_text for a in edges} >= {"Keep warm on winter hikes",
                                          "because they both are used for protecting the phone"}
    assert any(not a.keep for a in edges)  # rejected assertions stay, keep says so
    if (WORDNET / "data.noun").is_file():
        links = read_records(paths["concept_links"], ConceptLink)
        assert {link.kind for link in links} == {"about", "is_a"}


def test_rebuild_is_deterministic_and_embeds_nothing_new(
        workdir: Path, counting: CountingEmbedder) -> None:
    settings = _settings(workdir)
    build_graph(workdir, settings, embedder=counting)
    first = {n: p.read_bytes() for n, p in graph_paths(workdir).items() if p.exists()}
    texts_before = counting.texts
    report = build_graph(workdir, settings, embedder=counting)
    assert counting.texts == texts_before and report.embedded == 0
    assert report.embedding_cache_hits > 0
    again = {n: p.read_bytes() for n, p in graph_paths(workdir).items() if p.exists()}
    assert {n: pq.read_table(graph_paths(workdir)[n]).to_pylist() for n in first} == \
        {n: pq.read_table(graph_paths(workdir)[n]).to_pylist() for n in again}


def test_higher_threshold_undoes_merges(workdir: Path, counting: CountingEmbedder) -> None:
    settings = _settings(workdir)
    settings.canon.threshold = 0.999
    cached = CachedEmbedder(counting, EmbeddingCache(workdir / "graph" / "embeddings.sqlite"))
    report = build_graph(workdir, settings, embedder=cached)
    assert report.intentions == report.distinct_phrases == 12  # only exact dedupe remains


def test_exports(built: tuple[Path, BuildReport], tmp_path: Path) -> None:
    import shutil

    from kg.evaluation.judgments import Judgment, store_judgments
    from kg.evaluation.layout import EvalPaths
    from kg.records import CoBuy, Post

    workdir = tmp_path / "w"
    shutil.copytree(built[0], workdir)
    assertions = read_records(workdir / "graph" / "assertions.parquet", IntentionAssertion)
    # Subjects must exist as nodes (the store MATCHes them); an export makes no more edges.
    write_records(workdir / "ingest" / "posts.parquet", [
        Post(id=i, source="t", source_id=i, text="x", clean_text="x")
        for i in sorted({a.subject_id for a in assertions if a.subject_kind == "post"})])
    write_records(workdir / "ingest" / "cobuys.parquet", [
        CoBuy(id=i, product_a=f"{i}:a", product_b=f"{i}:b")
        for i in sorted({a.subject_id for a in assertions if a.subject_kind == "cobuy"})])
    judged = next(a for a in assertions if a.relation == "xIntent")
    store_judgments(EvalPaths(workdir).judgments, [Judgment(
        assertion_id=judged.id, annotator="a", plausible=True, project="p")])
    g = nx.read_graphml(export_graphml(workdir, tmp_path / "g.graphml"))
    assert any(d.get("labels") == ":Intention" for _, d in g.nodes(data=True))
    assert any(d.get("labels") == ":Post" for _, d in g.nodes(data=True))
    assert any(d.get("type") == "X_INTENT" for _, _, d in g.edges(data=True))
    names = {p.name for p in export_parquet(workdir, tmp_path / "pq")}
    assert {"nodes_Intention.parquet", "nodes_Post.parquet", "edges_USED_FOR.parquet"} <= names
    command = export_neo4j_import(workdir, tmp_path / "neo")
    assert command.startswith("neo4j-admin database import full ")
    assert "--array-delimiter=U+001F" in command
    with (tmp_path / "neo" / "nodes_Intention.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["id:ID(Intention)", "text:string", "aliases:string[]", "support:int",
                      "abstract:boolean", "embedding:float[]", ":LABEL"]
    with (tmp_path / "neo" / "edges_X_INTENT.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == [":START_ID(Post)", ":END_ID(Intention)"] and rows[0][-1] == ":TYPE"
    assert "keep:boolean" in rows[0] and "plausibility:double" in rows[0]
    assert all(r[-1] == "X_INTENT" for r in rows[1:])
    # the human verdict travels like in `intentkg load`: on the judged edge only
    verdicts = [r[rows[0].index("accepted:boolean")] for r in rows[1:]]
    assert sorted(verdicts) == [""] * (len(verdicts) - 1) + ["true"]


def test_cli_build_and_export(workdir: Path) -> None:
    from intentkg.main import app  # the real root: its error boundary prints `error: ...`

    runner = CliRunner()
    missing = runner.invoke(app, ["build", "--workdir", str(workdir / "nowhere")])
    assert missing.exit_code == 1 and "intentkg distill" in missing.output
    result = runner.invoke(app, ["export", "neo4j-import", "--workdir", str(workdir)])
    assert result.exit_code == 1 and "intentkg build" in result.output


def test_labelled_pairs_file_is_well_formed() -> None:
    with PAIRS.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["text_a", "text_b", "label", "domain", "note"]
    body = rows[1:]
    assert len(body) >= 300
    assert all(len(r) == 5 and r[0].strip() and r[1].strip() for r in body)
    assert {r[2] for r in body} == {"0", "1"} and {r[3] for r in body} == {"post", "cobuy"}
    keys = [(normalize_intention(r[0]), normalize_intention(r[1]), r[3]) for r in body]
    assert len(set(keys)) == len(keys)
    assert ("keep warm", "keep cool", "0") in {(a, b, r[2]) for (a, b, _), r in zip(keys, body,
                                                                                  strict=True)}
