"""Streaming text input: transparent gzip, numbered lines, JSON arrays read element by element.

Nothing here loads a whole file: lines are read one at a time and a JSON array
is decoded one element at a time from a bounded buffer, so a 10 GB
``.json.gz`` array never has to fit in memory.
"""

from __future__ import annotations

import ast
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import IngestError

__all__ = [
    "iter_json_array",
    "iter_lines",
    "loads_json_or_literal",
    "open_text",
    "peek_text",
]

_CHUNK = 1 << 16
_MAX_ELEMENT = 1 << 24  # an element still undecodable with this much text after it is broken
_STRICT = json.JSONDecoder()
_BIGINT = json.JSONDecoder(parse_int=str)


def open_text(path: Path) -> IO[str]:
    """Open ``path`` for reading as UTF-8 text, un-gzipping when it starts with the gzip magic.

    Args:
        path: a plain or gzip-compressed text file.

    Raises:
        IngestError: the file does not exist or cannot be opened.
    """
    try:
        with path.open("rb") as raw:
            magic = raw.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
        return path.open("r", encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise IngestError(f"cannot open input ({exc.strerror or exc}); check the path",
                          path=str(path)) from exc


def peek_text(path: Path, size: int = 8192) -> str:
    """The first ``size`` characters of ``path`` (decompressed), for format detection."""
    with open_text(path) as fh:
        return fh.read(size)


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for each non-blank line, 1-based, without the line ending."""
    with open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            stripped = line.rstrip("\r\n")
            if stripped.strip():
                yield number, stripped


def loads_json_or_literal(text: str, *, big_ints_as_str: bool = False) -> Any:
    """Decode one JSON value, falling back to a Python literal (Amazon 2014, MMSD lines).

    Args:
        text: one line holding a JSON value or a Python literal.
        big_ints_as_str: decode JSON integers as strings so ids over 2**53 stay exact.

    Raises:
        ValueError: ``text`` is neither valid JSON nor a Python literal.
    """
    decoder = _BIGINT if big_ints_as_str else _STRICT
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as json_exc:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(f"neither JSON nor a Python literal ({json_exc.msg} at column "
                             f"{json_exc.colno})") from None


def iter_json_array(
    path: Path, *, big_ints_as_str: bool = False
) -> Iterator[tuple[int, Any | ValueError]]:
    """Yield ``(line_number, element)`` for each element of the top-level JSON array in ``path``.

    Elements are decoded one at a time from a bounded buffer (works for an array on one
    line and for one element per line ending in ``,``). A file that is not an array,
    JSON Lines for instance, is read as one value per line instead. A broken element
    is yielded as a :class:`ValueError` and reading goes on at the next line.

    Args:
        path: the input file (plain or gzip).
        big_ints_as_str: decode integers as strings (MMSD2.0 ``image_id`` > 2**53).
    """
    decoder = _BIGINT if big_ints_as_str else _STRICT
    with open_text(path) as fh:
        buf = fh.read(_CHUNK)
        line = 1
        pos = _skip(buf, 0, " \t\r\n\ufeff")
        if buf[pos:pos + 1] != "[":
            fh.close()
            for number, text in iter_lines(path):
                try:
                    yield number, loads_json_or_literal(text, big_ints_as_str=big_ints_as_str)
                except ValueError as exc:
                    yield number, exc
            return
        line += buf.count("\n", 0, pos)
        pos += 1
        eof = False
        while True:
            start = pos
            pos = _skip(buf, pos, " \t\r\n,")
            line += buf.count("\n", start, pos)
            if pos >= len(buf) and not eof:
                buf, pos = buf[pos:] + fh.read(_CHUNK), 0
                eof = pos >= len(buf)
                continue
            if pos >= len(buf) or buf[pos] == "]":
                return
            try:
                value, end = decoder.raw_decode(buf, pos)
                if end >= len(buf) and not eof:
                    raise json.JSONDecodeError("need more input", buf, end)
            except json.JSONDecodeError as exc:
                more = ""
                if not eof and len(buf) - pos < _MAX_ELEMENT:
                    more = fh.read(max(_CHUNK, len(buf) - pos))
                    eof = not more
                if more:
                    buf, pos = buf[pos:] + more, 0
                    continue
                yield line, ValueError(f"broken JSON array element ({exc.msg})")
                newline = buf.find("\n", pos)
                if newline < 0:
                    return
                line += 1
                pos = newline + 1
                continue
            yield line, value
            line += buf.count("\n", pos, end)
            pos = end
            if pos > _CHUNK:
                buf, pos = buf[pos:], 0


def _skip(buf: str, pos: int, chars: str) -> int:
    while pos < len(buf) and buf[pos] in chars:
        pos += 1
    return pos
