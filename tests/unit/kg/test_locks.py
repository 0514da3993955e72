"""Work-dir locks: one job per directory, the holder named, released by any exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.locks import DirLock, LockedError, Presence, private_dir

HOLDER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from kg.locks import DirLock
lock = DirLock(Path(sys.argv[1]), "load").acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_job_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    with DirLock(tmp_path, "distill"):
        with pytest.raises(LockedError, match=rf"another `distill` \(process {os.getpid()}\)"
                                              rf" is running on {tmp_path}") as err:
            DirLock(tmp_path, "distill").acquire()
        assert err.value.pid == os.getpid()
        with DirLock(tmp_path, "load"):  # another job's lock is another lock
            pass
    with DirLock(tmp_path, "distill"):  # released on exit
        pass


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, os.fspath(tmp_path),
                               os.fspath(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(LockedError, match=f"process {holder.pid}"):
        DirLock(tmp_path, "load").acquire()
    holder.kill()
    holder.wait()
    holder.stdin.close()
    holder.stdout.close()
    DirLock(tmp_path, "load").acquire().release()  # kill -9 left nothing behind


def test_private_dir_is_created_0700_and_checked(tmp_path: Path) -> None:
    made = private_dir(tmp_path / "run")
    assert made.stat().st_mode & 0o777 == 0o700
    assert private_dir(made) == made  # ours and private: accepted again
    made.chmod(0o750)
    with pytest.raises(ConfigError, match="mode 0750"):
        private_dir(made)
    link = tmp_path / "link"
    link.symlink_to(made)
    with pytest.raises(ConfigError, match="symlink"):
        private_dir(link)


SERVER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from kg.locks import Presence
with Presence(Path(sys.argv[1]), "serve", "http://127.0.0.1:9001/"):
    print("serving", flush=True)
    sys.stdin.read()
"""


def test_presence_lists_live_users_and_forgets_killed_ones(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    other = subprocess.Popen([sys.executable, "-c", SERVER, os.fspath(tmp_path),
                              os.fspath(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert other.stdin is not None and other.stdout is not None
    assert other.stdout.readline().strip() == "serving"
    me = Presence(tmp_path, "serve", "http://127.0.0.1:9002/")
    assert me.others() == [(other.pid, "http://127.0.0.1:9001/")]
    with me:
        assert me.others() == [(other.pid, "http://127.0.0.1:9001/")]  # never itself
        assert (tmp_path / "serve" / f"{os.getpid()}.lock").read_text() == (
            "http://127.0.0.1:9002/")
    assert me.others() == [(other.pid, "http://127.0.0.1:9001/")]  # mine is gone on exit
    other.kill()
    other.wait()
    other.stdin.close()
    other.stdout.close()
    assert me.others() == []  # kill -9: its lock died with it, its file is removed
    assert list((tmp_path / "serve").glob("*.lock")) == []


def test_serve_refuses_a_second_serve_on_the_same_address(tmp_path: Path) -> None:
    from intentkg.serve_cmd import announce
    from kg.settings import Settings

    settings = Settings(workdir=tmp_path)
    root = Path(__file__).resolve().parents[3]
    first = subprocess.Popen([sys.executable, "-c", SERVER, os.fspath(settings.falkordb_dir),
                              os.fspath(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert first.stdin is not None and first.stdout is not None
    assert first.stdout.readline().strip() == "serving"
    with pytest.raises(ConfigError, match=rf"already served at http://127.0.0.1:9001/ by "
                                          rf"process {first.pid}; .* \(kill {first.pid}\)"):
        announce(settings, "http://127.0.0.1:9001/")
    assert announce(settings, "http://127.0.0.1:9002/") is not None  # another address attaches
    first.stdin.close()  # the first one stops
    first.wait()
    first.stdout.close()
    assert announce(settings, "http://127.0.0.1:9001/") is not None
