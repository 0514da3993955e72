"""The built wheel holds the five packages, their data files and the console script."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "distill", "kg", "queries", "intentkg")


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


def test_wheel_has_the_five_packages_and_py_typed(wheel: zipfile.ZipFile) -> None:
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
    assert "intentkg = intentkg.main:run" in entry_points
    metadata = wheel.read(f"{meta_dir}/METADATA").decode()
    assert "Provides-Extra: vllm" in metadata
    assert "Provides-Extra: dev" in metadata
    # torch comes from `make setup` (CPU build); a core requirement would pull a CUDA build
    requires = [ln for ln in metadata.splitlines() if ln.startswith("Requires-Dist: torch")]
    assert requires == []


def test_every_extra_named_in_an_error_exists() -> None:
    """A "pip install 'intention-kg[X]'" hint names an extra that pyproject.toml declares."""
    import ast
    import tomllib

    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                 ["optional-dependencies"])
    named: list[tuple[str, object]] = []
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None)
                        == "MissingExtraError" and len(node.args) >= 2):
                    named.append((path.name, ast.literal_eval(node.args[1])))
    assert named, "no MissingExtraError call found: the walk is broken"
    wrong = [(f, x) for f, x in named if x is not None and x not in extras]
    assert wrong == []


def test_missing_core_dependency_does_not_name_an_extra() -> None:
    from kg.errors import MissingExtraError

    core = str(MissingExtraError("neo4j", None, "The Neo4j graph store"))
    assert "[" not in core and "core dependency" in core
    assert "pip install 'intention-kg[vllm]'" in str(MissingExtraError("vllm", "vllm", "x"))
