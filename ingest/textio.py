"""Streaming text input: transparent gzip, numbered lines, JSON arrays read element by element.

Nothing here loads a whole file: lines are read one at a time and a JSON array
is decoded one element at a time from a bounded buffer, so a 10 GB
``.json.gz`` array never has to fit in memory.

Broken files: gzip is decompressed here (not by :mod:`gzip`) so that a truncated
file gives every line before the break and then :class:`TruncatedInput`, and
corrupt compressed data gives :class:`CorruptInput` naming the file, each after
all the data that could be read. Bytes that are not UTF-8 are kept as lone
surrogates (``surrogateescape``), so the record they are in is refused with its
line (see :func:`text_problem`) instead of being changed silently.
"""

from __future__ import annotations

import ast
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import IngestError

__all__ = [
    "CorruptInput",
    "TruncatedInput",
    "iter_json_array",
    "iter_lines",
    "loads_json_or_literal",
    "open_text",
    "peek_text",
]


class TruncatedInput(IngestError):
    """The compressed file ends before its end-of-stream marker (a cut download)."""


class CorruptInput(IngestError):
    """The compressed data cannot be decompressed."""


class _Gunzip(io.RawIOBase):
    """gzip members decompressed incrementally.

    A truncated or corrupt stream reads as an early end of file, so every byte before
    the break reaches the reader (a partial last line becomes a broken record there);
    the error is raised when the file is closed, that is when the reader's ``with``
    block ends, after all it could read.
    """

    _OUT = 1 << 20  # at most this much decompressed per step: a gzip bomb costs no memory

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        self._raw = raw
        self._path = path
        self._unzip = zlib.decompressobj(wbits=31)
        self._pending = b""
        self._out = b""
        self._eof = False
        self._started = False
        self._error: IngestError | None = None

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self.closed:
            return
        self._raw.close()
        super().close()
        if self._error is not None:
            raise self._error

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._out and not self._eof:
            self._step()
        n = min(len(view), len(self._out))
        view[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _step(self) -> None:
        if not self._pending:
            self._pending = self._raw.read(1 << 16)
            if not self._pending:
                if self._started and not self._unzip.eof:
                    self._error = TruncatedInput(
                        "the compressed file is truncated (it ends before its end-of-stream "
                        "marker)", path=str(self._path))
                self._eof = True
                return
        if self._unzip.eof:  # another member follows, or trailing padding
            if not self._pending.strip(b"\x00"):
                self._pending = b""
                return
            self._unzip = zlib.decompressobj(wbits=31)
        self._started = True
        try:
            self._out = self._unzip.decompress(self._pending, self._OUT)
        except zlib.error as exc:
            self._error = CorruptInput(f"corrupt compressed data ({exc})", path=str(self._path))
            self._eof = True
            return
        self._pending = self._unzip.unconsumed_tail or self._unzip.unused_data


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
    if path.is_dir():
        raise IngestError("is a directory, not a file; give the files inside it "
                          "(for example dir/*.jsonl)", path=str(path))
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise IngestError(f"cannot open input ({exc.strerror or type(exc).__name__}); check "
                          "the path", path=str(path)) from None
    if raw.peek(2)[:2] == b"\x1f\x8b":
        binary: IO[bytes] = io.BufferedReader(_Gunzip(raw, path), buffer_size=1 << 16)
    else:
        binary = raw
    return io.TextIOWrapper(binary, encoding="utf-8", errors="surrogateescape", newline="")


def peek_text(path: Path, size: int = 8192) -> str:
    """The first ``size`` characters of ``path`` (decompressed), for format detection.

    A file broken within those characters gives what could be read before the break.
    """
    got = ""
    try:
        with open_text(path) as fh:
            got = fh.read(size)
    except (TruncatedInput, CorruptInput):
        if not got:
            raise
    return got


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
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    except json.JSONDecodeError as json_exc:
        if len(text) > _MAX_ELEMENT:
            raise ValueError(f"not JSON ({json_exc.msg} at column {json_exc.colno})") from None
        try:
            return ast.literal_eval(text)
        except RecursionError:
            raise ValueError("nested too deeply to read") from None
        except (ValueError, SyntaxError, MemoryError, TypeError):
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
    if not peek_text(path, 4096).lstrip(" \t\r\n\ufeff").startswith("["):
        for number, text in iter_lines(path):
            try:
                yield number, loads_json_or_literal(text, big_ints_as_str=big_ints_as_str)
            except ValueError as exc:
                yield number, exc
        return
    with open_text(path) as fh:
        buf = fh.read(_CHUNK)
        line = 1
        pos = _skip(buf, 0, " \t\r\n\ufeff")
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
            except RecursionError:
                yield line, ValueError("array element nested too deeply to read")
                newline = buf.find("\n", pos)
                if newline < 0:
                    return
                line += 1
                pos = newline + 1
                continue
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
