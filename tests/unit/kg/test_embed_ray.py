"""``embed.engine = "ray"``: phrase vectors from Ray actors into the same embedding cache."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kg.embed import EmbeddingCache, SentenceTransformerEmbedder, text_hash
from kg.embed_ray import embed_on_ray, missing_texts
from kg.errors import MissingExtraError
from kg.settings import EmbedSettings, RaySettings

EMBED = EmbedSettings(batch_size=32)
RAY = RaySettings(num_workers=1, batch_size=32, cpus_per_worker=0.25)  # one torch per test
TEXTS = [f"{verb} the {thing} {tail}".strip()
         for verb in ("keep", "clean", "carry", "charge")
         for thing in ("phone", "laptop", "baby", "dog", "kitchen")
         for tail in ("", "at home", "in winter", "with friends")]


def test_vectors_from_ray_are_the_local_ones_in_the_same_cache(ray_cluster: Any,
                                                               tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    expected = SentenceTransformerEmbedder(EMBED.model).encode(TEXTS)
    cache.put_many(EMBED.model, list(zip([text_hash(t) for t in TEXTS[:10]], expected[:10],
                                         strict=True)))
    stored = embed_on_ray(cache, [*TEXTS, *TEXTS[:5]], EMBED, RAY)  # duplicates sent once
    assert stored == len(TEXTS) - 10 == 70
    assert cache.count(EMBED.model) == len(TEXTS)
    found = cache.get_many(EMBED.model, [text_hash(t) for t in TEXTS])
    on_ray = np.stack([found[text_hash(t)] for t in TEXTS])
    assert np.allclose(on_ray, expected, atol=1e-5)
    assert embed_on_ray(cache, TEXTS, EMBED, RAY) == 0  # all cached: no Ray job at all
    cache.close()


def test_missing_extra_is_named_only_when_there_is_work(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    monkeypatch.setitem(sys.modules, "ray", None)
    assert embed_on_ray(cache, [], EMBED, RAY) == 0
    with pytest.raises(MissingExtraError, match=r"intention-kg\[ray\]"):
        embed_on_ray(cache, ["keep warm"], EMBED, RAY)
    assert missing_texts(cache, EMBED.model, ["a", "b", "a"]) == ["a", "b"]
    cache.close()


def test_ray_settings_are_checked_where_they_are_read() -> None:
    from kg.errors import ConfigError
    from kg.settings import load_settings

    settings = load_settings(ray={"address": "ray://head:10001"}, distill={"engine": "ray"},
                             embed={"engine": "ray"})
    assert settings.ray.address == "ray://head:10001" and settings.distill.engine == "ray"
    for bad in ({"address": "head:6379"}, {"address": "ray://u:pw-s3cr3t@head:10001"},
                {"num_workers": 0}):
        with pytest.raises(ConfigError, match=r"ray\.") as err:
            load_settings(ray=bad)
        assert "s3cr3t" not in str(err.value)
    with pytest.raises(ConfigError, match=r"distill\.engine"):
        load_settings(distill={"engine": "spark"})
