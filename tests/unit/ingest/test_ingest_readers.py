"""Each reader on a small fixture written in the real raw format."""

from __future__ import annotations

import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ingest import (
    IngestProblem,
    ReadOptions,
    detect_format,
    get_reader,
    read_amazon_2014,
    read_amazon_2018,
    read_amazon_2023,
    read_folkscope_csv,
    read_folkscope_pairs,
    read_generic,
    read_miko,
    read_mmsd,
    read_mmsd2,
    read_snap,
    read_twitter_mner,
    read_twitter_tombert_tsv,
    read_twitter_tombert_txt,
    read_twitter_v1,
    read_twitter_v2,
)
from kg.errors import IngestError
from kg.records import CoBuy, Post, Product

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def kinds(items: list[object]) -> dict[str, int]:
    return dict(Counter(type(i).__name__ for i in items))


def by_id(items: list[object]) -> dict[str, object]:
    return {i.id: i for i in items if isinstance(i, Post | Product)}


def test_amazon_2014_python_literals() -> None:
    items = list(read_amazon_2014(FIX / "amazon2014.json"))
    assert kinds(items) == {"Product": 3, "CoBuy": 5}
    p = by_id(items)["0000000001"]
    assert isinstance(p, Product)
    assert p.title == "Don't Stop & Go" and p.price == 9.49 and p.category == "CDs & Vinyl"
    assert p.categories == ["CDs & Vinyl > New Age", "Digital Music"]
    assert by_id(items)["0000000003"].title == "It's Quiet"  # type: ignore[attr-defined]
    assert by_id(items)["0000000002"].description == (  # type: ignore[attr-defined]
        'Songs about the "sea" — and the shore.')
    pairs = {(c.product_a, c.product_b) for c in items if isinstance(c, CoBuy)}
    assert ("0000000001", "0000000001") in pairs  # self-pair left for run_ingest to drop
    assert ("0000000001", "0000000009") not in pairs  # also_viewed is not a purchase


def test_amazon_2018_lines_html_css_and_broken_line() -> None:
    items = list(read_amazon_2018(FIX / "amazon2018.json"))
    assert kinds(items) == {"Product": 3, "CoBuy": 3, "IngestProblem": 1}
    problem = next(i for i in items if isinstance(i, IngestProblem))
    assert problem.line == 3 and problem.reason == "malformed"
    a = by_id(items)["B000000001"]
    assert isinstance(a, Product)
    assert a.title == "Washer Hose & Clamp" and a.price == 6.98
    assert a.categories == ["Appliances", "Parts & Accessories"]
    assert a.description == "Fits most washers." and a.features == ["Stainless & steel"]
    b = by_id(items)["B000000002"]
    assert isinstance(b, Product)
    assert b.price is None  # CSS junk
    assert [i.uri for i in b.images] == [
        "https://images-na.ssl-images-amazon.com/images/I/81x%2Bq.jpg"]  # high-res first
    assert "7301113188" in by_id(items)


def test_amazon_2018_array_variant_and_gzip(tmp_path: Path) -> None:
    gz = tmp_path / "meta.json.gz"
    with (FIX / "amazon2018_array.json").open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert detect_format(gz).name == "amazon2018.v1"
    items = list(read_amazon_2018(gz))
    assert kinds(items) == {"Product": 3, "CoBuy": 2}
    card = by_id(items)["B00GIFT001"]
    assert isinstance(card, Product)
    assert card.title == "Coffee Gift Card" and card.categories == ["Gift Cards"]
    assert card.description == "Give a gift."


def test_amazon_2023() -> None:
    items = list(read_amazon_2023(FIX / "amazon2023.jsonl"))
    assert kinds(items) == {"Product": 2, "CoBuy": 1}
    socks = by_id(items)["B0SOCKS001"]
    assert isinstance(socks, Product)
    assert socks.brand == "WarmFeet" and socks.price == 12.99
    assert socks.images[0].uri.endswith("71Qk+m9ijF5L._AC_SL1500_.jpg")  # '+' kept
    assert socks.images[1].uri.endswith("51b._AC_.jpg")  # large when hi_res is null
    assert by_id(items)["B0BOOTS001"].brand == "TrailCo"  # type: ignore[attr-defined]


