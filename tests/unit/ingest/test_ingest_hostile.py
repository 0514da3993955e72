"""The broken-input corpus (tests/fixtures/hostile): nothing crashes, nothing is silently changed.

Every bad record is a ``file:line: reason`` problem, skipped and counted; a broken file
keeps what could be read and is listed; the spool never stays behind.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from ingest import IngestReport, iter_cobuys, iter_posts, iter_products, read_report, run_ingest
from ingest.registry import detect_format
from ingest.textio import CorruptInput, TruncatedInput, iter_lines
from intentkg.main import main
from kg.errors import IngestError
from kg.reports import NoProgress

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"


def _ingest(tmp_path: Path, fmt: str, *names: str,
            mapping: dict[str, str] | None = None) -> tuple[Path, IngestReport]:
    work = tmp_path / "w"
    report = run_ingest(fmt, [HOSTILE / n for n in names], work, mapping=mapping)
    assert not (work / "ingest" / ".spool").exists()
    return work, report


def _gz(tmp_path: Path, cut: float | None = None, corrupt_at: int | None = None) -> Path:
    """many_posts.jsonl gzipped, cut to the fraction ``cut`` or with garbage at ``corrupt_at``."""
    data = gzip.compress((HOSTILE / "many_posts.jsonl").read_bytes(), mtime=0)
    if corrupt_at is not None:
        data = data[:corrupt_at] + bytes(b ^ 0x5A for b in data[corrupt_at:corrupt_at + 64]) + (
            data[corrupt_at + 64:])
    if cut is not None:
        data = data[:int(len(data) * cut)]
    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(data)
    return path


# --- records ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "reason", "line"), [
    ("nested.jsonl", "malformed", 2),
    ("surrogate.jsonl", "lone_surrogate", 2),
    ("nul.jsonl", "nul_character", 2),
])
def test_one_bad_record_is_one_problem(tmp_path: Path, name: str, reason: str,
                                       line: int) -> None:
    work, report = _ingest(tmp_path, "auto", name)
    assert report.skipped == {reason: 1}
    assert report.problems[0].startswith(f"{HOSTILE / name}:{line}: {reason}")
    assert sorted(p.source_id for p in iter_posts(work)) == ["p1", "p3"]


def test_invalid_utf8_is_counted_and_reported_not_replaced(tmp_path: Path) -> None:
    work, report = _ingest(tmp_path, "miko", "invalid_utf8.jsonl")
    assert report.skipped == {"invalid_utf8": 2}
    assert [p.split(": ")[0] for p in report.problems] == [
        f"{HOSTILE / 'invalid_utf8.jsonl'}:1", f"{HOSTILE / 'invalid_utf8.jsonl'}:3"]
    (post,) = iter_posts(work)
    assert post.text == "proper UTF-8 café" and "\ufffd" not in post.text


def test_wrongly_typed_fields_are_problems_not_stringified(tmp_path: Path) -> None:
    work, report = _ingest(tmp_path, "amazon2018", "meta_wrong_types.json")
    assert report.skipped == {"wrong_type": 3}
    assert sorted(p.id for p in iter_products(work)) == ["B000000001", "B000000005"]
    problems = "\n".join(report.problems)
    assert ":2: wrong_type: product B000000002: the title is a list" in problems
    assert ":3: wrong_type: the product id is an object" in problems
    work, report = _ingest(tmp_path, "auto", "tweets_v1_wrong_id.jsonl")
    assert report.skipped == {"wrong_type": 2}
    assert sorted(p.id for p in iter_posts(work)) == ["twitter:101", "twitter:103"]


# --- whole files --------------------------------------------------------------------------------

def test_truncated_gzip_keeps_every_complete_line(tmp_path: Path) -> None:
    path = _gz(tmp_path, cut=0.5)
    lines = []
    with pytest.raises(TruncatedInput, match="truncated"):
        for number, _text in iter_lines(path):
            lines.append(number)
    assert len(lines) > 100 and lines == list(range(1, len(lines) + 1))
    work, report = _ingest(tmp_path, "miko", str(path))
    assert report.read["posts"] in (len(lines), len(lines) - 1)
    (entry,) = report.incomplete_files
    assert entry.startswith(str(path)) and "truncated" in entry and "kept the" in entry
    assert sum(1 for _ in iter_posts(work)) == report.read["posts"]


def test_corrupt_gzip_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    path = _gz(tmp_path, corrupt_at=200)
    with pytest.raises(CorruptInput) as err:
        list(iter_lines(path))
    assert str(path) in str(err.value) and "corrupt compressed data" in str(err.value)
    work = tmp_path / "w"
    try:
        report = run_ingest("miko", [path], work)
    except IngestError as exc:  # corrupt before the first full line: nothing to keep
        assert str(path) in str(exc) and "corrupt" in str(exc)
    else:
        assert report.incomplete_files and "corrupt" in report.incomplete_files[0]
    assert not (work / "ingest" / ".spool").exists()


def test_gzip_bomb_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "zeros.jsonl.gz"
    with gzip.open(path, "wb") as fh:  # 16 blank lines of 1 MB each in ~16 KB
        for _ in range(16):
            fh.write(b" " * ((1 << 20) - 1) + b"\n")
        fh.write(b'{"id": "z", "text": "the one real post", "image": null}\n')
    assert path.stat().st_size < 200_000
    assert [n for n, _ in iter_lines(path)] == [17]


def test_directory_missing_and_unknown_files_are_listed_and_the_rest_is_read(
        tmp_path: Path) -> None:
    inputs = [HOSTILE / "unknown.txt", HOSTILE / "many_posts.jsonl", tmp_path,
              tmp_path / "absent.jsonl", HOSTILE / "meta_Kitchen.json",
              HOSTILE / "tweets_v2_bare.jsonl"]
    work = tmp_path / "w"
    report = run_ingest("auto", inputs, work)
    assert report.read["posts"] == 302
    got = "\n".join(report.unreadable_files)
    assert len(report.unreadable_files) == 4
    assert f"{HOSTILE / 'unknown.txt'}: could not detect the input format" in got
    assert f"{tmp_path}: is a directory" in got
    assert "input file not found" in got and "reviews file" in got
    assert read_report(work).unreadable_files == report.unreadable_files


def test_nothing_readable_names_every_file_and_leaves_no_spool(tmp_path: Path) -> None:
    work = tmp_path / "w"
    with pytest.raises(IngestError) as err:
        run_ingest("auto", [HOSTILE / "unknown.txt", tmp_path], work)
    assert "unknown.txt" in str(err.value) and "is a directory" in str(err.value)
    assert not (work / "ingest" / ".spool").exists()


class _Interrupt(NoProgress):
    """Ctrl-C at the first progress report."""

    def advance(self, n: int = 1) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_leaves_no_spool(tmp_path: Path) -> None:
    work = tmp_path / "w"
    with pytest.raises(KeyboardInterrupt):
        run_ingest("miko", [HOSTILE / "many_posts.jsonl"] * 5, work, progress=_Interrupt())
    assert not (work / "ingest" / ".spool").exists()


@pytest.mark.parametrize("name", ["meta_Kitchen.json", "meta_Kitchen_2023.jsonl"])
def test_reviews_files_are_refused_with_what_they_are(tmp_path: Path, name: str) -> None:
    for fmt in ("auto", "amazon2018", "amazon2023"):
        with pytest.raises(IngestError) as err:
            run_ingest(fmt, [HOSTILE / name], tmp_path / "w")
        assert "Amazon reviews file" in str(err.value) and "meta_" in str(err.value)


# --- layouts and cleaning ----------------------------------------------------------------------

def test_html_title_fragments_are_cleaned_and_counted(tmp_path: Path) -> None:
    work, report = _ingest(tmp_path, "auto", "meta_html_titles.json")
    titles = {p.id: p.title for p in iter_products(work)}
    assert titles == {"B000000011": None, "B000000012": "Tea kettle stainless steel",
                      "B000000013": "Plain mug", "B000000014": "Milk frother"}
    assert report.cleaned == {"title_only_html": 1, "html_in_title": 2}
    assert report.notes[0].startswith(f"{HOSTILE / 'meta_html_titles.json'}:1: title_only_html")


def test_tombert_test_split_header_is_detected(tmp_path: Path) -> None:
    assert detect_format(HOSTILE / "tombert_test.tsv").name == "twitter_tombert_tsv.v1"
    work, _ = _ingest(tmp_path, "auto", "tombert_test.tsv")
    posts = sorted(iter_posts(work), key=lambda p: p.source_id)
    assert [p.source_id for p in posts] == ["1739565", "74960"]
    assert posts[0].label == "Lydia=positive; contender=negative"


def test_bare_v2_tweets_are_detected(tmp_path: Path) -> None:
    assert detect_format(HOSTILE / "tweets_v2_bare.jsonl").name == "twitter_v2.v1"
    work, _ = _ingest(tmp_path, "auto", "tweets_v2_bare.jsonl")
    posts = sorted(iter_posts(work), key=lambda p: p.id)
    assert [p.id for p in posts] == ["twitter:1501", "twitter:1502"]
    assert posts[0].hashtags == ["snow"]


def test_twarc2_flatten_keeps_author_media_and_retweet_text(tmp_path: Path) -> None:
    assert detect_format(HOSTILE / "tweets_twarc2_flat.jsonl").name == "twitter_v2.v1"
    work, _ = _ingest(tmp_path, "auto", "tweets_twarc2_flat.jsonl")
    boots, rt = sorted(iter_posts(work), key=lambda p: p.id)
    assert boots.author == rt.author == "hiker_kim"
    assert [i.uri for i in boots.images] == ["https://pbs.twimg.com/media/boots.jpg"]
    assert rt.text.startswith("packing for a long hike in the Alps this weekend")


def test_map_can_make_products(tmp_path: Path) -> None:
    mapping = {"id": "asin", "title": "name", "category": "cat", "price": "cost"}
    work, report = _ingest(tmp_path, "generic", "products.csv", mapping=mapping)
    assert report.read == {"posts": 0, "products": 2, "cobuys": 0}
    pot = next(p for p in iter_products(work) if p.id == "B000000021")
    assert (pot.title, pot.category, pot.price) == ("Glass teapot", "Kitchen", 24.99)
    work2 = tmp_path / "w2"
    run_ingest("generic", [HOSTILE / "products.csv"], work2,
               mapping={"record": "product", "id": "asin", "text": "name"})
    assert sum(1 for _ in iter_products(work2)) == 2 and not list(iter_cobuys(work2))


# --- the CLI: one line per problem, documented exit codes, no traceback ----------------------

def test_cli_partial_run_exits_3_and_lists_files(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    trunc = _gz(tmp_path, cut=0.5)
    code = main(["ingest", "auto", str(HOSTILE / "nul.jsonl"), str(HOSTILE / "unknown.txt"),
                 str(trunc), str(tmp_path), "--out", str(tmp_path / "w"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "Traceback" not in err
    assert f"error: not read: {HOSTILE / 'unknown.txt'}" in err
    assert f"error: not read: {tmp_path}: is a directory" in err
    assert f"error: read in part: {trunc}" in err
    assert f"{HOSTILE / 'nul.jsonl'}:2: nul_character" in err


@pytest.mark.parametrize("name", ["nested.jsonl", "surrogate.jsonl", "invalid_utf8.jsonl",
                                  "meta_wrong_types.json", "tweets_v1_wrong_id.jsonl",
                                  "meta_html_titles.json", "tweets_twarc2_flat.jsonl"])
def test_cli_never_shows_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     name: str) -> None:
    fmt = "miko" if name == "invalid_utf8.jsonl" else "auto"
    code = main(["ingest", fmt, str(HOSTILE / name), "--out", str(tmp_path / "w"),
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err and "\x00" not in err


def test_corpus_is_small() -> None:
    assert sum(p.stat().st_size for p in HOSTILE.iterdir()) < 100_000
    shutil.disk_usage(HOSTILE)  # the folder exists and is readable


def test_ingest_folder_is_private_even_from_the_library(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        work, _ = _ingest(tmp_path, "miko", "nul.jsonl")
    finally:
        os.umask(old)
    assert stat.S_IMODE((work / "ingest").stat().st_mode) == 0o700


def test_report_lines_carry_no_terminal_controls(tmp_path: Path) -> None:
    import json

    src = tmp_path / "posts.jsonl"
    src.write_text(json.dumps({"id": "p1", "text": "tea", "image": "/etc/\x1b[2Jx.png"}) + "\n"
                   + json.dumps({"id": ["\x1b]8;;x\x07"], "text": "t", "image": None}) + "\n")
    report = run_ingest("miko", [src], tmp_path / "w")
    assert len(report.problems) == 2
    assert not any(c in line for line in report.problems for c in "\x1b\x07")
