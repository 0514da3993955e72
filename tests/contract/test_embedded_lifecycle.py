"""Embedded server lifecycle: snapshots, kill -9 at random points, many users, guard, SIGTERM.

Sizes are small (the restart bench in ``bench/bench_store_restart.py`` does the big
ones); every kill case ends with a checksum of all ids and edges compared with a
clean load's.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ConfigError, StoreError
from kg.store import dialect as d
from kg.store.cypher_files import load_cypher
from kg.store.falkordb import FalkorStore
from kg.store.falkordb_server import FalkorServer, stop_server

ROOT = Path(__file__).resolve().parents[2]
POSTS = load_cypher("kg.store.cypher", "posts", "falkordb")
INTENTIONS = load_cypher("kg.store.cypher", "intentions", "falkordb")
EDGES = d.assertion_edge_query("xIntent", "post")
N_POSTS = 1500
N_EDGES = 3000

# A loader in a child process: what `intentkg load` does, in small batches.
LOADER = f"""
import sys
sys.path.insert(0, {os.fspath(ROOT)!r})
sys.path.insert(0, {os.fspath(Path(__file__).parent)!r})
from pathlib import Path
from test_embedded_lifecycle import load_all
from kg.store.falkordb import FalkorStore
store = FalkorStore.open(Path(sys.argv[1]), graph="g")
print("ready", flush=True)
if sys.argv[2] == "load":
    load_all(store)
    store.checkpoint()
else:
    sys.stdin.read()
store.close()
"""


def post_rows() -> Iterator[dict[str, Any]]:
    for i in range(N_POSTS):
        yield {"id": f"t:{i}", "source": "t", "source_id": str(i), "text": f"post {i}",
               "clean_text": f"post {i}", "lang": "en", "created_at": None, "author": None,
               "label": None, "hashtags": []}


def intention_rows() -> Iterator[dict[str, Any]]:
    for i in range(N_POSTS // 3):
        yield {"id": f"intention:{i}", "text": f"intention {i}", "aliases": [], "support": 1,
               "abstract": None, "embedding": None}


def edge_rows() -> Iterator[dict[str, Any]]:
    rng = random.Random(3)
    for i in range(N_EDGES):
        row: dict[str, Any] = {p: None for p in d.ASSERTION_PROPERTIES}
        row.update(id=f"a:{i}", subject_id=f"t:{rng.randrange(N_POSTS)}",
                   intention_id=f"intention:{rng.randrange(N_POSTS // 3)}",
                   relation="xIntent", text="t", raw_text="t", keep=True)
        yield row


def load_all(store: FalkorStore) -> None:
    store.ensure_schema(None)
    store.write_rows(POSTS, post_rows(), 100)
    store.write_rows(INTENTIONS, intention_rows(), 100)
    store.write_rows(EDGES, edge_rows(), 100)


def checksum(store: FalkorStore) -> tuple[str, int, int]:
    h = hashlib.sha256()
    posts = sorted(r["i"] for r in store.read("MATCH (n:Post) RETURN n.id AS i"))
    intentions = sorted(r["i"] for r in store.read("MATCH (n:Intention) RETURN n.id AS i"))
    edges = sorted(f"{r['a']}|{r['r']}|{r['b']}" for r in store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, r.id AS r, b.id AS b"))
    for part in (posts, intentions, edges):
        h.update("\n".join(part).encode() + b"\0")
    return h.hexdigest(), len(posts) + len(intentions), len(edges)


@pytest.fixture(scope="module")
def clean_sum(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int, int]:
    with FalkorStore.open(tmp_path_factory.mktemp("clean") / "db", graph="g") as store:
        load_all(store)
        got = checksum(store)
    assert got[1:] == (N_POSTS + N_POSTS // 3, N_EDGES)
    return got


def lock_free(data_dir: Path) -> bool:
    fd = os.open(data_dir / "server.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def wait_stopped(data_dir: Path, within_s: float = 60) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if lock_free(data_dir):
            return True
        time.sleep(0.1)
    return False


def spawn(data_dir: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", LOADER, os.fspath(data_dir), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def reap(proc: subprocess.Popen[str]) -> None:
    """Close a child's stdin (a waiting child then ends), wait for it, close its stdout."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    proc.wait()
    proc.stdout.close()