def test_snap_blocks() -> None:
    items = list(read_snap(FIX / "snap.txt"))
    assert kinds(items) == {"IngestProblem": 1, "Product": 2, "CoBuy": 2}
    book = by_id(items)["082722953X"]
    assert isinstance(book, Product)
    assert book.category == "Book"
    assert book.categories[1] == "Categories > Camera & Photo"  # empty segment dropped


def test_folkscope_csv_two_blocks_multiline() -> None:
    items = list(read_folkscope_csv(FIX / "folkscope.csv"))
    assert kinds(items) == {"Product": 4, "CoBuy": 2}
    assert by_id(items)["B0SCARF001"].title == 'Scarf, "red"'  # type: ignore[attr-defined]
    adapter = by_id(items)["B00PYV5HGC"]
    assert isinstance(adapter, Product)
    assert len(adapter.images) == 2  # repeated URL collapsed


def test_folkscope_pairs_keep_order_canonical() -> None:
    pairs = [c for c in read_folkscope_pairs(FIX / "folkscope_pairs.tsv")
             if isinstance(c, CoBuy)]
    assert pairs[0].id == pairs[1].id


def test_twitter_v1() -> None:
    items = list(read_twitter_v1(FIX / "tweets_v1.jsonl"))
    assert kinds(items) == {"Post": 3, "IngestProblem": 1}
    posts = by_id(items)
    first = posts["twitter:872836479608733696"]  # id_str, not the rounded id
    assert isinstance(first, Post)
    assert first.text.endswith("with @hikebuddy https://t.co/abc")  # extended full_text
    assert first.clean_text == ("Snow again :snowflake: winter is coming & I'm ready "
                                "for a long hike with")
    assert first.hashtags == ["WinterIsComing"] and first.author == "ann"
    retweet = posts["twitter:872836479608733697"]
    assert isinstance(retweet, Post)
    assert retweet.text == first.text and retweet.author == "bob"
    assert [i.uri for i in retweet.images] == ["https://pbs.twimg.com/media/snow1.jpg"]
    quote = posts["twitter:872836479608733698"]
    assert isinstance(quote, Post)
    assert quote.clean_text == "Same here! friday feeling | quoting: Snow again and again"
    assert [i.uri for i in quote.images] == ["https://pbs.twimg.com/media/q.jpg"]


def test_twitter_v2_pages() -> None:
    items = list(read_twitter_v2(FIX / "tweets_v2.jsonl"))
    assert kinds(items) == {"Post": 4, "IngestProblem": 1}
    first = next(i for i in items if isinstance(i, Post))
    assert first.text.endswith("and the view.")  # full text from includes.tweets
    assert first.author == "bob"
    boots = by_id(items)["twitter:1500000000000000002"]
    assert isinstance(boots, Post)
    assert [i.uri for i in boots.images] == [
        "https://pbs.twimg.com/media/boots.jpg",
        "https://pbs.twimg.com/ext_tw_video_thumb/2/pu/img/v.jpg"]  # video preview
    assert boots.clean_text == "New boots! hiking life"
    assert next(i for i in items if isinstance(i, IngestProblem)).line == 3


def test_mmsd_three_and_four_fields() -> None:
    items = list(read_mmsd(FIX / "mmsd.txt"))
    assert kinds(items) == {"Post": 3, "IngestProblem": 2}
    post = by_id(items)["mmsd:900000000000000002"]
    assert isinstance(post, Post)
    assert post.clean_text == "it 's snowing again winter is coming" and post.label == "0"
    assert post.images[0].uri == "900000000000000002.jpg"
    assert by_id(items)["mmsd:900000000000000003"].text == "the 'best' day ever"  # type: ignore


