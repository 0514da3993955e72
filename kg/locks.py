"""Exclusive per-directory locks for long jobs (``distill``, ``load``), presence notes of
shared users (``serve``), private run dirs, and the process helpers of the servers the
project starts (FalkorDB, llama-server).

A :class:`DirLock` is an ``fcntl`` lock on a small file in the directory it guards:
the kernel drops it when the holder exits, however it exits (``kill -9``
included), so a lock is never left behind. The file keeps the holder's pid so a
second job can say who holds it. The file itself is never removed (removing it
would let two jobs lock two different files of the same name).

Standard library only (with :mod:`kg.errors`): the FalkorDB guard, which runs as a
script, imports it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from pathlib import Path
from types import TracebackType

from kg.errors import ConfigError, IntentKGError

__all__ = ["DirLock", "LockedError", "Presence", "lock_free", "pid_alive", "private_dir",
           "process_named", "read_pid", "wait_gone"]


class LockedError(IntentKGError):
    """Another process holds the lock of a directory; the message names its pid."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip() or "x")
    return None


class DirLock:
    """Hold ``<directory>/.<job>.lock`` exclusively while a ``job`` runs on ``directory``.

    Use it as a context manager::

        with DirLock(WorkDir(workdir).stage("distill"), "distill"):
            ...

    Args:
        directory: the directory the job writes to (created when missing).
        job: the job's name, used in the file name and in the error message.

    Raises:
        LockedError: (on entry) another process holds the lock; the message names its pid.
    """

    def __init__(self, directory: Path, job: str) -> None:
        self.directory = Path(directory)
        self.job = job
        self.path = self.directory / f".{job}.lock"
        self._fd: int | None = None

    def acquire(self) -> DirLock:
        """Take the lock or raise :class:`LockedError` at once (never waits)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            os.close(fd)
            who = f"process {pid}" if pid is not None else "another process"
            raise LockedError(
                f"another `{self.job}` ({who}) is running on {self.directory}; wait for it "
                f"to finish or stop it{f' (kill {pid})' if pid is not None else ''}, "
                "then retry", pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the lock go (the file stays, empty)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)

    def __enter__(self) -> DirLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def private_dir(path: Path) -> Path:
    """Create ``path`` with mode 0700, or check that an existing one is private to us.

    A directory in a shared place (``/tmp``) that another user created, or that
    others can enter, could let them replace what we put there (a socket); it is
    refused rather than used.

    Raises:
        ConfigError: ``path`` is not a directory, is a symlink, belongs to another
            user or is open to group or others.
    """
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)
    problem = ""
    if not stat.S_ISDIR(info.st_mode):
        problem = "is not a directory (or is a symlink)"
    elif info.st_uid != os.getuid():
        problem = f"belongs to uid {info.st_uid}, not to you (uid {os.getuid()})"
    elif stat.S_IMODE(info.st_mode) & 0o077:
        problem = f"has mode {stat.S_IMODE(info.st_mode):04o}; it must be 0700"
    if problem:
        raise ConfigError(f"refusing to use {path}: it {problem}. Another user could take "
                          "over what is put there; remove it, or use a data directory with a "
                          "shorter path so the socket can live inside it")
    return path


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists and is not a zombie (reaped when it is our child)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return status.rsplit(")", 1)[-1].split()[0] != "Z"


def process_named(pid: int, program: bytes) -> bool | None:
    """Whether ``pid``'s command line names ``program`` (a recycled pid does not);
    ``None`` when the command line cannot be read (no ``/proc``)."""
    try:
        return program in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def wait_gone(pid: int, timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for process ``pid`` to end; True when it has."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


def read_pid(path: Path) -> int | None:
    """The pid written in ``path``, ``None`` when there is none (missing, empty, garbled)."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def lock_free(path: Path) -> bool:
    """True when no process holds an ``flock`` on ``path`` (or it does not exist)."""
    if not path.exists():
        return True
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


class Presence:
    """Announce that this process uses ``directory`` for ``job``, with a note others read.

    Each user holds an ``fcntl`` lock on its own ``<directory>/<job>/<pid>.lock``
    whose text is its note (e.g. the address it serves on); :meth:`others` lists the
    notes of the live holders and removes files whose holder is gone (``kill -9``
    included: the kernel drops the lock). Use it as a context manager.
    """

    def __init__(self, directory: Path, job: str, note: str) -> None:
        self.folder = Path(directory) / job
        self.note = note
        self.path = self.folder / f"{os.getpid()}.lock"
        self._fd: int | None = None

    def others(self) -> list[tuple[int, str]]:
        """``(pid, note)`` of every other live holder, by pid."""
        found: list[tuple[int, str]] = []
        for path in sorted(self.folder.glob("*.lock")) if self.folder.is_dir() else ():
            if path == self.path:
                continue
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                with contextlib.suppress(OSError, ValueError):
                    found.append((int(path.stem), os.pread(fd, 4096, 0).decode().strip()))
            else:  # nobody holds it: its process is gone
                with contextlib.suppress(OSError):
                    path.unlink()
            finally:
                os.close(fd)
        return sorted(found)

    def __enter__(self) -> Presence:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # locked and written under a name others skip, then renamed: never seen unlocked
        tmp = self.folder / f".{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, self.note.encode(), 0)
        os.rename(tmp, self.path)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(fd)
