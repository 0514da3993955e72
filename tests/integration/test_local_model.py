"""Distill with a real model: llama.cpp's llama-server and SmolLM2-135M-Instruct (issue 13).

Needs the binary and the weights that ``make setup`` provisions in ~/.cache/intentkg
(``python -m distill.local_model``); skipped with that hint when they are absent.
Each server here runs with one thread in its own state directory, so a server a
developer started with ``intentkg model start`` is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from distill import OpenAIBackend, arun_distill
from distill.backends import ChatRequest, ImagesUnsupported, Message
from distill.backends.base import TextPart
from distill.backends.local import LocalBackend
from distill.cobuy import filter_score
from distill.images import image_part
from distill.local_model import SMOLLM2_135M, binary_dir, file_sha256
from distill.local_server import LlamaServer, server_state, stop_local_server
from distill.prompts import load_prompt
from kg.io import read_records, write_records
from kg.records import CoBuy, ImageRef, IntentionAssertion, KeyInfo, Post, Product
from kg.settings import LLMSettings, Settings

pytestmark = pytest.mark.local_model

ROOT = Path(__file__).resolve().parents[2]
RELS = ["xIntent", "oReact", "usedFor"]
POST_RELS = ["xIntent", "oReact"]
TEXTS = ["Snow day!! Making cocoa and watching the street", "New running shoes, 10k tomorrow",
         "Finally finished painting the kitchen blue", "Our dog learned to open the fridge",
         "First tomatoes from the garden this year"]


@pytest.fixture(scope="module")
def provisioned() -> tuple[Path, Path]:
    binary = binary_dir() / "llama-server"
    weights = Path.home() / ".cache" / "intentkg" / "models" / SMOLLM2_135M.filename
    if not binary.is_file():
        pytest.skip(f"{binary} not built: run `make setup` (python -m distill.local_model)")
    if not weights.is_file() or file_sha256(weights) != SMOLLM2_135M.sha256:
        pytest.skip(f"{weights} missing or not the pinned file: run `make setup`")
    return binary, weights


def _server(provisioned: tuple[Path, Path], state_dir: Path) -> LlamaServer:
    binary, weights = provisioned
    return LlamaServer(binary, weights, SMOLLM2_135M.alias, state_dir=state_dir, threads=1,
                       slots=2, ctx_per_slot=4096)


@pytest.fixture(scope="module")
def server(provisioned: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LlamaServer]:
    srv = _server(provisioned, tmp_path_factory.mktemp("llama-state")).start()
    yield srv
    srv.stop()


def _png(path: Path, color: tuple[int, int, int]) -> ImageRef:
    Image.new("RGB", (16, 16), color).save(path)
    return ImageRef(uri=f"https://example.org/{path.name}", local_path=str(path), status="ok")


def _workdir(root: Path, n_posts: int, pairs: bool) -> Path:
    wd = root / "work"
    ing = wd / "ingest"
    ing.mkdir(parents=True)
    posts = [Post(id=f"t:{i}", source="t", source_id=str(i), text=t, clean_text=t,
                  images=[_png(root / "snow.png", (240, 240, 255))] if i == 0 else [])
             for i, t in enumerate(TEXTS[:n_posts])]
    write_records(ing / "posts.parquet", posts)
    products = [Product(id="B01", title="Fleece winter gloves",
                        images=[_png(root / "g.png", (200, 0, 0))]),
                Product(id="B02", title="Insulated steel thermos")] if pairs else []
    write_records(ing / "products.parquet", products)
    write_records(ing / "cobuys.parquet", [CoBuy.of("B02", "B01")] if pairs else [])
    return wd


def _rows(wd: Path) -> list[tuple[str, str, str | None]]:
    path = wd / "distill" / "llm_cache.sqlite"
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
        try:
            return list(db.execute("SELECT stage, response, parsed FROM calls"))
        except sqlite3.OperationalError:  # table not created yet
            return []


def _settings(wd: Path, **llm: object) -> Settings:
    return Settings(workdir=wd, llm=LLMSettings(backend="local", concurrency=2, max_retries=1,
                                                **llm))  # type: ignore[arg-type]


def test_distill_a_post_and_a_pair_end_to_end(server: LlamaServer, tmp_path: Path) -> None:
    wd = _workdir(tmp_path, 1, pairs=True)
    settings = _settings(wd)
    backend = LocalBackend(settings.llm, server=server)
    report = asyncio.run(arun_distill(wd, settings, backend, relations=RELS))
    assert report.model == SMOLLM2_135M.alias and report.backend == "local"
    # SmolLM2 takes no images: found once (from /props), text-only prompts used
    assert report.text_only, report
    assert not report.failures, report.failures
    rows = _rows(wd)
    json_rows = [r for r in rows if r[0] != "cobuy_filter"]
    assert {r[0] for r in json_rows} == {"post_image_description", "post_key_info",
                                         "post_intentions", "product_description",
                                         "cobuy_intentions"}
    for _stage, response, parsed in json_rows:  # every answer is schema JSON as written
        assert parsed is not None
        assert isinstance(json.loads(json.loads(response)["texts"][0]), dict)
    filters = [json.loads(r[1]) for r in rows if r[0] == "cobuy_filter"]
    assert all(f["top_logprobs"] for f in filters)
    assertions = read_records(wd / "distill" / "assertions.parquet", IntentionAssertion)
    assert all(a.model == SMOLLM2_135M.alias for a in assertions)
    pair = [a for a in assertions if a.subject_kind == "cobuy"]
    # a 135M model often only echoes the relation's sentence start, which is cleaned to
    # nothing; whatever survives was filtered with a score from the real logprobs
    assert all(a.filter_score is not None and 0 < a.filter_score < 1 for a in pair)
    assert all(a.prompt_version.startswith("cobuy_intentions_text_only") for a in pair)
    # the filter's question itself, through the same client: P(yes) from real logprobs
    prompt = load_prompt("cobuy_filter")
    msgs = prompt.messages(title_a="Fleece winter gloves", description_a="warm gloves",
                           title_b="Insulated steel thermos", description_b="keeps tea hot",
                           sentence="because they both are used for keeping warm outdoors")
    req = ChatRequest(model=server.alias, messages=msgs, max_tokens=48, logprobs=True,
                      top_logprobs=10)

    async def ask() -> Any:
        be = OpenAIBackend(LLMSettings(backend="openai", base_url=server.base_url,
                                       model=server.alias), api_key=server.api_key)
        try:
            return await be.complete(req)
        finally:
            await be.aclose()

    resp = asyncio.run(ask())
    score, _ = filter_score(resp.top_logprobs, resp.texts)
    assert resp.top_logprobs and score is not None and 0 < score < 1


def test_refusal_of_images_switches_to_text_only(server: LlamaServer, tmp_path: Path) -> None:
    png = tmp_path / "p.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(png)
    part = image_part(ImageRef(uri="x", local_path=str(png)))
    assert part is not None
    llm = LLMSettings(backend="openai", base_url=server.base_url, model=server.alias)
    be = OpenAIBackend(llm, api_key=server.api_key, probe=False)  # learn it from the refusal
    req = ChatRequest(model=server.alias, max_tokens=8,
                      messages=(Message("user", (part, TextPart("What is this?"))),))

    async def go() -> None:
        try:
            with pytest.raises(ImagesUnsupported):
                await be.complete(req)
            assert be.vision is False and "HTTP 500" in be.vision_note
            text = ChatRequest(model=server.alias, max_tokens=8,
                               messages=(Message.text("user", "Say hi."),))
            assert (await be.complete(text)).tokens_out > 0
        finally:
            await be.aclose()

    asyncio.run(go())


_CHILD = """
import sys
from pathlib import Path
from distill.backends.local import LocalBackend
from distill.cobuy import filter_score
from distill.local_server import LlamaServer
from distill.run import run_distill
from kg.settings import LLMSettings, Settings
wd, binary, weights, alias, state = sys.argv[1:6]
server = LlamaServer(Path(binary), Path(weights), alias, state_dir=Path(state)).start()
assert not server.owned  # attached to the test's server
settings = Settings(workdir=Path(wd), llm=LLMSettings(backend="local", concurrency=2))
run_distill(Path(wd), settings, LocalBackend(settings.llm, server=server),
            relations=["xIntent", "oReact"])
