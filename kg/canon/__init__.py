"""Canonicalization of intention phrases: normalise, embed, cluster, merge.

See :mod:`kg.canon.cluster` for the clustering rules and
:mod:`kg.canon.canonicalize` for how clusters become Intention nodes.
"""

from kg.canon.canonicalize import Canonicalization, canonicalize
from kg.canon.cluster import (
    cluster_labels,
    complete_linkage,
    pick_canonical,
    similarity_edges,
    star_clusters,
)
from kg.canon.normalize import BOILERPLATE, normalize_intention

__all__ = [
    "BOILERPLATE",
    "Canonicalization",
    "canonicalize",
    "cluster_labels",
    "complete_linkage",
    "normalize_intention",
    "pick_canonical",
    "similarity_edges",
    "star_clusters",
]