def test_a_stopped_store_restarts_from_a_snapshot(data_dir: Path,
                                                  clean_sum: tuple[str, int, int]) -> None:
    with FalkorStore.open(data_dir, graph="g") as store:
        load_all(store)
    aof = data_dir / "appendonlydir"
    [base] = aof.glob("*.base.rdb")
    [incr] = aof.glob("*.incr.aof")
    assert base.stat().st_size > 10_000 and incr.stat().st_size == 0  # nothing to replay
    with FalkorStore.open(data_dir, graph="g") as again:
        assert checksum(again) == clean_sum
        assert "Constraint already exists" not in (data_dir / "server.log").read_text()


def test_kill_9_of_the_server_in_a_load_loses_and_duplicates_nothing(
        data_dir: Path, clean_sum: tuple[str, int, int]) -> None:
    store = FalkorStore.open(data_dir, graph="g")
    store.ensure_schema(None)
    killed = []

    def posts_killing_the_server() -> Iterator[dict[str, Any]]:
        for i, row in enumerate(post_rows()):
            if i in (250, 1100):  # mid-stream, with a batch in flight
                assert store.server is not None and store.server.pid is not None
                killed.append(store.server.pid)
                os.kill(store.server.pid, signal.SIGKILL)
            yield row

    store.write_rows(POSTS, posts_killing_the_server(), 100)
    store.write_rows(INTENTIONS, intention_rows(), 100)
    store.write_rows(EDGES, edge_rows(), 100)
    try:
        assert len(set(killed)) == 2  # the store restarted the server after the first kill
        assert checksum(store) == clean_sum
    finally:
        store.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_of_the_loader_at_a_random_point(data_dir: Path, seed: int,
                                                clean_sum: tuple[str, int, int]) -> None:
    loader = spawn(data_dir, "load")
    time.sleep(random.Random(seed).uniform(0.0, 2.0))
    loader.kill()
    reap(loader)
    assert wait_stopped(data_dir)  # the guard stopped the orphaned server
    with FalkorStore.open(data_dir, graph="g") as store:
        load_all(store)  # a second load completes the first
        assert checksum(store) == clean_sum


def test_kill_9_of_loader_and_server_at_once(data_dir: Path,
                                             clean_sum: tuple[str, int, int]) -> None:
    loader = spawn(data_dir, "load")
    pid_file = data_dir / "server.pid"
    deadline = time.monotonic() + 120  # a loaded machine may take a while to start it
    while time.monotonic() < deadline:
        text = pid_file.read_text().strip() if pid_file.is_file() else ""
        if text.isdigit():
            break
        time.sleep(0.05)
    pid = int(text)
    time.sleep(0.3)  # into the load (a quiet machine loads the test graph in about a second)
    loader.kill()
    os.kill(pid, signal.SIGKILL)
    reap(loader)
    with FalkorStore.open(data_dir, graph="g") as store:
        load_all(store)
        assert checksum(store) == clean_sum


def test_the_last_user_stops_the_server_not_the_first(data_dir: Path) -> None:
    first = FalkorServer(data_dir).start()
    second = FalkorServer(data_dir).start()
    assert first.owned and not second.owned
    first.stop()
    assert second.is_running()  # its starter is gone; another user still works on it
    second.stop()
    assert not second.is_running() and lock_free(data_dir)


def test_the_guard_stops_the_server_of_a_killed_command(data_dir: Path) -> None:
    user = spawn(data_dir, "wait")
    user.kill()
    reap(user)
    assert wait_stopped(data_dir)
    assert not FalkorServer(data_dir).is_running()


def test_the_guard_leaves_a_server_that_others_use(data_dir: Path) -> None:
    starter = spawn(data_dir, "wait")
    with FalkorServer(data_dir) as attached:
        assert not attached.owned
        starter.kill()
        reap(starter)
        time.sleep(1.5)  # three guard polls
        assert attached.is_running()
    assert wait_stopped(data_dir, 10)