"""


def _resume(wd: Path, server: LlamaServer) -> None:
    """Re-run, then check: nothing lost, and no answer paid twice."""
    before = len(_rows(wd))
    assert before > 0
    settings = _settings(wd)
    report = asyncio.run(arun_distill(wd, settings, LocalBackend(settings.llm, server=server),
                                      relations=POST_RELS))
    after = len(_rows(wd))
    assert not report.failures, report.failures
    assert report.cached >= before  # every answer the killed run got is used
    assert after == before + report.calls  # no request answered before was asked again
    keys = read_records(wd / "distill" / "key_info.parquet", KeyInfo)
    assert {k.subject_id for k in keys} == {f"t:{i}" for i in range(4)}


def test_resume_after_kill_9_of_the_client(server: LlamaServer, tmp_path: Path) -> None:
    wd = _workdir(tmp_path, 4, pairs=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(wd), str(server.binary),
                              str(server.model_file), server.alias, str(server.state_dir)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while len(_rows(wd)) < 4 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.2)
        assert child.poll() is None, child.communicate()[0].decode()[-2000:]
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert server_state(server.state_dir) is not None  # the server lives on
    _resume(wd, server)


@pytest.fixture
def _collect_leaks() -> Iterator[None]:
    """Collect the leaked sockets inside the test that ignores them, not in the next one."""
    yield
    import gc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()


# Known leak (to fix): two client sockets to the killed server are garbage-collected
# unclosed after the run; the behaviour checked here is unaffected.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("_collect_leaks")
def test_run_survives_kill_9_of_the_model_server(provisioned: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    wd = _workdir(tmp_path, 4, pairs=False)
    state = tmp_path / "state"
    srv = _server(provisioned, state).start()
    settings = _settings(wd)
    backend = LocalBackend(settings.llm, server=srv)

    async def run_and_kill() -> Any:
        task = asyncio.ensure_future(arun_distill(wd, settings, backend, relations=POST_RELS))
        while len(_rows(wd)) < 4 and not task.done():
            await asyncio.sleep(0.2)
        assert not task.done() and srv.pid is not None
        os.kill(srv.pid, signal.SIGKILL)
        try:
            return await task
        finally:
            await backend.aclose()

    try:
        report = asyncio.run(run_and_kill())
    finally:
        srv.stop()
        stop_local_server(state)
    assert backend.restarts == 1  # the first request that found it gone started a new one
    assert not report.failures, report.failures  # 0 lost
    assert len(_rows(wd)) == report.calls  # every answer stored once: nothing paid twice
    keys = read_records(wd / "distill" / "key_info.parquet", KeyInfo)
    assert {k.subject_id for k in keys} == {f"t:{i}" for i in range(4)}
    assert server_state(state) is None  # the replacement was stopped with the backend


def test_one_server_per_model_and_clean_stop(provisioned: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = _server(provisioned, state).start()
    try:
        second = _server(provisioned, state).start()
        assert first.owned and not second.owned and second.port == first.port
        pid = first.pid
        assert pid is not None
        second.stop()  # an attached handle stops nothing
        assert server_state(state) is not None
    finally:
        first.stop()
    assert server_state(state) is None
    assert not Path(f"/proc/{pid}").exists() or b"llama-server" not in Path(
        f"/proc/{pid}/cmdline").read_bytes()


_OWNER = """
import sys, time
from pathlib import Path
from distill.local_server import LlamaServer
binary, weights, alias, state = sys.argv[1:5]
LlamaServer(Path(binary), Path(weights), alias, state_dir=Path(state), threads=1).start()
print("ready", flush=True)
time.sleep(600)
"""


def test_server_of_a_killed_command_dies_with_it(provisioned: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    state = tmp_path / "state"
    binary, weights = provisioned
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(binary), str(weights),
                              SMOLLM2_135M.alias, str(state)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == b"ready"
        info = server_state(state)
        assert info is not None
        owner.kill()  # no atexit, no cleanup: only the parent-death signal is left
        owner.wait()
        deadline = time.monotonic() + 10
        while server_state(state) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server_state(state) is None, "llama-server outlived the command that started it"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()
        stop_local_server(state)


def test_model_start_status_stop_commands(provisioned: tuple[Path, Path],
                                          tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    home = Path.home() / ".cache" / "intentkg"
    cache.mkdir()
    for sub in ("llama.cpp", "models"):  # the provisioned files, fresh server state
        (cache / sub).symlink_to(home / sub)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTENTKG_LLM__LOCAL__CACHE_DIR": str(cache)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "intentkg", "model", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=180,
                              check=False)

    assert cli("status").returncode == 1
    try:
        started = cli("start", "--threads", "1", "--slots", "1")
        assert started.returncode == 0, started.stderr
        assert "started" in started.stdout and "127.0.0.1" in started.stdout
        again = cli("start")
        assert "already running" in again.stdout
        status = cli("status")
        assert status.returncode == 0 and SMOLLM2_135M.alias in status.stdout
    finally:
        stopped = cli("stop")
    assert stopped.stdout.strip() == "stopped"
    assert cli("status").returncode == 1
