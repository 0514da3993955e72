"""The bundled example (examples/demo): raw files in their real formats, small local
images for every image URL, and model answers for every subject ingest produces."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image

from distill.run import run_distill
from ingest.run import output_paths
from kg.io import read_records
from kg.records import CoBuy, IntentionAssertion, Post, Product
from kg.settings import Settings

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"
RAW = DEMO / "raw"
IMAGES = DEMO / "images"
AMAZON_2018_KEYS = ["category", "tech1", "description", "fit", "title", "also_buy", "image",
                    "tech2", "brand", "feature", "rank", "also_view", "details", "main_cat",
                    "similar_item", "date", "price", "asin"]


def _jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith(("#", "//"))]


def _image_map() -> dict[str, str]:
    data: dict[str, str] = json.loads((IMAGES / "index.json").read_text(encoding="utf-8"))
    return data


def _load_make_replay() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_make_replay", DEMO / "make_replay.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example ingested into a work dir, images resolved through images/index.json."""
    workdir = tmp_path_factory.mktemp("demo")
    _load_make_replay().ingest_example(workdir)
    return workdir


def test_files_exist() -> None:
    for name in ("raw/tweets_v1.jsonl", "raw/tweets_v2.jsonl", "raw/mmsd.txt",
                 "raw/meta_Demo.json", "images/index.json", "answers.jsonl", "replay.jsonl"):
        assert (DEMO / name).is_file(), name


def test_tweets_v1_have_the_real_quirks() -> None:
    statuses = _jsonl(RAW / "tweets_v1.jsonl")
    assert len(statuses) >= 10
    for s in statuses:
        assert int(s["id_str"]) > 2**53 and isinstance(s["id"], int)
        assert s["user"]["screen_name"] and s["lang"]
        assert re.fullmatch(r"\w{3} \w{3} \d\d \d\d:\d\d:\d\d \+0000 \d{4}", s["created_at"])
        if s["truncated"]:
            assert re.search(r"… https://t\.co/\w+$", s["text"])
            assert len(s["extended_tweet"]["full_text"]) > 140
    assert sum(s["id"] != int(s["id_str"]) for s in statuses) >= 2  # float-rounded ids
    assert any("retweeted_status" in s for s in statuses)
    assert any(s.get("is_quote_status") and "quoted_status" in s for s in statuses)
    assert any("&amp;" in json.dumps(s) for s in statuses)


def test_tweets_v2_pages_join_media() -> None:
    pages = _jsonl(RAW / "tweets_v2.jsonl")
    assert len(pages) == 2
    for page in pages:
        assert isinstance(page["data"], list) and "__twarc" in page
        assert page["meta"]["result_count"] == len(page["data"])
        media = {m["media_key"] for m in page["includes"].get("media", [])}
        users = {u["id"] for u in page["includes"]["users"]}
        for tweet in page["data"]:
            assert tweet["author_id"] in users
            assert set(tweet.get("attachments", {}).get("media_keys", [])) <= media
            for ref in tweet.get("referenced_tweets", []):
                assert ref["id"] in {t["id"] for t in page["includes"]["tweets"]}


def test_mmsd_lines_are_python_literals() -> None:
    lines = (RAW / "mmsd.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 5
    for line in lines:
        sid, text, label = ast.literal_eval(line)
        assert sid.isdigit() and text == text.lower() and label in (0, 1)


def test_amazon_2018_lines_and_pairs() -> None:
    products = _jsonl(RAW / "meta_Demo.json")
    assert len(products) >= 15
    asins = {p["asin"] for p in products}
    for p in products:
        assert list(p)[:len(AMAZON_2018_KEYS)] == AMAZON_2018_KEYS
        assert p["price"] == "" or p["price"].startswith("$")
    also = [(p["asin"], other) for p in products for other in p["also_buy"]]
    assert any(a == b for a, b in also)  # a self-pair
    assert any(b not in asins for _, b in also)  # a pair to an ASIN without metadata
    assert any((b, a) in also for a, b in also if a != b)  # listed from both sides


def test_every_image_url_maps_to_a_small_local_image() -> None:
    mapping = _image_map()
    raw_text = "".join((RAW / f).read_text(encoding="utf-8") for f in
                       ("tweets_v1.jsonl", "tweets_v2.jsonl", "meta_Demo.json"))
    urls = set(re.findall(r'https://(?:pbs\.twimg\.com/media|images-na\.ssl-images-amazon'
                          r'\.com/images/I)/[^"]+', raw_text))
    assert urls and urls <= set(mapping)
    total = 0
    for name in set(mapping.values()):
        path = IMAGES / name
        size = path.stat().st_size
        total += size
        assert size <= 20 * 1024, name
        with Image.open(path) as img:
            assert min(img.size) >= 64 and max(img.size) <= 256
    assert total < 400 * 1024


def test_answers_cover_exactly_what_ingest_produces(ingested: Path) -> None:
    paths = output_paths(ingested)
    posts = read_records(paths["posts"], Post)
    products = {p.id for p in read_records(paths["products"], Product)}
    pairs = read_records(paths["cobuys"], CoBuy)
    assert all(i.status == "ok" for p in posts for i in p.images)
    expected = {("post_key_info", p.id) for p in posts}
    expected |= {("post_intentions", p.id) for p in posts}
    expected |= {("post_image_description", f"{p.id}#{i}") for p in posts
                 for i in range(len(p.images))}
    expected |= {("cobuy_intentions", f"{c.product_a}+{c.product_b}") for c in pairs}
    expected |= {("product_description", a) for c in pairs
                 for a in (c.product_a, c.product_b) if a in products}
    answers = _jsonl(DEMO / "answers.jsonl")
    keys = [(a["stage"], a["subject"], a.get("relation")) for a in answers]
    assert len(keys) == len(set(keys))
    assert {(s, subj) for s, subj, rel in keys if s != "cobuy_filter"} == expected
    intents = {a["subject"]: a["answer"] for a in answers if a["stage"] == "cobuy_intentions"}
    filters = {(subj, rel) for s, subj, rel in keys if s == "cobuy_filter"}
    assert filters == {(subj, rel) for subj, ans in intents.items()
                       for rel, v in ans.items() if v["intention"]}
    scores = [a["answer"]["yes_probability"] for a in answers if a["stage"] == "cobuy_filter"]
    assert any(p < 0.5 for p in scores) and any(p >= 0.5 for p in scores)


def test_replay_answers_a_full_distill_run(ingested: Path) -> None:
    settings = Settings()
    settings = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"backend": "replay", "replay_file": DEMO / "replay.jsonl"})})
    report = run_distill(ingested, settings)
    assert report.failures == []
    assertions = read_records(ingested / "distill" / "assertions.parquet", IntentionAssertion)
    posts = read_records(output_paths(ingested)["posts"], Post)
    pairs = read_records(output_paths(ingested)["cobuys"], CoBuy)
    assert {a.subject_id for a in assertions} == {p.id for p in posts} | {c.id for c in pairs}
    assert any(not a.keep for a in assertions) and sum(a.keep for a in assertions) > 300
