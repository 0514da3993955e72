"""load_graph on a real embedded FalkorDB: everything lands, re-loading creates nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.io import write_records
from kg.load import load_graph
from kg.locks import DirLock, LockedError
from kg.records import (
    CoBuy,
    Concept,
    ConceptLink,
    ImageDescription,
    ImageRef,
    Intention,
    IntentionAssertion,
    KeyInfo,
    Post,
    Product,
)
from kg.store.falkordb import FalkorStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorStore]:
    s = FalkorStore.open(tmp_path_factory.mktemp("load") / "db", graph="load")
    yield s
    s.close()


def assertion(subject: str, kind: str, relation: str, text: str,
              intention: Intention | None) -> IntentionAssertion:
    return IntentionAssertion(
        id=IntentionAssertion.make_id(subject, relation, text), subject_id=subject,
        subject_kind=kind, relation=relation, text=text, raw_text=f'"{text}"', model="m",
        prompt_version="v1", intention_id=intention.id if intention else None)  # type: ignore[arg-type]


def make_workdir(root: Path) -> Path:
    img = ImageRef(uri="https://example.org/a.jpg", sha256="abc", status="ok")
    post = Post(id="twitter:1", source="twitter", source_id="1", text="Cold hike! #winter",
                clean_text="Cold hike! winter", images=[img])
    products = [Product(id="B1", title="wool socks", price=9.5,
                        images=[ImageRef(uri="/p/b1.jpg")]),
                Product(id="B2", title="boots")]
    cobuy = CoBuy.of("B2", "B1")
    warm = Intention(id=Intention.make_id("keep warm"), text="keep warm", aliases=["stay warm"],
                     support=2, embedding=[1.0, 0.0, 0.0])
    hike = Intention(id=Intention.make_id("go hiking"), text="go hiking",
                     embedding=[0.0, 1.0, 0.0])
    warmth = Concept(id=Concept.make_id("wordnet", "warmth.n.01"), name="warmth",
                     source="wordnet", synset="warmth.n.01")
    heat = Concept(id=Concept.make_id("wordnet", "heat.n.01"), name="heat", source="wordnet")
    write_records(root / "ingest/posts.parquet", [post])
    write_records(root / "ingest/products.parquet", products)
    write_records(root / "ingest/cobuys.parquet", [cobuy])
    write_records(root / "distill/key_info.parquet",
                  [KeyInfo(subject_id=post.id, concept="winter", keywords=["cold", "hike"])])
    write_records(root / "distill/image_descriptions.parquet", [
        ImageDescription(subject_id=post.id, image_id=img.id, description="snowy trail",
                         model="vlm", prompt_version="v1"),
        ImageDescription(subject_id="B1", image_id=None, description="thick wool socks",
                         model="vlm", prompt_version="v1")])
    write_records(root / "graph/intentions.parquet", [warm, hike])
    write_records(root / "graph/concepts.parquet", [warmth, heat])
    write_records(root / "graph/concept_links.parquet", [
        ConceptLink(kind="about", source_id=warm.id, target_id=warmth.id, score=0.9),
        ConceptLink(kind="is_a", source_id=warmth.id, target_id=heat.id),
        ConceptLink(kind="instance_of", source_id=warm.id, target_id=hike.id, score=0.5)])
    write_records(root / "graph/assertions.parquet", [
        assertion(post.id, "post", "xIntent", "keep warm", warm),
        assertion(post.id, "post", "xWant", "go hiking", hike),
        assertion(post.id, "post", "xNeed", "stay warm", warm),
        assertion(cobuy.id, "cobuy", "usedFor", "keep warm", warm),
        assertion(cobuy.id, "cobuy", "usedFor", "go hiking", None)])
    return root


def test_load_then_reload_creates_nothing(store: FalkorStore, tmp_path: Path) -> None:
    store.clear()
    workdir = make_workdir(tmp_path / "work")
    first = load_graph(store, workdir, batch_size=2)
    assert first.skipped_files == []
    stats = {k: v for k, v in first.steps.items() if k.startswith("stats:")}
    assert set(stats) == {"stats:IntentionStat", "stats:ConceptStat", "stats:ConceptAnswer",
                          "stats:GraphStat"}
    assert all(v.nodes_created == v.rows > 0 for v in stats.values())  # aggregates
    assert first.nodes_created - sum(v.nodes_created for v in stats.values()) == (
        1 + 2 + 1 + 2 + 2 + 2)  # post, products, cobuy, images, ...
    assert first.steps["assertions:X_INTENT"].relationships_created == 1
    assert first.steps["assertions:USED_FOR"].relationships_created == 2
    assert first.unlinked_assertions == 1
    assert first.relationships_created == 2 + 2 + 5 + 3  # OF, HAS_IMAGE, assertions, links
    second = load_graph(store, workdir, batch_size=3)
    assert (second.nodes_created, second.relationships_created) == (0, 0)
    assert all(second.steps[k].rows == 0 for k in stats)  # nothing changed, nothing written
    assert second.rows == first.rows - sum(v.rows for v in stats.values())

    rows = store.read("MATCH (p:Post)-[:HAS_IMAGE]->(i:Image) RETURN p.key_concept AS c, "
                      "p.keywords AS k, i.description AS d")
    assert rows == [{"c": "winter", "k": ["cold", "hike"], "d": "snowy trail"}]
    feat = store.read("MATCH (p:Product {id: 'B1'}) RETURN p.feature_description AS f")
    assert feat == [{"f": "thick wool socks"}]
    chain = store.read("MATCH (:CoBuy)-[:USED_FOR]->(i:Intention)-[:ABOUT]->(:Concept)"
                       "-[:IS_A]->(c:Concept) RETURN i.text AS i, c.name AS c")
    assert chain == [{"i": "keep warm", "c": "heat"}]
    abstract = store.read("MATCH (i:Intention {abstract: true}) RETURN i.text AS t")
    assert abstract == [{"t": "go hiking"}]
    near = store.read("CALL db.idx.vector.queryNodes('IntentionVector', 'embedding', 1, "
                      "vecf32($v)) YIELD node RETURN node.text AS t", {"v": [0.9, 0.1, 0.0]})
    assert near == [{"t": "keep warm"}]


def test_missing_files_are_skipped(store: FalkorStore, tmp_path: Path) -> None:
    store.clear()
    report = load_graph(store, tmp_path, batch_size=10)
    assert report.rows == 0
    assert "ingest/posts.parquet" in report.skipped_files
    assert "graph/assertions.parquet" in report.skipped_files
    assert store.read("MATCH (n) RETURN count(n) AS c") == [{"c": 0}]


def test_load_writes_its_stage_report_and_reports_progress(store: FalkorStore,
                                                         tmp_path: Path) -> None:
    import json

    from kg.workdir import WorkDir

    seen: list[tuple[str, int]] = []

    class Recorder:
        def stage(self, name: str, total: int | None = None) -> None:
            seen.append((name, 0))

        def advance(self, n: int = 1) -> None:
            seen.append(("advance", n))

        def close(self) -> None:
            seen.append(("close", 0))

    report = load_graph(store, tmp_path, batch_size=10, progress=Recorder())
    saved = json.loads(WorkDir(tmp_path).report("load").read_text())
    assert saved["stage"] == "load" and saved["started_at"] and saved["seconds"] >= 0
    assert saved["skipped_files"] == report.skipped_files
    assert seen[0] == ("load", 0) and seen[-1] == ("close", 0)


def test_a_second_load_of_one_work_dir_is_refused(store: FalkorStore, tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    with DirLock(workdir / "load", "load"), pytest.raises(LockedError, match="another `load`"):
        load_graph(store, workdir, batch_size=2)


def _accepted(store: FalkorStore) -> dict[str, bool | None]:
    rows = store.read("MATCH (:Post)-[r]->(:Intention) WHERE r.relation IS NOT NULL "
                      "RETURN r.relation AS rel, r.accepted AS ok")
    return {row["rel"]: row["ok"] for row in rows}


def test_judgments_land_on_assertion_edges_idempotently(store: FalkorStore,
                                                        tmp_path: Path) -> None:
    from kg.evaluation.judgments import Judgment, store_judgments
    from kg.evaluation.layout import EvalPaths

    store.clear()
    workdir = make_workdir(tmp_path / "work")
    post = "twitter:1"
    intent = IntentionAssertion.make_id(post, "xIntent", "keep warm")
    want = IntentionAssertion.make_id(post, "xWant", "go hiking")

    def judge(assertion_id: str, annotator: str, plausible: bool) -> Judgment:
        return Judgment(assertion_id=assertion_id, annotator=annotator, plausible=plausible,
                        project="p1")

    path = EvalPaths(workdir).judgments
    store_judgments(path, [judge(intent, "a", True), judge(intent, "b", True),
                           judge(want, "a", True), judge(want, "b", False),  # a tie
                           judge("assertion:gone", "a", True)])  # no such assertion
    first = load_graph(store, workdir, batch_size=2)
    assert first.judged_assertions == 2
    assert _accepted(store) == {"xIntent": True, "xWant": False, "xNeed": None}
    assert store.read("MATCH (:CoBuy)-[r]->(:Intention) WHERE r.accepted IS NOT NULL "
                      "RETURN count(r) AS n") == [{"n": 0}]

    second = load_graph(store, workdir, batch_size=3)  # the same rows and judgments
    assert (second.nodes_created, second.relationships_created) == (0, 0)
    assert all(v.rows == 0 for k, v in second.steps.items() if k.startswith("stats:"))
    assert all(v.properties_set == 0 for k, v in second.steps.items()
               if k.startswith("assertions:"))
    assert _accepted(store) == {"xIntent": True, "xWant": False, "xNeed": None}

    store_judgments(path, [judge(want, "c", True)])  # a third annotator breaks the tie
    third = load_graph(store, workdir, batch_size=2)
    assert (third.nodes_created, third.relationships_created) == (0, 0)
    assert third.steps["assertions:X_WANT"].properties_set == 1
    assert all(v.rows == 0 for k, v in third.steps.items() if k.startswith("stats:"))
    assert _accepted(store) == {"xIntent": True, "xWant": True, "xNeed": None}

    path.unlink()  # judgments gone: the edges are unjudged again
    load_graph(store, workdir, batch_size=2)
    assert _accepted(store) == {"xIntent": None, "xWant": None, "xNeed": None}
