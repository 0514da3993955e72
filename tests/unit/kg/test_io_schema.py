"""Parquet files take their schema from the record type, not from the first batch."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kg.io import arrow_schema, read_records, write_records
from kg.records import ImageRef, Intention, Post, Product


def test_post_schema_has_lang_and_typed_nested_images() -> None:
    schema = arrow_schema(Post)
    assert schema is not None
    assert schema.names == list(Post.model_fields)
    assert schema.field("lang").type == pa.string()
    image = schema.field("images").type.value_type
    assert [f.name for f in image] == ["uri", "local_path", "sha256", "status"]
    assert arrow_schema(Product).field("price").type == pa.float64()  # type: ignore[union-attr]
    intention = arrow_schema(Intention)
    assert intention is not None and intention.field("embedding").type == pa.list_(pa.float64())


def test_values_after_an_all_null_first_batch_fit(tmp_path: Path) -> None:
    posts = [
        Post(id=f"t:{i}", source="t", source_id=str(i), text="x", clean_text="x",
             lang=None if i < 2 else "en",
             images=[ImageRef(uri=f"u{i}", local_path=None if i < 2 else f"/img/{i}.jpg")])
        for i in range(4)
    ]
    path = tmp_path / "posts.parquet"
    assert write_records(path, posts, batch_size=2) == 4
    assert pq.read_schema(path).field("lang").type == pa.string()
    assert read_records(path, Post) == posts
