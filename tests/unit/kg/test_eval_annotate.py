"""Annotation round trip (file formats, import errors, judgments beside assertions) and the
quality report, on a small hand-made work dir."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from testkit.annotation import ls_export, make_workdir

from kg.errors import ConfigError
from kg.evaluation.agreement import agreement
from kg.evaluation.annotate import AnnotationError, export_project, parse_export
from kg.evaluation.judgments import (
    Judgment,
    accepted_assertion_ids,
    read_judgments,
    store_judgments,
)
from kg.evaluation.layout import EvalPaths
from kg.evaluation.report import write_report


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path / "w")


def test_export_writes_a_label_studio_project(workdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ls"
    report = export_project(workdir, out, per_relation=2, seed=7)
    assert report.per_relation == {"usedFor": 2, "xIntent": 2, "xReact": 2, "xWant": 2}
    config = ET.fromstring((out / "label_config.xml").read_text())
    names = {el.get("name") for el in config.iter() if el.get("name")}
    assert {"subject", "image", "intention", "plausible", "typical", "comment"} <= names
    tasks = json.loads((out / "tasks.json").read_text())
    assert len(tasks) == 8
    data = next(t["data"] for t in tasks if t["data"]["relation"] == "usedFor")
    assert data["sentence"].startswith('Someone bought "Wool socks" and "Boots" because they '
                                       "both are used for hiking")
    assert data["filter_score"] is not None and data["source"] == "amazon"
    post = next(t["data"] for t in tasks if t["data"]["relation"] == "xReact")
    assert post["sentence"].startswith("After posting this, the user feels xReact thing")
    # the same seed draws the same sample; another seed another project
    again = export_project(workdir, tmp_path / "ls2", per_relation=2, seed=7)
    assert again.project == report.project
    assert export_project(workdir, tmp_path / "ls3", per_relation=2, seed=8).project != \
        report.project


def test_import_stores_judgments_beside_assertions(workdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ls"
    export_project(workdir, out, per_relation=10, seed=0)
    tasks = json.loads((out / "tasks.json").read_text())
    ids = [t["data"]["assertion_id"] for t in tasks]
    verdicts = {aid: [("a@x.org", i % 3 != 0), ("b@x.org", i % 4 != 0)]
                for i, aid in enumerate(ids)}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(ls_export(tasks, verdicts)))
    before = (workdir / "distill" / "assertions.parquet").read_bytes()
    judgments, unannotated = parse_export(export, workdir)
    assert len(judgments) == 2 * len(ids) and unannotated == 0
    total, added, replaced = store_judgments(EvalPaths(workdir).judgments, judgments)
    assert (total, added, replaced) == (2 * len(ids), 2 * len(ids), 0)
    assert (workdir / "distill" / "assertions.parquet").read_bytes() == before
    stored = read_judgments(EvalPaths(workdir).judgments)
    assert {j.comment for j in stored} == {"note 0", "note 1"}
    assert all(j.typical is True for j in stored)
    accepted = accepted_assertion_ids(stored)
    assert accepted == {aid for i, aid in enumerate(ids) if i % 3 != 0 and i % 4 != 0}
    # a second file changes one annotator's verdict and keeps everything else
    verdicts2 = {ids[0]: [("a@x.org", True)]}
    export.write_text(json.dumps(ls_export(tasks[:1], verdicts2)))
    total, added, replaced = store_judgments(EvalPaths(workdir).judgments,
                                             parse_export(export, workdir)[0])
    assert (total, added, replaced) == (2 * len(ids), 0, 1)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda t: t[1]["data"].update(intentkg_project="intentkg-other"),
     r"task 2 \(record 1\): project 'intentkg-other' was not exported"),
    (lambda t: t[0]["data"].update(assertion_id="assertion:nope"),
     r"task 1 \(record 0\): unknown assertion id 'assertion:nope'"),
    (lambda t: t[2]["annotations"][0]["result"].pop(0),
     r"task 3 \(record 2\): annotation 200 lacks the required 'plausible' choice"),
    (lambda t: t[0].pop("data"), r"task 1 \(record 0\): missing field 'data'"),
    (lambda t: t[0]["data"].pop("intentkg_project"),
     r"task 1 \(record 0\): no 'intentkg_project'"),
    (lambda t: t[3]["annotations"][0]["result"][0]["value"].update(choices=["maybe"]),
     r"task 4 \(record 3\): 'plausible' must be one of"),
])
def test_bad_exports_name_the_record_and_store_nothing(
        workdir: Path, tmp_path: Path, mutate: Any, message: str) -> None:
    out = tmp_path / "ls"
    export_project(workdir, out, per_relation=10, seed=0)
    tasks = json.loads((out / "tasks.json").read_text())
    good = ls_export(tasks, {t["data"]["assertion_id"]: [("a@x.org", True)] for t in tasks})
    store_judgments(EvalPaths(workdir).judgments, parse_export(_dump(tmp_path, good),
                                                               workdir)[0])
    before = EvalPaths(workdir).judgments.read_bytes()
    bad = json.loads(json.dumps(good))
    mutate(bad)
    with pytest.raises(AnnotationError, match=message):
        parse_export(_dump(tmp_path, bad), workdir)
    assert EvalPaths(workdir).judgments.read_bytes() == before


def _dump(tmp_path: Path, obj: object) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(obj))
    return path


def test_not_an_export(workdir: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"tasks": []}')
    with pytest.raises(AnnotationError, match="expected a list of tasks"):
        parse_export(path, workdir)
    path.write_text("{")
    with pytest.raises(AnnotationError, match="not a Label Studio JSON export"):
        parse_export(path, workdir)


def test_export_without_assertions_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no assertions to annotate"):
        export_project(tmp_path / "empty", tmp_path / "out")


def test_krippendorff_alpha_by_hand() -> None:
    # 3 units judged twice: T/T, F/T, F/F -> D_o = 2/6, D_e = 2*3*3/(6*5) -> alpha = 4/9
    ag = agreement({"u1": {"a": True, "b": True}, "u2": {"a": False, "b": True},
                    "u3": {"a": False, "b": False}, "u4": {"a": True}})
    assert ag.alpha == pytest.approx(4 / 9)
    assert ag.raw == pytest.approx(2 / 3)
    assert (ag.units, ag.annotators, ag.pairs) == (3, 2, 3)
    assert agreement({"u1": {"a": True, "b": True}, "u2": {"a": True, "b": True}}).alpha is None


def test_report_figures(workdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ls"
    export_project(workdir, out, per_relation=10, seed=0)
    tasks = json.loads((out / "tasks.json").read_text())
    scores = {t["data"]["assertion_id"]: t["data"]["filter_score"] for t in tasks}
    # annotator a accepts co-buy intentions with score >= 0.5 and every xWant; b agrees
    # except on xReact, which b always rejects
    verdicts = {}
    for t in tasks:
        d = t["data"]
        a_ok = d["relation"] == "xWant" or (scores[d["assertion_id"]] or 0) >= 0.5
        b_ok = a_ok and d["relation"] != "xReact"
        verdicts[d["assertion_id"]] = [("a@x.org", a_ok), ("b@x.org", b_ok)]
    store_judgments(EvalPaths(workdir).judgments,
                    parse_export(_dump(tmp_path, ls_export(tasks, verdicts)), workdir)[0])
    report, path = write_report(workdir, tmp_path / "rep", target_precision=0.9)
    assert report.by_relation["xWant"].acceptance == 1.0
    assert report.by_relation["xIntent"].acceptance == 0.0
    assert report.by_relation["usedFor"].acceptance == 0.5
    assert report.by_source["mmsd"].judgments == 24
    assert report.filter_keep_rate == 0.5
    assert report.threshold is not None and report.threshold[0] == pytest.approx(0.5)
    assert report.calibration_points == 20
    # xReact: a said no on all (no score), b too -> full agreement everywhere
    assert report.plausible_agreement.raw == 1.0
    text = path.read_text()
    assert "| xWant | 8 | 1.000 | 1.000 | 0.82 |" in text
    assert "| candidates kept by the filter (MIND) | 0.44 | 0.500 |" in text
    assert (tmp_path / "rep" / "acceptance_by_relation.png").stat().st_size > 1000
    assert (tmp_path / "rep" / "reliability.png").is_file()


def test_judgment_key() -> None:
    j = Judgment(assertion_id="a", annotator="x", plausible=True, project="p")
    assert j.key == ("a", "x")
