"""Normalisation of intention phrases before they are compared.

The one normaliser lives in :mod:`kg.ids` (ids and node text must agree);
this module keeps the names :mod:`kg.canon` has always exported.
"""

from __future__ import annotations

from kg.ids import BOILERPLATE, normalize_intention

__all__ = ["BOILERPLATE", "normalize_intention"]
