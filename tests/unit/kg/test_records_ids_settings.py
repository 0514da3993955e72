from pathlib import Path

import pytest
from pydantic import ValidationError

from kg.errors import IngestError
from kg.ids import content_id, normalize_text, pair_id
from kg.io import read_records, write_records
from kg.records import CoBuy, ImageRef, IntentionAssertion, Post
from kg.settings import load_settings


def test_pair_id_is_symmetric_and_cobuy_is_ordered() -> None:
    assert pair_id("B2", "A1") == pair_id("A1", "B2")
    c = CoBuy.of("B2", "A1")
    assert (c.product_a, c.product_b) == ("A1", "B2")
    assert c.id == pair_id("A1", "B2")


def test_normalize_and_content_id_are_stable() -> None:
    assert normalize_text("  Keep   WARM. ") == "keep warm"
    assert content_id("x", "a", "b") != content_id("x", "ab")
    assert IntentionAssertion.make_id("p", "xIntent", "Keep warm.") == IntentionAssertion.make_id(
        "p", "xIntent", "keep warm"
    )


def test_records_forbid_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Post(id="t:1", source="t", source_id="1", text="a", clean_text="a", bogus=1)  # type: ignore[call-arg]


def test_parquet_round_trip_keeps_nested_images(tmp_path: Path) -> None:
    posts = [
        Post(
            id=f"t:{i}",
            source="t",
            source_id=str(i),
            text="x",
            clean_text="x",
            images=[ImageRef(uri=f"https://e.com/{i}.jpg")],
        )
        for i in range(3)
    ]
    path = tmp_path / "posts.parquet"
    assert write_records(path, posts, batch_size=2) == 3
    assert read_records(path, Post) == posts
    assert write_records(path, []) == 0
    assert not path.exists()


def test_ingest_error_names_file_line_record() -> None:
    err = IngestError("truncated JSON", path="a.jsonl", line=8, record="123")
    assert str(err) == "a.jsonl:8 [123]: truncated JSON"


def test_settings_precedence_env_toml_and_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text(
        'store = "neo4j"\n[neo4j]\nuri = "bolt://toml:7687"\n[canon]\nthreshold = 0.7\n'
    )
    monkeypatch.setenv("INTENTKG_NEO4J__URI", "bolt://env:7687")
    s = load_settings(toml)
    assert s.store == "neo4j"
    assert s.neo4j.uri == "bolt://env:7687"  # env beats the file
    assert s.canon.threshold == 0.7
    assert load_settings(toml, store="falkordb", workdir=None).store == "falkordb"  # flags win


def test_secrets_are_not_printed() -> None:
    s = load_settings(llm={"api_key": "sk-very-secret"})
    assert "sk-very-secret" not in repr(s)
    assert "sk-very-secret" not in s.model_dump_json()
