"""End to end: every ``intentkg eval`` command on the bundled example (replayed answers).

The work dir is built by the pipeline's own commands (ingest, distill with the demo's
replay file, build); no store is needed. The annotation judgments come from
``examples/demo/annotations.py`` (hand-written verdicts in Label Studio's export format);
tests/integration/test_label_studio.py does the same round trip through a real server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "demo"
RAW = [str(EXAMPLE / "raw" / n) for n in
       ("tweets_v1.jsonl", "tweets_v2.jsonl", "mmsd.txt", "meta_Demo.json")]
pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTENTKG_")}
    env["COLUMNS"] = "200"
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _intentkg(*args: str) -> str:
    return _run("-m", "intentkg", *args).stdout


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wd = tmp_path_factory.mktemp("evaldemo")
    _intentkg("ingest", "auto", *RAW, "-o", str(wd), "--image-map",
              str(EXAMPLE / "images" / "index.json"), "--no-progress")
    _intentkg("distill", "-w", str(wd), "--backend", "replay", "--replay-file",
              str(EXAMPLE / "replay.jsonl"), "--no-progress")
    _intentkg("build", "-w", str(wd))
    return wd


def test_intentionqa_with_and_without_the_graph(workdir: Path) -> None:
    out = _intentkg("eval", "intentionqa", str(EXAMPLE / "intentionqa.jsonl"), "--with-kg",
                    "-w", str(workdir), "--backend", "replay", "--replay-file",
                    str(EXAMPLE / "intentionqa_replay.jsonl"))
    # examples/demo/make_intentionqa_replay.py: 5 of 8 right without (one unparsed),
    # 7 of 8 with the graph's intentions, which every question gets
    assert "IntentionQA accuracy: 0.625 (5/8)" in out and "unparsed answers: 1" in out
    assert "with the graph's intentions: 0.875 (7/8) (8 questions had graph context)" in out
    assert "difference (with KG - without), paired bootstrap: +0.250" in out
    assert "| task 2 | 0.500 (2/4) | 0.750 (3/4) |" in out


def test_sarcasm_on_the_mmsd_posts(workdir: Path) -> None:
    out = _intentkg("eval", "sarcasm", "-w", str(workdir))
    assert "sarcasm: 6 labelled posts (6 with intentions)" in out
    assert "train 4, test 2" in out
    assert "text only:" in out and "accuracy" in out and "F1" in out
    assert "note: only 2 test posts" in out
    saved = json.loads((workdir / "eval" / "sarcasm.json").read_text())
    assert saved["test"] == 2 and 0.0 <= saved["accuracy_text"] <= 1.0


def test_annotation_round_trip_and_report(workdir: Path, tmp_path: Path) -> None:
    ls_dir = tmp_path / "ls"
    out = _intentkg("eval", "annotate", "export", "-w", str(workdir), "--out", str(ls_dir),
                    "--per-relation", "2", "--seed", "0")
    assert "wrote 45 tasks over 24 relations" in out
    export = tmp_path / "export.json"
    _run(str(EXAMPLE / "annotations.py"), str(ls_dir / "tasks.json"), str(export))
    out = _intentkg("eval", "annotate", "import", str(export), "-w", str(workdir))
    assert "imported 90 judgments from 2 annotator(s): 90 new" in out
    assert "acceptance (plausible) in this file: 0.811 (73/90)" in out
    # judgments sit beside the assertions and survive a rebuild
    _intentkg("build", "-w", str(workdir))
    report_dir = tmp_path / "report"
    out = _intentkg("eval", "report", "-w", str(workdir), "--out", str(report_dir))
    assert "acceptance 0.811 over 90 judgments of 45 assertions" in out
    assert "Krippendorff's alpha 0.498, raw 0.844" in out
    text = (report_dir / "report.md").read_text()
    assert "| overall acceptance (MIKO) | 0.76 | 0.811 |" in text
    assert "## IntentionQA" in text or "## Sarcasm" in text
    assert (report_dir / "acceptance_by_relation.png").stat().st_size > 5000
    # a file from another work dir's project is refused, and nothing is lost
    data = json.loads(export.read_text())
    data[3]["data"]["intentkg_project"] = "intentkg-0000"
    export.write_text(json.dumps(data))
    before = (workdir / "eval" / "judgments.parquet").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "intentkg", "eval", "annotate", "import",
                           str(export), "-w", str(workdir)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 1
    assert "task 4 (record 3): project 'intentkg-0000' was not exported" in proc.stderr
    assert (workdir / "eval" / "judgments.parquet").read_bytes() == before
