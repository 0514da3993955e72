"""Images of posts and products: resolving local paths and (opt-in) bounded downloads.

:class:`ImageResolver` turns each :class:`~kg.records.ImageRef` a reader produced
(``uri`` only) into a resolved one:

* a local path (absolute, or relative to ``image_dir`` or the input file's folder)
  that exists -> ``status="ok"`` with ``local_path`` (``"missing"`` otherwise);
* an ``http``/``https`` URL -> ``"not_downloaded"`` unless downloads are on; then
  the bytes are fetched with a timeout, a size cap and a content-type check,
  checked by Pillow (pixel cap read from the header *before* decoding, then a full
  decode) and cached by content hash as ``<cache>/<sha256>.<ext>``. A URL already
  fetched is looked up in ``<cache>/urls.tsv`` and not fetched again;
* any other scheme, or a failed download or decode -> ``"broken"`` (404 ->
  ``"missing"``). The record stays usable either way.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from PIL import Image

from kg.errors import IngestError
from kg.records import ImageRef

__all__ = ["DownloadPolicy", "ImageResolver", "check_image_bytes", "load_image_map"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadPolicy:
    """Bounds on image downloads.

    Attributes:
        max_bytes: larger bodies are abandoned (``broken``).
        timeout_s: connect/read timeout per request.
        max_pixels: width x height above this is a decompression bomb (``broken``).
        content_types: accepted ``Content-Type`` prefixes.
    """

    max_bytes: int = 10 * 1024 * 1024
    timeout_s: float = 10.0
    max_pixels: int = 40_000_000
    content_types: tuple[str, ...] = ("image/",)


def check_image_bytes(data: bytes, max_pixels: int) -> str | None:
    """Why ``data`` is not a usable image, or ``None`` when it decodes and is within the cap.

    The size in the header is checked before any pixel is decoded, so a
    decompression bomb costs nothing.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    return f"{width}x{height} pixels is over the cap of {max_pixels}"
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return f"decompression bomb ({exc})"
    except (OSError, ValueError, SyntaxError) as exc:
        return f"not a decodable image ({exc})"
    return None


