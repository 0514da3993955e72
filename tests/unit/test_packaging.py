"""The built wheel holds the four packages, their data files and the console script."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "distill", "kg", "queries")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (whl,) = out.glob("intention_kg-*.whl")
    return zipfile.ZipFile(whl)


def test_wheel_has_the_four_packages_and_py_typed(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for pkg in PACKAGES:
        assert f"{pkg}/__init__.py" in names
        assert f"{pkg}/py.typed" in names
    assert not any(n.startswith(("tests/", "bench/", "examples/")) for n in names)


def test_wheel_has_every_cypher_and_prompt_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    expected = [
        p.relative_to(ROOT).as_posix()
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if p.suffix in {".cypher", ".txt", ".html", ".js"} and "__pycache__" not in p.parts
    ]
    assert any(e.endswith(".cypher") for e in expected)
    assert any("/prompts/" in e for e in expected)
    missing = [e for e in expected if e not in names]
    assert not missing


def test_wheel_declares_console_script_and_extras(wheel: zipfile.ZipFile) -> None:
    meta_dir = next(n.split("/")[0] for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    entry_points = wheel.read(f"{meta_dir}/entry_points.txt").decode()
    assert "intentkg = kg.cli.main:run" in entry_points
    metadata = wheel.read(f"{meta_dir}/METADATA").decode()
    assert "Provides-Extra: vllm" in metadata
    assert "Provides-Extra: dev" in metadata
    # torch comes from `make setup` (CPU build); a core requirement would pull a CUDA build
    requires = [ln for ln in metadata.splitlines() if ln.startswith("Requires-Dist: torch")]
    assert requires == []
