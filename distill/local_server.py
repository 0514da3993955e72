"""A llama.cpp ``llama-server`` managed as a local process, reachable only on loopback.

Like the embedded graph store: one state directory per model file
(``<cache_dir>/servers/<alias>-<hash of the model path>``) holds the lock, the
state file (pid, port), the log and a random API key (mode 0600, handed to the
server through its environment, never on a command line). The starting process
takes an exclusive ``fcntl`` lock on ``server.lock`` and passes the locked file to
the server, so the lock is held exactly as long as the server lives; a second
start finds the lock taken and attaches to the running server.

A server started for one command (``intentkg distill --backend local``) dies with
that command: it gets ``PR_SET_PDEATHSIG`` (SIGKILL when its parent dies, however
the parent dies) and is stopped at exit. ``intentkg model start`` starts a detached
server that outlives the command until ``intentkg model stop``.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import http.client
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from distill.local_model import (
    SMOLLM2_135M,
    check_gguf,
    default_cache_dir,
    ensure_binary,
    ensure_weights,
)
from kg.errors import DistillError
from kg.locks import lock_free, pid_alive, process_named, wait_gone
from kg.settings import LocalModelSettings

__all__ = ["LlamaServer", "local_server", "server_state", "settings_state_dir",
           "stop_local_server"]

log = logging.getLogger(__name__)

_LOCK, _STATE, _LOG, _KEY = "server.lock", "server.json", "server.log", "api_key"
_HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1
_LAUNCH = ("import subprocess, sys\n"
           "p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, "
           "stdout=int(sys.argv[1]), stderr=subprocess.STDOUT, "
           "pass_fds=(int(sys.argv[2]),), start_new_session=True)\n"
           "print(p.pid)\n")


def _die_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: SIGKILL the child when the thread that forked it ends (the
    command's main thread), and exit at once if the parent is already gone."""
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:  # runs in the child between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def http_get_json(port: int, path: str, *, api_key: str = "",
                  timeout_s: float = 2.0) -> tuple[int, Any]:
    """(status, parsed JSON body or None) of ``GET http://127.0.0.1:<port><path>``."""
    conn = http.client.HTTPConnection(_HOST, port, timeout=timeout_s)
    try:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read(1 << 20)
        try:
            return resp.status, json.loads(body)
        except ValueError:
            return resp.status, None
    finally:
        conn.close()


def _healthy(port: int) -> bool:
    try:
        status, _ = http_get_json(port, "/health", timeout_s=1.0)
    except OSError:
        return False
    return status == 200


def _is_llama_server(pid: int) -> bool:
    return process_named(pid, b"llama-server") is True


def state_dir_for(model_file: Path, alias: str, cache_dir: Path | None = None) -> Path:
    """The state directory of the server of ``model_file`` (one server per model file)."""
    digest = hashlib.blake2b(os.fsencode(model_file.resolve()), digest_size=6).hexdigest()
    return (cache_dir or default_cache_dir()) / "servers" / f"{alias}-{digest}"


def server_state(state_dir: Path) -> dict[str, Any] | None:
    """The state of the live server of ``state_dir`` (pid, port, alias, model_file), or None."""
    if lock_free(state_dir / _LOCK):
        return None
    try:
        state: dict[str, Any] = json.loads((state_dir / _STATE).read_text())
    except (OSError, ValueError):
        return None
    return state