def load_image_map(path: Path) -> dict[str, Path]:
    """Read an image map: one JSON object, uri -> file path relative to the map's folder.

    Raises:
        IngestError: the file is missing or is not a JSON object of strings.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"cannot read the image map ({exc})", path=str(path)) from exc
    if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise IngestError('the image map must be one JSON object {"<uri>": "<file>", ...}',
                          path=str(path))
    return {uri: path.parent / name for uri, name in raw.items()}


class ImageResolver:
    """Resolves :class:`ImageRef` uris to local files, downloading only when asked.

    Args:
        cache_dir: where downloaded images are kept (``<workdir>/images``).
        image_dir: folder for relative image paths (MMSD ``<id>.jpg``); ``None`` means
            the input file's folder.
        image_map: uri -> local file, consulted before anything else (offline copies of
            a dump's images, such as the bundled example's ``images/index.json``).
        download: fetch ``http``/``https`` images (off by default).
        policy: download bounds.
        client: an ``httpx.Client`` to use (one is created when downloads are on).
    """

    def __init__(
        self, cache_dir: Path, *, image_dir: Path | None = None, download: bool = False,
        policy: DownloadPolicy | None = None, client: httpx.Client | None = None,
        image_map: Mapping[str, Path] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.image_map = dict(image_map or {})
        self.image_dir = image_dir
        self.download = download
        self.policy = policy or DownloadPolicy()
        self._client = client
        self._own_client = client is None
        self._known: dict[str, tuple[str, str]] | None = None
        self.failures: list[str] = []

    def close(self) -> None:
        """Close the HTTP client when this resolver created it."""
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None

    def __enter__(self) -> ImageResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, ref: ImageRef, base_dir: Path | None = None) -> ImageRef:
        """The resolved copy of ``ref`` (see the module docstring); never raises for bad images."""
        mapped = self.image_map.get(ref.uri)
        if mapped is not None:
            if mapped.is_file():
                return ref.model_copy(update={"status": "ok", "local_path": str(mapped.resolve())})
            return self._fail(ref, "missing", f"image map points at {mapped}, which does not exist")
        scheme = urlsplit(ref.uri).scheme.lower()
        if scheme in ("http", "https"):
            if not self.download:
                return ref.model_copy(update={"status": "not_downloaded"})
            return self._fetch(ref)
        if scheme and len(scheme) > 1 and scheme != "file":
            return self._fail(ref, "broken", f"unsupported scheme {scheme!r}")
        raw = ref.uri[7:] if scheme == "file" else ref.uri
        path = Path(raw)
        if not path.is_absolute():
            path = (self.image_dir or base_dir or Path.cwd()) / path
        if path.is_file():
            return ref.model_copy(update={"status": "ok", "local_path": str(path.resolve())})
        return ref.model_copy(update={"status": "missing", "local_path": None})

    def _fail(self, ref: ImageRef, status: str, why: str) -> ImageRef:
        if len(self.failures) < 20:
            self.failures.append(f"{ref.uri}: {why}")
        log.debug("image %s: %s", ref.uri, why)
        return ref.model_copy(update={"status": status})

    def _index(self) -> dict[str, tuple[str, str]]:
        if self._known is None:
            self._known = {}
            index = self.cache_dir / "urls.tsv"
            if index.exists():
                for line in index.read_text(encoding="utf-8").splitlines():
                    parts = line.split("\t")
                    if len(parts) == 3:
                        self._known[parts[0]] = (parts[1], parts[2])
        return self._known

    def _fetch(self, ref: ImageRef) -> ImageRef:
        known = self._index().get(ref.uri)
        if known and (self.cache_dir / known[1]).is_file():
            return ref.model_copy(update={"status": "ok", "sha256": known[0],
                                          "local_path": str(self.cache_dir / known[1])})
        if self._client is None:
            self._client = httpx.Client(timeout=self.policy.timeout_s, follow_redirects=True)
        try:
            data, ctype = self._get(ref.uri)
        except _Refused as exc:
            return self._fail(ref, exc.status, str(exc))
        except httpx.HTTPError as exc:
            return self._fail(ref, "broken", f"{type(exc).__name__}: {exc}")
        why = check_image_bytes(data, self.policy.max_pixels)
        if why:
            return self._fail(ref, "broken", why)
        sha = hashlib.sha256(data).hexdigest()
        ext = ctype.split("/", 1)[1].split(";")[0].strip().replace("jpeg", "jpg") or "img"
        name = f"{sha}.{ext[:5]}"
        target = self.cache_dir / name
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        with (self.cache_dir / "urls.tsv").open("a", encoding="utf-8") as fh:
            fh.write(f"{ref.uri}\t{sha}\t{name}\n")
        self._index()[ref.uri] = (sha, name)
        return ref.model_copy(update={"status": "ok", "sha256": sha, "local_path": str(target)})

    def _get(self, url: str) -> tuple[bytes, str]:
        assert self._client is not None
        with self._client.stream("GET", url) as resp:
            if resp.status_code == 404:
                raise _Refused("missing", "HTTP 404")
            if resp.status_code >= 400:
                raise _Refused("broken", f"HTTP {resp.status_code}")
            for hop in [*resp.history, resp]:
                if hop.url.scheme not in ("http", "https"):
                    raise _Refused("broken", f"redirected to scheme {hop.url.scheme!r}")
            ctype = resp.headers.get("content-type", "").lower()
            if not ctype.startswith(self.policy.content_types):
                raise _Refused("broken", f"content type {ctype or 'missing'!r} is not an image")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                raise _Refused("broken", f"{declared} bytes is over the cap")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise _Refused("broken", f"body over the cap of {self.policy.max_bytes} bytes")
                chunks.append(chunk)
        return b"".join(chunks), ctype


class _Refused(Exception):
    def __init__(self, status: str, why: str) -> None:
        super().__init__(why)
        self.status = status
