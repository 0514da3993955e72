"""Work-dir locks: one job per directory, the holder named, released by any exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.locks import DirLock, LockedError, private_dir

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
