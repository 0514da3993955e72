"""Image content parts from :class:`kg.records.ImageRef`.

A local file becomes a base64 data URL with its MIME type; an http(s) URI is
sent as a URL part only when ``image_mode == "url"``; otherwise there is no
image and the stage works from text alone (and records that in its prompt version).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
from pathlib import Path

from distill.backends.base import ImagePart
from kg.imagecheck import read_image_file
from kg.records import ImageRef

__all__ = ["image_part", "sniff_mime"]

log = logging.getLogger(__name__)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def sniff_mime(data: bytes, name: str = "") -> str:
    """MIME type of image ``data`` from its magic bytes, else from ``name``'s extension."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    guess, _ = mimetypes.guess_type(name)
    return guess if guess and guess.startswith("image/") else "application/octet-stream"


def image_part(ref: ImageRef, image_mode: str = "base64") -> ImagePart | None:
    """The content part for ``ref``, or None when no image can be sent.

    Args:
        ref: the image reference.
        image_mode: ``"base64"`` (local files only) or ``"url"`` (local files, else
            http(s) URLs are passed through for the server to fetch).
    """
    if ref.local_path:
        path = Path(ref.local_path)
        # checked again here: only bytes Pillow accepts as an image are ever sent to a model
        got = read_image_file(path)
        if isinstance(got, str):
            log.warning("image %s not sent (%s); describing from text only", path, got)
            data = b""
        else:
            data = got
        if data:
            url = f"data:{sniff_mime(data, path.name)};base64,{base64.b64encode(data).decode()}"
            return ImagePart(url=url, sha256=hashlib.sha256(data).hexdigest())
    if image_mode == "url" and ref.uri.startswith(("http://", "https://")):
        return ImagePart(url=ref.uri, sha256=hashlib.sha256(ref.uri.encode()).hexdigest())
    return None
