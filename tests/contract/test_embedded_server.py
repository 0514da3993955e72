"""Embedded-only cases: the managed FalkorDB process, its lock, socket and persistence."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import stat
import time
from pathlib import Path

import pytest
from store_rows import AWKWARD, SAMPLE_ROWS

from kg.errors import StoreError
from kg.store import dialect as d
from kg.store.cypher_files import load_cypher
from kg.store.falkordb import FalkorStore
from kg.store.falkordb_server import FalkorServer, stop_server


def load_posts(store: FalkorStore) -> None:
    store.ensure_schema(4)
    store.write_rows(load_cypher("kg.store.cypher", "posts", "falkordb"), SAMPLE_ROWS["posts"])


def post_texts(store: FalkorStore) -> list[str]:
    return [r["t"] for r in store.read("MATCH (p:Post) RETURN p.text AS t ORDER BY p.id")]


def tcp_listeners(pid: int | None) -> list[str]:
    """TCP sockets in LISTEN state owned by process ``pid``."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / fd)
        except FileNotFoundError:  # closed meanwhile by a server thread
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                found.append(line)
    return found


def test_socket_only_and_private(data_dir: Path) -> None:
    with FalkorServer(data_dir) as server:
        assert server.owned and server.is_running()
        mode = stat.S_IMODE(os.stat(server.socket_path).st_mode)
        assert mode & 0o077 == 0
        assert stat.S_IMODE(os.stat(data_dir).st_mode) & 0o077 == 0
        assert not tcp_listeners(server.pid)
    assert not server.is_running()
    assert not server.socket_path.exists()


def test_data_survives_clean_restart(data_dir: Path) -> None:
    store = FalkorStore.open(data_dir)
    load_posts(store)
    store.close()
    again = FalkorStore.open(data_dir)
    try:
        assert post_texts(again) == [AWKWARD, "second"]
        assert again.read("CALL db.constraints()")  # the schema is persisted too
    finally:
        again.close()


def test_data_survives_kill_9(data_dir: Path) -> None:
    store = FalkorStore.open(data_dir)
    load_posts(store)
    assert store.server is not None and store.server.pid is not None
    pid = store.server.pid
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    # The store restarts the server it lost and reads what was acknowledged.
    assert post_texts(store) == [AWKWARD, "second"]
    assert store.server.pid != pid
    store.close()
    again = FalkorStore.open(data_dir)
    try:
        assert post_texts(again) == [AWKWARD, "second"]
        summary = again.write_rows(load_cypher("kg.store.cypher", "posts", "falkordb"),
                                   SAMPLE_ROWS["posts"])
        assert summary.nodes_created == 0
    finally:
        again.close()


def test_second_start_attaches_instead_of_starting(data_dir: Path) -> None:
    with FalkorServer(data_dir) as first:
        second = FalkorServer(data_dir).start()
        assert not second.owned
        assert second.socket_path == first.socket_path
        second.stop()  # an attached handle leaves the server alone
        assert first.is_running()
        with pytest.raises(OSError):
            fd = os.open(first.lock_path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)


def test_lock_held_without_answering_server_fails_clearly(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    fd = os.open(data_dir / "server.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError, match="is locked by another FalkorDB server"):
            FalkorServer(data_dir, start_timeout_s=0.3).start()
    finally:
        os.close(fd)
    with FalkorServer(data_dir) as server:  # once the lock is free, it starts
        assert server.owned


def test_stale_socket_is_removed(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    stale = data_dir / "redis.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(os.fspath(stale))
    assert stale.exists()
    with FalkorServer(data_dir) as server:
        assert server.owned and server.is_running()


def test_failed_start_reports_log_tail(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    (data_dir / "appendonlydir").write_text("not a directory")
    with pytest.raises(StoreError, match="last lines of"):
        FalkorServer(data_dir, start_timeout_s=10).start()


def test_detached_server_outlives_its_starter_and_stops(data_dir: Path) -> None:
    server = FalkorServer(data_dir, detach=True).start()
    assert server.owned
    attached = FalkorStore.open(data_dir)
    assert attached.server is not None and not attached.server.owned
    attached.close()
    assert server.is_running()
    assert stop_server(data_dir)
    assert not server.is_running()
    assert not stop_server(data_dir)


def test_long_data_dir_gets_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    with FalkorServer(deep) as server:
        assert len(os.fsencode(server.socket_path)) <= 100
        assert server.is_running()


def test_vector_index_gets_the_configured_hnsw_breadths(data_dir: Path) -> None:
    store = FalkorStore.open(data_dir, ef_runtime=40, ef_construction=77)
    try:
        store.ensure_schema(8)
        rows = store.read("CALL db.indexes() YIELD label, options "
                          "WHERE label = 'IntentionVector' RETURN options")
        options = rows[0]["options"]["embedding"]
        assert (options["efRuntime"], options["efConstruction"]) == (40, 77)
        assert (options["dimension"], options["similarityFunction"]) == (8, "cosine")
    finally:
        store.close()


def test_vectors_are_indexed_on_their_own_label_created_last(data_dir: Path) -> None:
    """A restart rebuilds the label indexes in label order: the slow HNSW one comes last."""
    with FalkorStore.open(data_dir) as store:
        store.ensure_schema(2)
        rows = [{"id": f"intention:{k}", "text": f"t {k}", "aliases": [], "support": 1,
                 "abstract": False, "embedding": [1.0, float(k)] if k else None}
                for k in range(3)]
        store.write_rows(load_cypher("kg.store.cypher", "intentions", "falkordb"), rows)
        labels = [r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label")]
        assert labels[-1] == "IntentionVector"
        assert store.read("MATCH (n:IntentionVector) RETURN n.id AS id ORDER BY id") == [
            {"id": "intention:1"}, {"id": "intention:2"}]


def test_an_old_vector_index_moves_to_the_vector_label(data_dir: Path) -> None:
    with FalkorStore.open(data_dir) as store:  # as stores were written before the label
        store.write("CREATE INDEX FOR (n:Intention) ON (n.id)")
        store.write("CREATE VECTOR INDEX FOR (n:Intention) ON (n.embedding) "
                    "OPTIONS {dimension: 2, similarityFunction: 'cosine'}")
        store.write("UNWIND range(1, 3) AS k CREATE (:Intention {id: 'intention:' + "
                    "toString(k), text: 't', embedding: vecf32([1.0, toFloat(k)])})")
        store.ensure_schema(2)
        indexes = {(r["label"], tuple(r["properties"])) for r in store.read(
            "CALL db.indexes() YIELD label, properties RETURN label, properties")}
        assert ("IntentionVector", ("embedding",)) in indexes
        assert ("Intention", ("id", "text")) in indexes or ("Intention", ("id",)) in indexes
        found = store.read(d.vector_query("falkordb"), {"vector": [1.0, 3.0], "k": 1})
        assert [r["id"] for r in found] == ["intention:3"]
