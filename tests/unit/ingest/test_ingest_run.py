"""run_ingest end to end on fixtures: outputs, idempotence, merging, co-buy policy, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest import iter_cobuys, iter_posts, iter_products, read_report, run_ingest
from kg.errors import IngestError
from kg.records import CoBuy, Post, Product

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def test_outputs_validate_and_rerun_is_idempotent(tmp_path: Path) -> None:
    inputs = [FIX / "amazon2018.json", FIX / "tweets_v1.jsonl", FIX / "mmsd.txt"]
    report = run_ingest("auto", inputs, tmp_path)
    assert report.written == {"posts": 6, "products": 3, "cobuys": 2}
    assert report.skipped == {"malformed": 2, "not_a_record": 2, "duplicate_cobuys": 1}
    assert report.problems[0].startswith(f"{FIX / 'amazon2018.json'}:3: malformed: ")
    posts = list(iter_posts(tmp_path))
    assert all(isinstance(p, Post) for p in posts) and len(posts) == 6
    assert all(isinstance(p, Product) for p in iter_products(tmp_path))
    first = sorted(p.id for p in posts)
    again = run_ingest("auto", inputs, tmp_path)
    assert again.total == {"posts": 6, "products": 3, "cobuys": 2}
    assert sorted(p.id for p in iter_posts(tmp_path)) == first
    assert read_report(tmp_path).total == again.total
    saved = json.loads((tmp_path / "ingest" / "report.json").read_text())
    assert saved["read"]["posts"] == 6
    # the stage contract: a StageReport with its stage and clock
    assert saved["stage"] == "ingest" and saved["started_at"] and saved["seconds"] >= 0


class _Recorder:
    """A kg.reports.Progress that remembers what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.calls.append(("stage", name))

    def advance(self, n: int = 1) -> None:
        self.calls.append(("advance", n))

    def close(self) -> None:
        self.calls.append(("close", None))


def test_progress_is_told_every_item_read(tmp_path: Path) -> None:
    progress = _Recorder()
    report = run_ingest("auto", [FIX / "amazon2018.json", FIX / "mmsd.txt"], tmp_path,
                        progress=progress)
    assert progress.calls[0] == ("stage", "ingest") and progress.calls[-1] == ("close", None)
    told = sum(n for what, n in progress.calls if what == "advance" and isinstance(n, int))
    # every item a reader yielded: the records read, and the problems (bad lines)
    of_records = ("duplicate", "self_pair", "unknown_product", "sampled_out")
    problems = sum(n for reason, n in report.skipped.items() if not reason.startswith(of_records))
    assert problems > 0 and told == sum(report.read.values()) + problems


def test_several_inputs_merge_by_id(tmp_path: Path) -> None:
    run_ingest("amazon2023", [FIX / "amazon2023.jsonl"], tmp_path)
    report = run_ingest("intentionqa", [FIX / "intentionqa.jsonl"], tmp_path)
    # the same two ASINs: the later run's records replace the earlier ones
    assert report.total["products"] == 2 and report.total["cobuys"] == 1
    socks = {p.id: p for p in iter_products(tmp_path)}["B0SOCKS001"]
    assert socks.source == "intentionqa"
    assert report.skipped == {"duplicate_products": 2, "duplicate_cobuys": 1}
    run_ingest("mmsd", [FIX / "mmsd.txt"], tmp_path)
    assert len(list(iter_products(tmp_path))) == 2  # untouched by a posts-only run


def test_cobuy_policy(tmp_path: Path) -> None:
    inputs = [FIX / "folkscope_products.tsv", FIX / "folkscope_pairs.tsv"]
    kept = run_ingest("auto", inputs, tmp_path / "a")
    assert kept.skipped == {"duplicate_cobuys": 1, "self_pair": 1}
    assert kept.unknown_product_pairs == 1 and kept.written["cobuys"] == 2
    dropped = run_ingest("auto", inputs, tmp_path / "b", keep_unknown_pairs=False)
    assert dropped.written["cobuys"] == 1
    assert dropped.skipped["unknown_product"] == 1


def test_cobuy_sampling_is_deterministic(tmp_path: Path) -> None:
    src = FIX / "amazon2014.json"
    one = run_ingest("amazon2014", [src], tmp_path / "a", sample_per_category=1, seed=7)
    two = run_ingest("amazon2014", [src], tmp_path / "b", sample_per_category=1, seed=7)
    assert one.written["cobuys"] == two.written["cobuys"] == 1
    assert one.skipped["sampled_out"] == 1 and one.skipped["self_pair"] == 1
    ids_a = sorted(c.id for c in iter_cobuys(tmp_path / "a"))
    assert ids_a == sorted(c.id for c in iter_cobuys(tmp_path / "b"))
    assert all(isinstance(c, CoBuy) for c in iter_cobuys(tmp_path / "a"))


def test_local_images_resolved(tmp_path: Path) -> None:
    report = run_ingest("miko", [FIX / "miko.json"], tmp_path)
    assert report.images == {"ok": 1, "missing": 1, "not_downloaded": 1}
    p1 = next(p for p in iter_posts(tmp_path) if p.id == "miko:p1")
    assert p1.images[0].status == "ok"
    assert Path(p1.images[0].local_path or "").is_file()


def test_nothing_readable_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("['1', 'a', 'b', 'c', 'd', 'e']\n")
    with pytest.raises(IngestError, match="no record could be read"):
        run_ingest("mmsd", [bad], tmp_path / "w")
    with pytest.raises(IngestError, match="input file not found"):
        run_ingest("mmsd", [tmp_path / "absent.txt"], tmp_path / "w")


def _app() -> typer.Typer:
    from intentkg.main import app  # the real root: its error boundary prints `error: ...`

    return app


def test_cli_reports_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(_app(), ["ingest", "auto", str(FIX / "tweets_v2.jsonl"),
                                "--out", str(tmp_path), "--no-progress"])
    assert ok.exit_code == 0, ok.output
    assert "records written: posts 3" in ok.output
    assert "tweets_v2.jsonl:3: malformed" in ok.output
    mapped = runner.invoke(_app(), ["ingest", "generic", str(FIX / "generic.csv"), "--out",
                                    str(tmp_path), "--map", "id=tweet_id,text=body",
                                    "--source", "site", "--no-progress"])
    assert mapped.exit_code == 0, mapped.output
    assert {p.source for p in iter_posts(tmp_path)} == {"twitter", "site"}
    bad = runner.invoke(_app(), ["ingest", "nope", str(FIX / "mmsd.txt"), "--out",
                                 str(tmp_path), "--no-progress"])
    assert bad.exit_code == 1 and "unknown input format 'nope'" in bad.output
