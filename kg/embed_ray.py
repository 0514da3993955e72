"""``embed.engine = "ray"``: the build's phrase embeddings computed by Ray Data actors.

:func:`embed_on_ray` takes the texts a build is about to embed, looks them up in
the embedding cache, and sends only the missing ones through
``map_batches`` over a pool of ``ray.num_workers`` actors, each holding the
sentence-transformers model (``embed.device = "cuda"`` gives each actor
``ray.gpus_per_worker`` GPUs). The vectors come back keyed by text hash and go
into the same SQLite cache (:class:`kg.embed.EmbeddingCache`), so the build that
follows reads them as cache hits; canonicalization, clustering and concept
linking stay in the build's own process (the README says up to what size).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from kg.embed import EmbeddingCache, SentenceTransformerEmbedder, text_hash
from kg.raycluster import ray_session
from kg.settings import EmbedSettings, RaySettings

__all__ = ["EmbedWorker", "embed_on_ray", "missing_texts"]

log = logging.getLogger(__name__)


class EmbedWorker:
    """One actor: the embedding model, loaded once, applied to batches of texts."""

    def __init__(self, model: str, device: str, batch_size: int) -> None:
        self.embedder = SentenceTransformerEmbedder(model, device=device, batch_size=batch_size)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[bytes]]:
        """``{"text": [...]}`` → ``{"hash": [...], "vec": [...]}`` (float32 bytes)."""
        texts = [str(t) for t in batch["text"]]
        vectors = self.embedder.encode(texts)
        return {"hash": [text_hash(t) for t in texts],
                "vec": [np.asarray(v, dtype=np.float32).tobytes() for v in vectors]}


def missing_texts(cache: EmbeddingCache, model: str, texts: Iterable[str], *,
                  step: int = 4096) -> list[str]:
    """The distinct texts among ``texts`` that have no vector in ``cache`` for ``model``."""
    out: list[str] = []
    seen: set[bytes] = set()
    chunk: list[str] = []

    def flush() -> None:
        hashes = [text_hash(t) for t in chunk]
        found = cache.get_many(model, hashes)
        for h, t in zip(hashes, chunk, strict=True):
            if h not in found and h not in seen:
                seen.add(h)
                out.append(t)
        chunk.clear()

    for text in texts:
        chunk.append(text)
        if len(chunk) >= step:
            flush()
    flush()
    return out


def embed_on_ray(cache: EmbeddingCache, texts: Iterable[str], embed: EmbedSettings,
                 ray_settings: RaySettings, *, write_every: int = 8192) -> int:
    """Embed the texts the cache lacks on the Ray cluster; store them; return how many.

    Nothing is sent to Ray (no cluster is joined) when every text is cached.

    Raises:
        MissingExtraError: the ``ray`` extra is not installed.
        ConfigError: the cluster cannot be reached.
    """
    todo = missing_texts(cache, embed.model, texts)
    if not todo:
        return 0
    gpu = embed.device.startswith("cuda")
    with ray_session(ray_settings, "embed.engine 'ray'") as ray:
        batches = -(-len(todo) // embed.batch_size)
        dataset = ray.data.from_items([{"text": t} for t in todo]).repartition(
            target_num_rows_per_block=embed.batch_size).map_batches(
            EmbedWorker, batch_size=embed.batch_size, batch_format="numpy",
            fn_constructor_args=(embed.model, embed.device, embed.batch_size),
            compute=ray.data.ActorPoolStrategy(size=min(ray_settings.num_workers, batches)),
            num_cpus=ray_settings.cpus_per_worker,
            num_gpus=ray_settings.gpus_per_worker if gpu else 0)
        stored = 0
        pending: list[tuple[bytes, Any]] = []
        for h, vec in _rows(dataset):
            pending.append((h, np.frombuffer(vec, dtype=np.float32)))
            if len(pending) >= write_every:
                cache.put_many(embed.model, pending)
                stored += len(pending)
                pending.clear()
        cache.put_many(embed.model, pending)
        stored += len(pending)
    log.info("embedded %d texts on Ray (%d workers)", stored, ray_settings.num_workers)
    return stored


def _rows(dataset: Any) -> Iterator[tuple[bytes, bytes]]:
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        yield from zip((bytes(h) for h in batch["hash"]), (bytes(v) for v in batch["vec"]),
                       strict=True)
