"""The image downloader against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from ingest import DownloadPolicy, ImageResolver, check_image_bytes
from kg.records import ImageRef


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 0).save(buf, format="PNG")
    return buf.getvalue()


SMALL = _png(16, 16)
BOMB = _png(5000, 5000)  # compresses to a few KB, 25 Mpx once decoded
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/ok.png": (200, "image/png", SMALL),
    "/big.png": (200, "image/png", SMALL + b"\0" * 5000),
    "/page.html": (200, "text/html", b"<html></html>"),
    "/bomb.png": (200, "image/png", BOMB),
    "/broken.jpg": (200, "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg"),
}


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:
        _Handler.hits[self.path] = _Handler.hits.get(self.path, 0) + 1
        if self.path == "/slow.png":
            time.sleep(1.5)
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def resolver(tmp_path: Path) -> Iterator[ImageResolver]:
    policy = DownloadPolicy(max_bytes=2000, timeout_s=0.5, max_pixels=4_000_000,
                            allow_hosts={"127.0.0.1"})
    with ImageResolver(tmp_path / "images", download=True, policy=policy) as res:
        yield res


def test_download_ok_is_cached_by_content_hash(server: str, resolver: ImageResolver,
                                               tmp_path: Path) -> None:
    ref = resolver.resolve(ImageRef(uri=f"{server}/ok.png"))
    assert ref.status == "ok" and ref.sha256 is not None
    assert Path(ref.local_path or "").read_bytes() == SMALL
    assert Path(ref.local_path or "").name.startswith(ref.sha256)
    hits = _Handler.hits["/ok.png"]
    again = ImageResolver(tmp_path / "images", download=True,
                          policy=DownloadPolicy(allow_hosts={"127.0.0.1"})).resolve(
        ImageRef(uri=f"{server}/ok.png"))
    assert again.sha256 == ref.sha256 and _Handler.hits["/ok.png"] == hits  # no refetch


@pytest.mark.parametrize(
    ("path", "status"),
    [("/big.png", "broken"), ("/page.html", "broken"), ("/bomb.png", "broken"),
     ("/broken.jpg", "broken"), ("/absent.png", "missing"), ("/slow.png", "broken")],
)
def test_download_refusals(server: str, resolver: ImageResolver, path: str, status: str) -> None:
    ref = resolver.resolve(ImageRef(uri=f"{server}{path}"))
    assert ref.status == status and ref.local_path is None
    assert resolver.failures


def test_bad_scheme_and_no_download(tmp_path: Path) -> None:
    res = ImageResolver(tmp_path, download=True)
    assert res.resolve(ImageRef(uri="ftp://example.org/x.jpg")).status == "broken"
    off = ImageResolver(tmp_path)
    assert off.resolve(ImageRef(uri="https://example.org/x.jpg")).status == "not_downloaded"


def test_check_image_bytes() -> None:
    assert check_image_bytes(SMALL, 1000) is None
    assert "over the cap" in (check_image_bytes(BOMB, 1_000_000) or "")
    assert "not a decodable image" in (check_image_bytes(b"junk", 1000) or "")
