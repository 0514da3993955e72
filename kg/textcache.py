"""A per-text result cache in SQLite: ``(key, text hash) -> JSON text``.

Phrase parses (:class:`kg.concepts.PhraseParser`) and merge signatures
(:class:`kg.canon.decide.SignatureParser`) are computed once per distinct text
and kept in the build's parse cache. :meth:`TextCache.map` reads what is cached
in chunks, computes the rest in one call (sorted by hash, so the work does not
depend on input order) and stores it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from kg.embed import text_hash

__all__ = ["TextCache"]

T = TypeVar("T")

_CHUNK = 900
"""Hashes per ``IN (...)`` query: below SQLite's default limit on bound parameters."""


class TextCache:
    """One table of a SQLite file, or no file at all (then nothing is kept between calls).

    Args:
        path: the SQLite file (created with its parent directory); ``None``: no cache.
        table: the table (``model TEXT, hash BLOB, <column> TEXT``, keyed by model and hash).
        column: the name of the value column.
        key: the ``model`` value of this cache's rows (a version or model name; a
            new key leaves old rows unread).
    """

    def __init__(self, path: Path | None, *, table: str, column: str, key: str) -> None:
        self.table = table
        self.column = column
        self.key = key
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (model TEXT NOT NULL, hash BLOB NOT NULL,"
                f" {column} TEXT NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID")
            self._db.commit()

    def map(self, texts: Sequence[str], compute: Callable[[list[str]], list[T]], *,
            encode: Callable[[T], str], decode: Callable[[str], T | None]) -> list[T]:
        """The result of each of ``texts``: cached ones decoded, the others computed.

        Args:
            texts: the inputs (repeats are computed once).
            compute: results for a list of distinct texts, in their order.
            encode: a result as the stored text.
            decode: a stored text as a result, ``None`` to compute it again (a row
                an older version wrote).

        Returns:
            one result per text, in the order of ``texts``.
        """
        hashes = [text_hash(t) for t in texts]
        found: dict[bytes, T] = {}
        for h, raw in self._rows(hashes):
            value = decode(raw)
            if value is not None:
                found[h] = value
        todo = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in found}.items())
        if todo:
            new = list(zip([h for h, _ in todo], compute([t for _, t in todo]), strict=True))
            found.update(new)
            self._store([(h, encode(v)) for h, v in new])
        return [found[h] for h in hashes]

    def cached(self, texts: Iterable[str], *, decode: Callable[[str], T | None]) -> dict[str, T]:
        """The cached results among ``texts`` (nothing is computed); ``decode`` as in
        :meth:`map`."""
        by_hash = {text_hash(t): t for t in texts}
        found: dict[str, T] = {}
        for h, raw in self._rows(list(by_hash)):
            value = decode(raw)
            if value is not None:
                found[by_hash[h]] = value
        return found

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _rows(self, hashes: list[bytes]) -> list[tuple[bytes, str]]:
        if self._db is None:
            return []
        rows: list[tuple[bytes, str]] = []
        for start in range(0, len(hashes), _CHUNK):
            chunk = hashes[start:start + _CHUNK]
            rows += [(bytes(h), str(v)) for h, v in self._db.execute(
                f"SELECT hash, {self.column} FROM {self.table} WHERE model = ? AND hash IN "
                f"({','.join('?' * len(chunk))})", [self.key, *chunk])]
        return rows

    def _store(self, items: list[tuple[bytes, str]]) -> None:
        if self._db is None:
            return
        self._db.executemany(
            f"INSERT OR REPLACE INTO {self.table} (model, hash, {self.column}) VALUES (?, ?, ?)",
            [(self.key, h, v) for h, v in items])
        self._db.commit()
