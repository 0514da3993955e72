"""A file cache of the candidate pairs of the last build.

The candidate search (:func:`~kg.canon.cluster.similarity_edges`) reads only the
phrase vectors and its settings, and on large builds it is the slowest step
(a deterministic HNSW graph is built on one thread). A rebuild over the same
phrases, after a change of the merge rules or of concept settings, finds the
same pairs again; :func:`cached_edges` keeps the last result in one ``.npz``
file keyed by a digest of the vectors, the settings, the faiss version and the
source of the search functions, so any change there searches afresh.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kg.canon import cluster
from kg.canon.cluster import Edges

__all__ = ["cached_edges", "edges_key"]

log = logging.getLogger(__name__)


def edges_key(vectors: npt.NDArray[np.float32], **settings: object) -> str:
    """Digest of what the candidate pairs depend on."""
    import faiss

    h = hashlib.blake2b(digest_size=16)
    for fn in (cluster.similarity_edges, cluster._nearest, cluster._pair_keys,
               cluster._unique_pairs):
        h.update(inspect.getsource(fn).encode())
    h.update(f"faiss {faiss.__version__} {sorted(settings.items())!r} {vectors.shape}".encode())
    h.update(np.ascontiguousarray(vectors, dtype=np.float32).data)
    return h.hexdigest()


def cached_edges(path: Path | None, vectors: npt.NDArray[np.float32],
                 search: Callable[[], Edges], **settings: object) -> tuple[Edges, bool]:
    """The candidate pairs of ``vectors``: read from ``path`` when it holds those of the
    same vectors and ``settings``, else ``search()``-ed and stored there.

    Returns:
        the pairs, and whether they came from the file.
    """
    if path is None:
        return search(), False
    key = edges_key(vectors, **settings)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as got:
                if str(got["key"]) == key:
                    return (got["rows"].astype(np.int64), got["cols"].astype(np.int64),
                            got["sims"].astype(np.float32)), True
        except (OSError, ValueError, KeyError) as exc:
            log.warning("candidate cache %s unreadable (%s): searching again", path, exc)
    edges = search()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp.npz")
    index = np.int32 if len(vectors) < 2**31 else np.int64
    np.savez(tmp, key=np.array(key), rows=edges[0].astype(index), cols=edges[1].astype(index),
             sims=edges[2])
    os.replace(tmp, path)
    return edges, False
