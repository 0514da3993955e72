"""Post times normalized at ingest (ingest.timefmt), on real sample lines from ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import detect_format
from ingest.timefmt import utc_iso
from kg.records import Post

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "social"


@pytest.mark.parametrize(("raw", "iso"), [
    ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24Z"),  # Twitter API v1.1
    ("Wed Oct 10 22:19:24 +0200 2018", "2018-10-10T20:19:24Z"),
    ("2018-10-10T20:19:24.000Z", "2018-10-10T20:19:24Z"),  # Twitter API v2
    ("2018-10-10T21:19:24+01:00", "2018-10-10T20:19:24Z"),
    ("2024-01-02", "2024-01-02T00:00:00Z"),  # naive: taken as UTC
    (1539202764, "2018-10-10T20:19:24Z"),  # epoch seconds
    (1539202764000, "2018-10-10T20:19:24Z"),  # epoch milliseconds
    (None, None), ("", None), ("  ", None), ("yesterday", None), (True, None),
])
def test_utc_iso(raw: object, iso: str | None) -> None:
    assert utc_iso(raw) == iso


def _posts(path: Path) -> list[Post]:
    return [p for p in detect_format(path).read(path, None) if isinstance(p, Post)]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_real_tweets_get_utc_iso_times() -> None:
    v1 = SAMPLES / "tweets_v1" / "tweet_parser_original_format_examples.jsonl"
    raw = json.loads(v1.read_text(encoding="utf-8").splitlines()[0])
    posts = {p.source_id: p for p in _posts(v1)}
    assert posts[raw["id_str"]].created_at == utc_iso(raw["created_at"])
    assert all(p.created_at and p.created_at.endswith("Z") and p.created_at[4] == "-"
               for p in posts.values())
    v2 = SAMPLES / "tweets_v2" / "twarc_media_policy_violation_off.jsonl"
    page = json.loads(v2.read_text(encoding="utf-8").splitlines()[0])
    first = page["data"][0]
    by_id = {p.source_id: p for p in _posts(v2)}
    assert by_id[first["id"]].created_at == first["created_at"].replace(".000Z", "Z")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")
def test_posts_without_times_have_none() -> None:
    for name in ("mmsd/train.sample.txt", "twitter_tmsc/twitter2015_train.sample.tsv"):
        posts = _posts(SAMPLES / name)
        assert posts and all(p.created_at is None for p in posts), name
