"""The API against hostile requests: Host header, security headers, one error shape, no leaks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.store.falkordb import FalkorStore
from queries.api import LOOPBACK_HOSTS, SECURITY_HEADERS, allowed_hosts_for, create_app

LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def client(sample_store: FalkorStore) -> Iterator[TestClient]:
    with TestClient(create_app(sample_store, None), base_url=LOCAL) as c:
        yield c


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:8765", "", "10.0.0.5"])
def test_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    r = client.get("/api/health", headers={"host": host})
    assert r.status_code == 421
    assert set(r.json()) == {"error"} and "Host" in r.json()["error"]


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"])
def test_loopback_host_headers_pass(client: TestClient, host: str) -> None:
    assert client.get("/api/health", headers={"host": host}).status_code == 200


def test_bound_address_is_strict_about_the_port(sample_store: FalkorStore) -> None:
    allowed = allowed_hosts_for("127.0.0.1", 8765)
    assert allowed is not None and "localhost:8765" in allowed and "127.0.0.1" not in allowed
    assert allowed_hosts_for("0.0.0.0", 8765) is None
    assert allowed_hosts_for("::1", 9000) == frozenset(f"{h}:9000" for h in LOOPBACK_HOSTS)
    with TestClient(create_app(sample_store, None, allowed_hosts=allowed),
                    base_url=LOCAL) as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"host": "127.0.0.1:9999"}).status_code == 421


@pytest.mark.parametrize("path", ["/api/health", "/web/index.html", "/web/app.js", "/nowhere",
                                  "/api/intentions/search?q=", "/"])
def test_security_headers_on_every_answer(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    for key, value in SECURITY_HEADERS.items():
        assert r.headers.get(key) == value, (path, key)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_docs_do_not_load_from_a_cdn(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/nowhere", 404), ("POST", "/api/health", 405), ("DELETE", "/api/graph", 405),
    ("GET", "/api/intentions/search?q=warm&limit=0", 422),
    ("GET", "/api/graph?kind=cobuy&id=x", 422),
])
def test_every_error_has_one_shape(client: TestClient, method: str, path: str,
                                   status: int) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    assert "\n" not in body["error"]


def test_store_failure_exposes_no_socket_path_or_cypher(tmp_path: Path) -> None:
    store = FalkorStore.open(tmp_path / "secret-dir", graph="gone")
    assert store.server is not None
    sock = store.server.socket_path
    data_dir = store.server.data_dir
    store.server.stop()
    # ...and cannot come back: the store restarts a stopped server, so put a file where its
    # data directory was (the restart then fails, with the path in the store's own message).
    import shutil

    shutil.rmtree(data_dir)
    data_dir.write_text("not a directory")
    with TestClient(create_app(store, None), base_url=LOCAL) as c:
        r = c.get("/api/concepts/stats")
        assert r.status_code == 503
        text = r.text
        assert set(r.json()) == {"error"}
        for leak in (str(sock), "secret-dir", "MATCH", "RETURN", ".sock"):
            assert leak not in text
        assert r.headers["x-content-type-options"] == "nosniff"
    store.close()


class _BrokenEncoder:
    """An embedder whose model fails (out of memory, a missing file) with an internal path."""

    def encode(self, texts: object) -> object:
        raise RuntimeError("cannot read /srv/secret-models/model.safetensors")


def test_unexpected_failure_is_500_without_details(sample_store: FalkorStore) -> None:
    with TestClient(create_app(sample_store, _BrokenEncoder()), base_url=LOCAL,
                    raise_server_exceptions=False) as c:
        r = c.get("/api/intentions/similar", params={"q": "warm"})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error; see the server log"}
    assert "secret-models" not in r.text
    assert r.headers["x-frame-options"] == "DENY"