def test_mmsd2_big_ids_exact() -> None:
    items = list(read_mmsd2(FIX / "mmsd2.json"))
    assert kinds(items) == {"Post": 2}
    assert "mmsd2:862902619928506372" in by_id(items)  # float would give ...6500


def test_twitter_mner_joins_tokens() -> None:
    items = list(read_twitter_mner(FIX / "mner.txt"))
    assert kinds(items) == {"Post": 2}
    post = by_id(items)["twitter_mner:O_1926"]
    assert isinstance(post, Post)
    assert post.text.startswith("RT @JohnDoe: Snow in New York")
    assert post.label == "LOC=New York"
    assert post.clean_text == "Snow in New York :snowflake: blizzard"


@pytest.mark.parametrize("name", ["tombert.tsv", "tombert.txt"])
def test_tombert_one_post_per_tweet(name: str) -> None:
    reader = read_twitter_tombert_tsv if name.endswith("tsv") else read_twitter_tombert_txt
    items = list(reader(FIX / name))
    assert kinds(items) == {"Post": 2}
    post = by_id(items)["twitter_tmsc:1860693"]
    assert isinstance(post, Post)
    assert post.text == "RT @ ltsChuckBass : Chuck Bass is everything # MCM"
    assert post.label == "Chuck Bass=positive; # MCM=neutral"


def test_miko_json() -> None:
    items = list(read_miko(FIX / "miko.json"))
    assert kinds(items) == {"Post": 2, "IngestProblem": 1}
    assert "miko:123456789012345678901" in by_id(items)


def test_generic_csv_and_jsonl_with_mapping() -> None:
    opts = ReadOptions(mapping={"id": "tweet_id", "text": "body", "image": "img_path",
                                "lang": "language"}, source="mysite")
    items = list(read_generic(FIX / "generic.csv", opts))
    assert kinds(items) == {"Post": 2, "IngestProblem": 1}
    t2 = by_id(items)["mysite:t2"]
    assert isinstance(t2, Post)
    assert t2.text == "Multi-line\npost about tea" and t2.lang == "en" and t2.images == []
    assert next(i for i in items if isinstance(i, IngestProblem)).line == 5
    lines = list(read_generic(FIX / "generic.jsonl", opts))
    assert kinds(lines) == {"Post": 2}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("amazon2014.json", "amazon2014.v1"), ("amazon2018.json", "amazon2018.v1"),
     ("amazon2018_array.json", "amazon2018.v1"), ("amazon2023.jsonl", "amazon2023.v1"),
     ("snap.txt", "snap.v1"), ("folkscope.csv", "folkscope_csv.v1"),
     ("folkscope_pairs.tsv", "folkscope_pairs.v1"),
     ("folkscope_products.tsv", "folkscope_products.v1"),
     ("tweets_v1.jsonl", "twitter_v1.v1"), ("tweets_v2.jsonl", "twitter_v2.v1"),
     ("mmsd.txt", "mmsd.v1"), ("mmsd2.json", "mmsd2.v1"), ("mner.txt", "twitter_mner.v1"),
     ("tombert.tsv", "twitter_tombert_tsv.v1"), ("tombert.txt", "twitter_tombert_txt.v1"),
     ("miko.json", "miko.v1"), ("intentionqa.jsonl", "intentionqa.v1")],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(FIX / name).name == fmt


def test_registry_versions_and_errors(tmp_path: Path) -> None:
    assert get_reader("mmsd").name == "mmsd.v1"
    assert get_reader("mmsd.v1").name == "mmsd.v1"
    with pytest.raises(IngestError, match="unknown input format 'nope'"):
        get_reader("nope")
    odd = tmp_path / "notes.md"
    odd.write_text("# just notes\n")
    with pytest.raises(IngestError, match="could not detect"):
        detect_format(odd)
