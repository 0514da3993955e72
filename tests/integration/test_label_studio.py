"""The annotation round trip through a real Label Studio server (local SQLite).

Label Studio lives in its own virtualenv (``make label-studio`` → ``.venv-ls``; it pins
numpy, redis and pyarrow below this project's), so the server and label-studio-sdk run from
there: ``label_studio_driver.py`` creates the project from our labeling config, imports our
tasks, posts two annotators' judgments and exports the project as JSON; the import and the
checks run here. Without ``.venv-ls`` the tests skip and say how to install it; when the
server does not come up, the round trip skips with the server's last log lines, and the
formats are still checked with the SDK's own parser (LabelInterface).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.annotation import make_workdir

from kg.evaluation.annotate import export_project, parse_export
from kg.evaluation.judgments import read_judgments, store_judgments
from kg.evaluation.layout import EvalPaths

ROOT = Path(__file__).resolve().parents[2]
LS_VENV = Path(os.environ.get("INTENTKG_TEST_LABEL_STUDIO_VENV", ROOT / ".venv-ls"))
LS_PY = LS_VENV / "bin" / "python"
LS_BIN = LS_VENV / "bin" / "label-studio"
DRIVER = Path(__file__).with_name("label_studio_driver.py")
TOKEN = "0123456789abcdef0123456789abcdef01234567"
START_TIMEOUT_S = 600  # first start runs every migration: ~5 min on a busy 2-core machine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not LS_BIN.is_file(), reason=f"Label Studio is not installed in "
                       f"{LS_VENV}; run `make label-studio`"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    log = data / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTENTKG_", "LABEL_"))}
    env.update(LABEL_STUDIO_BASE_DATA_DIR=str(data), DJANGO_DB="sqlite")
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [str(LS_BIN), "start", "--no-browser", "--data-dir", str(data), "--internal-host",
             "127.0.0.1", "-p", str(port), "--username", "first@example.org", "--password",
             "first-annotator-pw", "--user-token", TOKEN, "--enable-legacy-api-token"],
            stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=data, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/version", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-1500:]
                pytest.skip(f"Label Studio server did not come up (exit {proc.poll()}): {tail}")
            time.sleep(3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _driver(*args: str) -> dict[str, object]:
    proc = subprocess.run([str(LS_PY), str(DRIVER), *args], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_formats_pass_label_studios_own_parser(tmp_path: Path) -> None:
    wd = make_workdir(tmp_path / "w")
    export_project(wd, tmp_path / "ls", per_relation=3, seed=1)
    report = _driver("validate", str(tmp_path / "ls"))
    assert report == {"tasks": 12, "bad_tasks": [], "annotation_ok": True,
                      "controls": ["comment", "plausible", "typical"]}


def test_round_trip_through_a_real_server(server: str, tmp_path: Path) -> None:
    wd = make_workdir(tmp_path / "w")
    export_project(wd, tmp_path / "ls", per_relation=3, seed=1)
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    ids = [t["data"]["assertion_id"] for t in tasks]
    # annotator 0 (the server's first user) judges every task, annotator 1 all but the last
    verdicts = {aid: [[0, i % 2 == 0, True, f"first on {i}"]]
                + ([[1, i % 3 != 0, False, ""]] if i < len(ids) - 1 else [])
                for i, aid in enumerate(ids)}
    vpath = tmp_path / "verdicts.json"
    vpath.write_text(json.dumps(verdicts))
    export = tmp_path / "export.json"
    posted = _driver("roundtrip", server, TOKEN, str(tmp_path / "ls"), str(vpath), str(export))
    assert posted["tasks"] == 12 and posted["annotations"] == 23
    judgments, unannotated = parse_export(export, wd)
    assert unannotated == 0 and len(judgments) == 23
    total, added, _ = store_judgments(EvalPaths(wd).judgments, judgments)
    assert total == added == 23
    stored = {(j.assertion_id, j.annotator): j for j in read_judgments(EvalPaths(wd).judgments)}
    annotators = sorted({a for _, a in stored})
    assert annotators == ["user:" + str(u) for u in sorted(posted["users"])]  # type: ignore[arg-type]
    first = "user:" + str(posted["users"][0])  # type: ignore[index]
    for i, aid in enumerate(ids):
        j = stored[(aid, first)]
        assert (j.plausible, j.typical, j.comment) == (i % 2 == 0, True, f"first on {i}")
