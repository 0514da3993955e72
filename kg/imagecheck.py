"""Is this really an image? One check for every stage that reads image bytes.

Ingest runs it on every image it resolves (local or downloaded); distill runs it
again on the file it is about to send to a model, so a path that changed since
ingest (or a hand-edited Parquet file) can never send ``/etc/passwd`` anywhere.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from pathlib import Path

from PIL import Image

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_PIXELS", "check_image_bytes", "read_image_file"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest image file read from disk."""

DEFAULT_MAX_PIXELS = 40_000_000
"""Largest width x height; above it a file is treated as a decompression bomb."""


def check_image_bytes(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS, *,
                      decode: bool = True) -> str | None:
    """Why ``data`` is not a usable image, or ``None`` when Pillow accepts it.

    The size in the header is checked before any pixel is decoded, so a
    decompression bomb costs nothing; then Pillow's ``verify`` and, with
    ``decode``, a full decode.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    return f"{width}x{height} pixels is over the cap of {max_pixels}"
                img.verify()
            if decode:
                with Image.open(io.BytesIO(data)) as img:
                    img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return f"decompression bomb ({exc})"
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        return f"not a decodable image ({type(exc).__name__})"
    return None


def read_image_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                    max_pixels: int = DEFAULT_MAX_PIXELS, decode: bool = False) -> bytes | str:
    """The bytes of the image file ``path``, or why they are not an image (a string).

    Only regular files are read (no devices, fifos or directories), at most
    ``max_bytes`` of them.
    """
    try:
        # O_NONBLOCK: opening a fifo must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            if info.st_size > max_bytes:
                return f"{info.st_size} bytes is over the cap of {max_bytes}"
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return f"cannot read it ({exc.strerror or type(exc).__name__})"
    if len(data) > max_bytes:
        return f"over the cap of {max_bytes} bytes"
    why = check_image_bytes(data, max_pixels, decode=decode)
    return why if why is not None else data
