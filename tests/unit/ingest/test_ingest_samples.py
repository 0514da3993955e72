"""Every file under ../shared/samples/: detected format and exact record counts.

The counts were checked against the files independently (line counts, ``similar:``
sums, ``also_buy`` lengths, distinct TomBERT tweets); see SOURCES.md there.
Skipped when the samples folder is absent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ingest import detect_format, iter_posts, run_ingest
from kg.errors import IngestError

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")

# file -> (reader, {record type: count as yielded by the reader})
EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "amazon_2014_meta/meta_Digital_Music.sample.json":
        ("amazon2014.v1", {"Product": 36, "CoBuy": 1306}),
    "amazon_2018_meta/meta_Appliances.sample.json":
        ("amazon2018.v1", {"Product": 32, "CoBuy": 101}),
    "amazon_2018_meta/meta_Gift_Cards.array_variant.json":
        ("amazon2018.v1", {"Product": 10, "CoBuy": 37}),
    "amazon_2023_meta/meta_Health_and_Personal_Care.sample.jsonl":
        ("amazon2023.v1", {"Product": 30}),
    "amazon_copurchase_snap/amazon-meta.sample.txt":
        ("snap.v1", {"Product": 39, "CoBuy": 155, "IngestProblem": 1}),
    "intention_kb/folkscope_crowdsourcing_integrate_4500_b1.sample.csv":
        ("folkscope_csv.v1", {"Product": 100, "CoBuy": 50}),
    "intentionqa/QA_fullInfo_task1.sample.jsonl": ("intentionqa.v1", {"Product": 60, "CoBuy": 30}),
    "intentionqa/QA_fullInfo_task1_byRelation.sample.jsonl":
        ("intentionqa.v1", {"Product": 66, "CoBuy": 33}),
    "intentionqa/QA_fullInfo_task2.sample.jsonl": ("intentionqa.v1", {"Product": 60, "CoBuy": 30}),
    "social/mmsd/train.sample.txt": ("mmsd.v1", {"Post": 33}),
    "social/mmsd/test2.sample.txt": ("mmsd.v1", {"Post": 20}),
    "social/mmsd/valid2.sample.txt": ("mmsd.v1", {"Post": 20}),
    "social/mmsd/extract_all.sample.txt": ("mmsd.v1", {"IngestProblem": 30}),
    "social/mmsd2/text_json_final_test.sample.json": ("mmsd2.v1", {"Post": 40}),
    "social/mmsd2/text_json_clean_test.sample.json": ("mmsd2.v1", {"Post": 40}),
    "social/tweets_v1/python_twitter_extended_tweet_in_compat_mode.json":
        ("twitter_v1.v1", {"Post": 1}),
    "social/tweets_v1/python_twitter_extended_tweet_in_extended_mode.json":
        ("twitter_v1.v1", {"Post": 1}),
    "social/tweets_v1/python_twitter_get_search.json": ("twitter_v1.v1", {"Post": 1}),
    "social/tweets_v1/python_twitter_status_quoted_tweet_with_media.json":
        ("twitter_v1.v1", {"Post": 1}),
    "social/tweets_v1/python_twitter_streaming_lines.sample.jsonl": ("twitter_v1.v1", {"Post": 25}),
    "social/tweets_v1/tweet_parser_original_format_examples.jsonl": ("twitter_v1.v1", {"Post": 25}),
    "social/tweets_v1/tweet_parser_public_api_sample.jsonl": ("twitter_v1.v1", {"Post": 20}),
    "social/tweets_v2/twarc_media_policy_violation_off.jsonl": ("twitter_v2.v1", {"Post": 100}),
    "social/tweets_v2/twarc_media_tweet.jsonl": ("twitter_v2.v1", {"Post": 1}),
    "social/tweets_v2/twarc_streaming_output_with_error.jsonl":
        ("twitter_v2.v1", {"Post": 7, "IngestProblem": 1}),
    "social/tweets_v2/twarc_two_tweets.jsonl": ("twitter_v2.v1", {"Post": 1}),
    "social/twitter_mner/twitter2015_train.sample.txt": ("twitter_mner.v1", {"Post": 30}),
    "social/twitter_mner/twitter2017_train.sample.txt": ("twitter_mner.v1", {"Post": 30}),
    "social/twitter_tmsc/twitter2015_train.sample.tsv": ("twitter_tombert_tsv.v1", {"Post": 18}),
    "social/twitter_tmsc/twitter2017_train.sample.tsv": ("twitter_tombert_tsv.v1", {"Post": 19}),
    "social/twitter_tmsc/twitter2015_train.sample.txt": ("twitter_tombert_txt.v1", {"Post": 18}),
}


def _all_files() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    return sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", _all_files())
def test_every_sample_file(name: str) -> None:
    path = SAMPLES / name
    if name not in EXPECTED:
        # not an ingest input (images, ATOMIC, manifests): rejected with a clear error
        with pytest.raises(IngestError, match="could not detect the input format"):
            detect_format(path)
        return
    fmt, counts = EXPECTED[name]
    spec = detect_format(path)
    assert spec.name == fmt
    assert dict(Counter(type(i).__name__ for i in spec.read(path, None))) == counts


def test_twitter_samples_quirks(tmp_path: Path) -> None:
    v1 = SAMPLES / "social" / "tweets_v1"
    report = run_ingest("auto", [v1 / "tweet_parser_public_api_sample.jsonl"], tmp_path)
    assert report.written["posts"] == 20
    ids = {p.source_id for p in iter_posts(tmp_path)}
    assert "872836479608733696" in ids  # id_str; the JSON number reads ...3700
    v2 = SAMPLES / "social" / "tweets_v2"
    report = run_ingest("auto", [v2 / "twarc_streaming_output_with_error.jsonl"], tmp_path)
    assert report.skipped == {"malformed": 1} and report.written["posts"] == 7
    assert ":8: malformed" in report.problems[0]


def test_all_samples_in_one_workdir(tmp_path: Path) -> None:
    inputs = [SAMPLES / name for name in EXPECTED if "extract_all" not in name]
    first = run_ingest("auto", inputs, tmp_path)
    second = run_ingest("auto", inputs, tmp_path)
    expected = Counter[str]()
    for name in EXPECTED:
        if "extract_all" not in name:
            expected.update(EXPECTED[name][1])
    assert first.read == {"posts": expected["Post"], "products": expected["Product"],
                          "cobuys": expected["CoBuy"]}
    assert first.total == second.total == second.written  # the re-run replaced, not added
    assert sum(v for k, v in first.skipped.items() if k.startswith("duplicate_posts")) == (
        first.read["posts"] - first.written["posts"])