def stop_local_server(state_dir: Path, *, timeout_s: float = 10.0) -> bool:
    """Stop the server of ``state_dir``, whoever started it (SIGTERM, then SIGKILL).

    Returns:
        True when a server ran and is now gone.
    """
    state = server_state(state_dir)
    pid = int(state["pid"]) if state else 0
    if not pid or not _is_llama_server(pid):
        return False  # no server, or a recycled pid: never signal it
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not wait_gone(pid, timeout_s):
        log.warning("llama-server pid %d ignored SIGTERM; killing it", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_gone(pid, timeout_s)
    return True


class LlamaServer:
    """Start, attach to and stop the llama-server of one model file.

    Args:
        binary: the ``llama-server`` executable.
        model_file: GGUF weights.
        alias: the model name the server answers as.
        state_dir: lock, state, log and key directory (default: one per model file).
        threads: CPU threads for generation and prompt processing.
        slots: parallel sequences (``--parallel``); requests beyond them wait in the client.
        ctx_per_slot: context tokens per slot.
        start_timeout_s: how long to wait for ``/health`` to answer 200.
        detach: let the server outlive this process (``intentkg model start``).
    """

    def __init__(self, binary: Path, model_file: Path, alias: str, *,
                 state_dir: Path | None = None, threads: int = 1, slots: int = 4,
                 ctx_per_slot: int = 8192, start_timeout_s: float = 120.0,
                 detach: bool = False) -> None:
        self.binary = binary
        self.model_file = model_file.resolve()
        self.alias = alias
        self.state_dir = (state_dir or state_dir_for(self.model_file, alias)).resolve()
        self.threads, self.slots, self.ctx_per_slot = threads, slots, ctx_per_slot
        self.start_timeout_s = start_timeout_s
        self.detach = detach
        self.owned = False
        self.port = 0
        self.pid: int | None = None
        self.api_key = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:<port>/v1``)."""
        return f"http://{_HOST}:{self.port}/v1"

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.state_dir / _LOG

    def start(self) -> LlamaServer:
        """Start the server, or attach to the one already serving this model file.

        Raises:
            DistillError: it exited or did not become ready in time (with its log tail).
        """
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.state_dir / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self._attach()
        try:
            self._spawn(fd)
        finally:
            os.close(fd)  # the server holds its own copy of the locked file
        return self

    def _attach(self) -> LlamaServer:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            state = server_state(self.state_dir)
            if state is not None and _healthy(int(state["port"])):
                self.port, self.pid = int(state["port"]), int(state["pid"])
                self.api_key = (self.state_dir / _KEY).read_text().strip()
                self.owned = False
                log.info("attached to llama-server pid %s on port %s", self.pid, self.port)
                return self
            if state is None and lock_free(self.state_dir / _LOCK):
                return self.start()  # it died meanwhile: start our own
            time.sleep(0.2)
        raise DistillError(f"{self.state_dir} is locked by a llama-server that does not "
                           f"answer; stop it with `intentkg model stop`.{self._log_tail()}")

    def _spawn(self, lock_fd: int) -> None:
        self.port = _free_port()
        self.api_key = secrets.token_urlsafe(24)
        key_path = self.state_dir / _KEY
        key_path.unlink(missing_ok=True)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.api_key + "\n")
        args = [str(self.binary), "--model", str(self.model_file), "--alias", self.alias,
                "--host", _HOST, "--port", str(self.port),
                "--threads", str(self.threads), "--threads-batch", str(self.threads),
                "--parallel", str(self.slots), "--ctx-size", str(self.ctx_per_slot * self.slots),
                "--no-webui", "--slots", "--no-warmup"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LLAMA_API_KEY": self.api_key}
        log.info("starting llama-server (%s) on %s:%d", self.alias, _HOST, self.port)
        with (self.state_dir / _LOG).open("ab") as logf:
            if self.detach:
                # a launcher starts the server in its own session and exits at once, so
                # the server is nobody's child and outlives this process
                done = subprocess.run(
                    [sys.executable, "-c", _LAUNCH, str(logf.fileno()), str(lock_fd), *args],
                    pass_fds=(lock_fd, logf.fileno()), env=env, cwd=self.state_dir,
                    stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                    check=False)
                if done.returncode != 0 or not done.stdout.strip().isdigit():
                    raise DistillError(f"could not launch llama-server: {done.stderr[-400:]}")
                proc, self.pid = None, int(done.stdout.strip())
            else:
                proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=logf,
                                        stderr=subprocess.STDOUT, pass_fds=(lock_fd,),
                                        env=env, cwd=self.state_dir,
                                        preexec_fn=_die_with(os.getpid()))
                self.pid = proc.pid
        self._proc, self.owned = proc, True
        (self.state_dir / _STATE).write_text(json.dumps({
            "pid": self.pid, "port": self.port, "alias": self.alias,
            "model_file": str(self.model_file), "threads": self.threads, "slots": self.slots,
            "started_at": time.time()}))
        if not self.detach:
            atexit.register(self.stop)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if (proc.poll() is not None) if proc is not None else not pid_alive(self.pid):
                self._proc, self.owned = None, False
                raise DistillError(f"llama-server exited while starting.{self._log_tail()}")
            if _healthy(self.port):
                log.info("llama-server pid %d ready on port %d", self.pid, self.port)
                return
            time.sleep(0.1)
        self.stop()
        raise DistillError(f"llama-server did not become ready within "
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
        if proc is None:
            stop_local_server(self.state_dir, timeout_s=timeout_s)
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _model_and_alias(settings: LocalModelSettings) -> tuple[Path, str]:
    if settings.model_file is not None:
        model_file = settings.model_file.expanduser()
        return model_file, settings.alias or model_file.stem
    models = (settings.cache_dir or default_cache_dir()) / "models"
    return models / SMOLLM2_135M.filename, settings.alias or SMOLLM2_135M.alias


def settings_state_dir(settings: LocalModelSettings) -> tuple[Path, str]:
    """(state directory, alias) of the server ``settings`` describe; needs no binary."""
    model_file, alias = _model_and_alias(settings)
    return state_dir_for(model_file.resolve(), alias, settings.cache_dir), alias


def local_server(settings: LocalModelSettings, *, detach: bool = False,
                 build: bool = True) -> LlamaServer:
    """A (not yet started) :class:`LlamaServer` for ``settings``.

    The binary is built and the default weights fetched and verified when missing
    (``build=False`` raises instead of building).

    Raises:
        ConfigError: a named model file is missing or not GGUF, or the binary is missing.
        DistillError: building, downloading or verifying failed.
    """
    cache = settings.cache_dir
    binary = ensure_binary(cache, build=build)
    model_file, alias = _model_and_alias(settings)
    if settings.model_file is not None:
        check_gguf(model_file)
    else:
        model_file = ensure_weights(SMOLLM2_135M, cache)
    return LlamaServer(binary, model_file, alias,
                       state_dir=state_dir_for(model_file.resolve(), alias, cache),
                       threads=settings.threads, slots=settings.slots,
                       ctx_per_slot=settings.ctx_per_slot,
                       start_timeout_s=settings.start_timeout_s, detach=detach)