def test_store_start_adopts_a_running_server(data_dir: Path) -> None:
    starter = spawn(data_dir, "wait")
    adopter = FalkorServer(data_dir, detach=True).start()
    assert adopter.adopted and not adopter.owned
    adopter.release()
    reap(starter)  # closing its stdin ends it normally, as the last user
    assert adopter.is_running()  # permanent now: only `store stop` ends it
    assert stop_server(data_dir)
    assert not adopter.is_running()


def test_sigterm_to_serve_stops_the_server_it_started(tmp_path: Path) -> None:
    workdir = tmp_path / "w"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "INTENTKG_WORKDIR": os.fspath(workdir),
           "PYTHONPATH": os.fspath(ROOT)}
    serve = subprocess.Popen([sys.executable, "-m", "intentkg", "serve", "--no-vector",
                              "--port", str(port)], env=env, cwd=tmp_path,
                             stderr=subprocess.PIPE, text=True)
    assert serve.stderr is not None
    assert "serving on" in serve.stderr.readline()
    data_dir = workdir / "falkordb"
    assert FalkorServer(data_dir).is_running()
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=60) != 0
    serve.stderr.close()
    # Stopped by the command itself (its `finally`), not left to the guard: the lock is
    # free as soon as the command has exited.
    assert lock_free(data_dir)


def test_a_dead_server_is_reported_as_stopped(data_dir: Path) -> None:
    with FalkorServer(data_dir) as server:
        store = FalkorStore(server.socket_path)  # no handle: it cannot restart the server
        assert stop_server(data_dir)
        with pytest.raises(StoreError, match="the FalkorDB server stopped") as err:
            store.read("MATCH (n) RETURN n")
        assert "rejected the query" not in str(err.value)
        with pytest.raises(StoreError, match="the FalkorDB server stopped"):
            store.write_rows(POSTS, post_rows(), 100)
        store.close()


def test_a_server_that_cannot_be_restarted_is_reported(data_dir: Path) -> None:
    store = FalkorStore.open(data_dir, start_timeout_s=0.5)
    assert store.server is not None and store.server.pid is not None
    os.kill(store.server.pid, signal.SIGKILL)
    time.sleep(0.2)
    fd = os.open(data_dir / "server.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a hung server would hold it
    try:
        with pytest.raises(StoreError, match=r"the FalkorDB server stopped.*restarting it failed"):
            store.read("MATCH (n) RETURN n")
    finally:
        os.close(fd)
        store.close()


def test_a_loading_server_is_waited_for_past_the_timeout(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    fd = os.open(data_dir / "server.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # "another process runs the server"
    sock_path = data_dir / "redis.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.fspath(sock_path))
    listener.listen()
    loading_until = time.monotonic() + 1.5

    def serve_resp() -> None:  # a server that reports LOADING for a while, then PONG
        while True:
            conn, _ = listener.accept()
            with conn:
                if not conn.recv(1024):
                    return
                busy = time.monotonic() < loading_until
                conn.sendall(b"-LOADING Redis is loading the dataset in memory\r\n" if busy
                             else b"+PONG\r\n")
                if not busy:
                    return

    thread = threading.Thread(target=serve_resp, daemon=True)
    thread.start()
    try:
        server = FalkorServer(data_dir, start_timeout_s=0.3).start()
        assert not server.owned
        server.release()
    finally:
        thread.join(5)
        listener.close()
        os.close(fd)


def test_a_hostile_runtime_dir_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(tmp_path))
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    runtime = tmp_path / f"intentkg-{os.getuid()}"
    runtime.mkdir(mode=0o755)
    runtime.chmod(0o755)
    with pytest.raises(ConfigError, match="mode 0755"):
        FalkorServer(deep)
    runtime.rmdir()
    runtime.symlink_to(tmp_path)
    with pytest.raises(ConfigError, match="not a directory"):
        FalkorServer(deep)
    runtime.unlink()
    if os.getuid() == 0:
        runtime.mkdir(mode=0o700)
        os.chown(runtime, 65534, 65534)
        with pytest.raises(ConfigError, match="belongs to uid 65534"):
            FalkorServer(deep)
        runtime.rmdir()
    server = FalkorServer(deep)  # a fresh one is created private
    assert server.socket_path.parent == runtime
    assert runtime.stat().st_mode & 0o777 == 0o700
