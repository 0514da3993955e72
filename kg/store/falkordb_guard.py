"""Talking to a FalkorDB server's unix socket in raw RESP, and the server's guard.

Standard library and :mod:`kg.locks` only: this file also runs as a script, the *guard* of a server
that a command started for itself (``python falkordb_guard.py DATA_DIR PID``).
Every process using the server holds a shared ``flock`` on ``<data_dir>/users.lock``
for as long as it uses it; the kernel drops that lock when the process ends,
``kill -9`` included. The guard polls for an exclusive lock: once it gets one,
nobody uses the server any more, and unless the server was made permanent
(``intentkg store start`` writes ``server.keep``) the guard stops it: the
append-only file is compacted, then the server shuts down. So a killed command
never leaves a server behind, and a server never stops under another user.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import sys
import time
from pathlib import Path

if not __package__:  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kg.locks import pid_alive, process_named, wait_gone

__all__ = [
    "KEEP_NAME",
    "USERS_NAME",
    "ServerReplyError",
    "command",
    "compact",
    "info",
    "probe",
    "shutdown",
]

USERS_NAME = "users.lock"
KEEP_NAME = "server.keep"
_POLL_S = 0.5
_COMPACT_TIMEOUT_S = 600.0


class ServerReplyError(Exception):
    """The server answered a command with an error reply (``-ERR ...``)."""


def _encode(args: tuple[str, ...]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self) -> object:
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode(errors="replace")
        if kind == b"-":
            raise ServerReplyError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line[:40]!r}")


def command(path: Path | str, *args: str, timeout_s: float = 5.0) -> object:
    """Send one command to the server on the unix socket ``path`` and return its reply.

    Raises:
        OSError: no server answers on ``path`` (``ConnectionError`` included).
        ServerReplyError: the server answered with an error.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(os.fspath(path))
        sock.sendall(_encode(args))
        return _Reader(sock).reply()


def probe(path: Path | str, timeout_s: float = 1.0) -> str:
    """``"up"`` (answers PING), ``"loading"`` (reading its data files) or ``"down"``."""
    try:
        reply = command(path, "PING", timeout_s=timeout_s)
    except ServerReplyError as exc:
        return "loading" if str(exc).startswith("LOADING") else "down"
    except (OSError, ValueError):
        return "down"
    return "up" if reply == "PONG" else "down"


def info(path: Path | str, section: str = "persistence", timeout_s: float = 5.0) -> dict[str, str]:
    """The server's ``INFO section`` as a dict of strings (answered while loading too)."""
    text = command(path, "INFO", section, timeout_s=timeout_s)
    out: dict[str, str] = {}
    for line in str(text).splitlines():
        if ":" in line and not line.startswith("#"):
            key, value = line.split(":", 1)
            out[key] = value.strip()
    return out


def compact(path: Path | str, timeout_s: float | None = None) -> float:
    """Rewrite the append-only file as one RDB snapshot (+ an empty incremental part).

    Waits for a rewrite already running, starts one, and waits until it is done,
    so a restart loads a snapshot instead of replaying every write query.

    Args:
        path: the server's unix socket.
        timeout_s: give up waiting after this long (None: wait as long as it takes).

    Returns:
        Seconds the rewrite took.

    Raises:
        OSError: the server went away.
        ServerReplyError: the rewrite failed (the message says why).
        TimeoutError: it took longer than ``timeout_s``.
    """
    start = time.monotonic()

    def busy() -> bool:
        state = info(path)
        return state.get("aof_rewrite_in_progress") == "1" or \
            state.get("aof_rewrite_scheduled") == "1"

    def wait() -> None:
        while busy():
            if timeout_s is not None and time.monotonic() - start > timeout_s:
                raise TimeoutError(f"the append-only file rewrite took over {timeout_s:g}s")
            time.sleep(0.02)

    wait()
    try:
        command(path, "BGREWRITEAOF")
    except ServerReplyError as exc:
        if "in progress" not in str(exc):  # another rewrite started meanwhile: wait for it
            raise
        wait()
        command(path, "BGREWRITEAOF")
    wait()
    status = info(path).get("aof_last_bgrewrite_status", "ok")
    if status != "ok":
        raise ServerReplyError(f"the append-only file rewrite failed (status {status}); "
                               "see the server log")
    return time.monotonic() - start


def is_server(pid: int) -> bool:
    """True when ``pid`` is a live redis-server process (a recycled pid is not)."""
    return process_named(pid, b"redis-server") is not False and pid_alive(pid)


def shutdown(sock: Path | str, pid: int | None, timeout_s: float = 30.0,
             compact_first: bool = True) -> bool:
    """Stop a server: compact its append-only file, ``SHUTDOWN``, then SIGTERM/SIGKILL.

    ``pid`` (when known) must be the server's, already checked with :func:`is_server`.

    Returns:
        True when a server was running.
    """
    live = pid is not None and pid_alive(pid)
    # A server busy committing a big batch can take seconds to answer PING.
    state = probe(sock, timeout_s=min(timeout_s, 30.0) if live else 1.0)
    running = state != "down" or live
    if state == "up":
        if compact_first:
            # Waits for a query still running (a killed loader's last batch), then
            # writes the snapshot; minutes at most for a graph of millions of edges.
            with contextlib.suppress(OSError, ServerReplyError, TimeoutError):
                compact(sock, timeout_s=max(timeout_s, _COMPACT_TIMEOUT_S))
        with contextlib.suppress(OSError, ServerReplyError):
            command(sock, "SHUTDOWN", timeout_s=timeout_s)
    if pid is not None and not wait_gone(pid, timeout_s):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # redis saves and exits on SIGTERM, even while loading
        if not wait_gone(pid, timeout_s):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_gone(pid, timeout_s)
    return running


def guard(data_dir: Path, pid: int, sock: Path) -> None:
    """Stop server ``pid`` once no process holds ``users.lock`` (unless it is kept)."""
    fd = os.open(data_dir / USERS_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        while pid_alive(pid):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(_POLL_S)
                continue
            try:
                if not (data_dir / KEEP_NAME).exists() and is_server(pid):
                    shutdown(sock, pid)
                return
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


if __name__ == "__main__":
    # Fork away (the starter waits for this parent only), in a session of our own:
    # nobody's child, and a terminal's Ctrl-C is for the command, not for us.
    if os.fork():
        os._exit(0)
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    guard(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
