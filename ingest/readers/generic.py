"""MIKO-style benchmark posts and generic JSON Lines / CSV posts with a column mapping.

MIKO-style format (what ``miko`` reads): a JSON array, or JSON Lines, of objects::

    {"id": "p1", "text": "Snow day! #WinterIsComing", "image": "images/p1.jpg",
     "label": null, "lang": "en", "created_at": "2024-01-02", "author": "ann"}

``id`` (string or integer, kept exact) and ``text`` are required; ``image`` is a
path or URL, or a list of them; the rest are optional. ``generic`` reads JSON Lines
or CSV (by extension: ``.csv``/``.tsv`` or else JSON) whose columns are named by
``ReadOptions.mapping`` (``id=tweet_id,text=body,image=img_path``); unmapped fields
are looked up under their own names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ingest.readers._common import problem
from ingest.readers.social import post_from_mapping
from ingest.registry import ReadOptions, register_reader
from ingest.report import Item, Reason
from ingest.textio import iter_json_array, open_text

__all__ = ["read_generic", "read_miko"]


def _json_posts(path: Path, source: str, mapping: dict[str, str]) -> Iterator[Item]:
    for line, obj in iter_json_array(path, big_ints_as_str=True):
        if isinstance(obj, ValueError):
            yield problem(path, line, Reason.MALFORMED, str(obj))
        elif not isinstance(obj, dict):
            yield problem(path, line, Reason.NOT_A_RECORD, "expected an object per post")
        else:
            yield post_from_mapping(path, line, obj, source, mapping)


@register_reader("miko.v1", description="MIKO-style posts: JSON array/lines of {id, text, image}",
                 sniff=lambda head, path: head.lstrip("\ufeff \n[").startswith('{"id"')
                 and '"text"' in head and '"image"' in head)
def read_miko(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from a MIKO-style benchmark file (see the module docstring)."""
    return _json_posts(path, "miko", {})


@register_reader("generic.v1", description="JSON lines or CSV posts with --map id=..,text=..")
def read_generic(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """Posts from JSON Lines or CSV, columns named by ``options.mapping``."""
    options = options or ReadOptions()
    source = options.source or "generic"
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" not in suffixes and ".tsv" not in suffixes:
        yield from _json_posts(path, source, options.mapping)
        return
    with open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter="\t" if ".tsv" in suffixes else ",")
        start = 2
        try:
            for row in reader:
                yield post_from_mapping(path, start, dict(row), source, options.mapping)
                start = reader.line_num + 1
        except csv.Error as exc:
            yield problem(path, reader.line_num, Reason.MALFORMED, f"CSV: {exc}")
