"""Image uris from input data are hostile: no local file outside the image folder, no SSRF.

A real HTTP server on 127.0.0.1 plays both the image host (allowed by name in the
policy, as a LAN image server would be) and the internal endpoint an attacker aims at.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from distill.images import image_part
from ingest import DownloadPolicy, ImageResolver, iter_posts, run_ingest
from ingest.images import is_public_address, load_image_map
from kg.errors import IngestError
from kg.imagecheck import read_image_file
from kg.records import ImageRef


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


PNG = _png()


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}
    port: ClassVar[int] = 0

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        _Handler.hits[path] = _Handler.hits.get(path, 0) + 1
        redirects = {
            "/to-private": "http://10.255.255.1/x.png",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-localhost": f"http://localhost:{_Handler.port}/internal-admin?token=x",
            "/to-file": "file:///etc/passwd",
            "/to-ok": "/ok.png",
            "/loop": "/loop",
        }
        if path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/drip.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for byte in PNG[:40]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            return
        body, ctype = {"/ok.png": (PNG, "image/png"),
                       "/passwd.png": (b"root:x:0:0:root:/root:/bin/bash\n", "image/png"),
                       "/internal-admin": (b"secret", "image/png")}.get(path, (b"", ""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", ctype or "text/plain")
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
    _Handler.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _resolver(tmp_path: Path, allow: frozenset[str] = frozenset({"127.0.0.1"}),
              **bounds: float) -> ImageResolver:
    policy = DownloadPolicy(allow_hosts=allow, timeout_s=bounds.get("timeout_s", 2.0),
                            deadline_s=bounds.get("deadline_s", 10.0))
    return ImageResolver(tmp_path / "cache", download=True, policy=policy)


# --- SSRF --------------------------------------------------------------------------------------

def test_loopback_is_refused_unless_allowed(server: str, tmp_path: Path) -> None:
    before = _Handler.hits.get("/internal-admin", 0)
    with _resolver(tmp_path, allow=frozenset()) as res:
        ref = res.resolve(ImageRef(uri=f"{server}/internal-admin?token=x"))
    assert ref.status == "broken" and ref.local_path is None
    assert "non-public address" in res.failures[0]
    assert _Handler.hits.get("/internal-admin", 0) == before  # never reached
    with _resolver(tmp_path) as res:
        assert res.resolve(ImageRef(uri=f"{server}/ok.png")).status == "ok"


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata", "/to-localhost", "/to-file"])
def test_every_redirect_hop_is_checked(server: str, tmp_path: Path, path: str) -> None:
    before = _Handler.hits.get("/internal-admin", 0)
    with _resolver(tmp_path) as res:
        ref = res.resolve(ImageRef(uri=f"{server}{path}"))
    assert ref.status == "broken", res.failures
    assert _Handler.hits.get("/internal-admin", 0) == before


def test_redirects_within_allowed_host_are_followed_and_bounded(server: str,
                                                                tmp_path: Path) -> None:
    with _resolver(tmp_path) as res:
        assert res.resolve(ImageRef(uri=f"{server}/to-ok")).status == "ok"
        assert res.resolve(ImageRef(uri=f"{server}/loop")).status == "broken"
        assert any("redirects" in f for f in res.failures)


@pytest.mark.parametrize("uri", [
    "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/x.png", "http://0.0.0.0:9/x",
    "http://10.1.2.3/x.png", "http://192.168.0.1/x.png", "http://224.0.0.1/x.png",
    "http://[::ffff:127.0.0.1]:9/x.png", "http://2130706433:9/x.png", "http://localhost:9/x.png",
    "http://user:pw@example.org/x.png",
])
def test_non_public_targets_are_refused_without_a_connection(tmp_path: Path, uri: str) -> None:
    with _resolver(tmp_path, allow=frozenset()) as res:
        ref = res.resolve(ImageRef(uri=uri))
    assert ref.status == "broken" and res.failures


def test_one_deadline_for_the_whole_download(server: str, tmp_path: Path) -> None:
    # 40 bytes, one every 0.1 s: each read is quick, the whole is 4 s; the deadline is 0.5 s
    with _resolver(tmp_path, timeout_s=2.0, deadline_s=0.5) as res:
        ref = res.resolve(ImageRef(uri=f"{server}/drip.png"))
    assert ref.status == "broken" and "deadline" in res.failures[0]


def test_downloaded_bytes_must_be_an_image(server: str, tmp_path: Path) -> None:
    with _resolver(tmp_path) as res:
        ref = res.resolve(ImageRef(uri=f"{server}/passwd.png"))
    assert ref.status == "broken" and "not a decodable image" in res.failures[0]


def test_public_address_rule() -> None:
    import ipaddress
    assert is_public_address(ipaddress.ip_address("93.184.216.34"))
    assert is_public_address(ipaddress.ip_address("2606:4700::1111"))
    for bad in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1",
                "fc00::1", "::ffff:10.0.0.1", "ff02::1"):
        assert not is_public_address(ipaddress.ip_address(bad)), bad


# --- local paths -------------------------------------------------------------------------------

@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    images = tmp_path / "data" / "images"
    images.mkdir(parents=True)
    (images / "a.png").write_bytes(PNG)
    (images / "notes.png").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "outside.png").write_bytes(PNG)
    (images / "link.png").symlink_to(tmp_path / "outside.png")
    os.mkfifo(images / "fifo.png")
    return tmp_path, images


@pytest.mark.parametrize(("uri", "status"), [
    ("a.png", "ok"),
    ("gone.png", "missing"),
    ("notes.png", "broken"),  # not an image, whatever its name
    ("fifo.png", "broken"),   # not a regular file; must not block
    ("link.png", "broken"),   # a symlink out of the folder
    ("../../outside.png", "broken"),
    ("/etc/passwd", "broken"),
    ("file:///etc/hostname", "broken"),
    ("file:a.png", "broken"),
    ("data:image/png;base64,AAAA", "broken"),
    ("C:\\Windows\\win.ini", "broken"),
    ("a\x00.png", "broken"),
])
def test_local_paths_stay_in_the_image_folder(folders: tuple[Path, Path], uri: str,
                                              status: str) -> None:
    root, images = folders
    res = ImageResolver(root / "work" / "images", image_dir=images)
    ref = res.resolve(ImageRef(uri=uri))
    assert ref.status == status, res.failures
    if status == "ok":
        assert ref.local_path == str((images / uri).resolve())
    else:
        assert ref.local_path is None


def test_image_map_entries_must_stay_in_the_maps_folder(folders: tuple[Path, Path]) -> None:
    root, images = folders
    good = images / "index.json"
    good.write_text(json.dumps({"https://x.example/a.jpg": "a.png",
                                "https://x.example/n.jpg": "notes.png"}))
    res = ImageResolver(root / "w", image_map=load_image_map(good))
    assert res.resolve(ImageRef(uri="https://x.example/a.jpg")).status == "ok"
    assert res.resolve(ImageRef(uri="https://x.example/n.jpg")).status == "broken"
    for target in ("/etc/passwd", "../../outside.png"):
        bad = images / "bad.json"
        bad.write_text(json.dumps({"https://x.example/p.jpg": target}))
        with pytest.raises(IngestError, match="outside the map's folder"):
            load_image_map(bad)


def test_ingest_never_reads_local_paths_from_input(folders: tuple[Path, Path]) -> None:
    root, images = folders
    src = images.parent / "posts.jsonl"
    lines = [{"id": n, "text": f"post {n} about tea", "image": uri} for n, uri in enumerate(
        ["/etc/passwd", "file:///etc/hostname", "../../outside.png", "a.png"])]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    report = run_ingest("miko", [src], root / "work", image_dir=images)
    posts = {p.source_id: p for p in iter_posts(root / "work")}
    assert [posts[str(n)].images[0].status for n in range(4)] == ["broken"] * 3 + ["ok"]
    assert report.images == {"broken": 3, "ok": 1}
    assert sum("not read" in p or "leaves the image folder" in p for p in report.problems) == 3


def test_distill_sends_only_real_images(folders: tuple[Path, Path]) -> None:
    _root, images = folders
    # a hand-edited record pointing at a system file is not sent to the model
    assert image_part(ImageRef(uri="x", status="ok", local_path="/etc/passwd")) is None
    assert image_part(ImageRef(uri="x", status="ok", local_path=str(images / "notes.png"))) is None
    part = image_part(ImageRef(uri="x", status="ok", local_path=str(images / "a.png")))
    assert part is not None and part.url.startswith("data:image/png;base64,")
    assert isinstance(read_image_file(images / "fifo.png"), str)


@pytest.mark.parametrize("allow", [True, False])
def test_cli_download_allowance_comes_from_settings(server: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   allow: bool) -> None:
    from intentkg.main import main

    monkeypatch.chdir(tmp_path)
    if allow:
        monkeypatch.setenv("INTENTKG_INGEST__DOWNLOAD_ALLOW_HOSTS", '["127.0.0.1"]')
    src = tmp_path / "posts.jsonl"
    src.write_text(json.dumps({"id": "p1", "text": "new mug", "image": f"{server}/ok.png"}) + "\n")
    assert main(["ingest", "miko", str(src), "--out", str(tmp_path / "w"), "--download-images",
                 "--no-progress"]) == 0
    (post,) = iter_posts(tmp_path / "w")
    assert post.images[0].status == ("ok" if allow else "broken")
