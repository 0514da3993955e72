"""The work dir's layout is named once (kg.workdir); reset keeps the caches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.workdir import WorkDir

ROOT = Path(__file__).resolve().parents[3]


def test_paths(tmp_path: Path) -> None:
    wd = WorkDir(tmp_path)
    assert wd.ingest("posts") == tmp_path / "ingest" / "posts.parquet"
    assert wd.distill("assertions") == tmp_path / "distill" / "assertions.parquet"
    assert wd.graph("assertions") == tmp_path / "graph" / "assertions.parquet"
    assert wd.report("load") == tmp_path / "load" / "report.json"
    assert wd.llm_cache.name == "llm_cache.sqlite" and wd.falkordb == tmp_path / "falkordb"
    with pytest.raises(ValueError, match="not a work-dir file"):
        wd.graph("nope")


def test_reset_removes_outputs_and_keeps_caches(tmp_path: Path) -> None:
    wd = WorkDir(tmp_path)
    outputs = [wd.ingest("posts"), wd.report("ingest"), wd.spool / "x", wd.distill("key_info"),
               wd.graph("intentions"), wd.report("load")]
    caches = [wd.llm_cache, Path(f"{wd.llm_cache}-wal"), wd.embeddings_cache, wd.parse_cache]
    judgments = wd.stage("eval") / "judgments.parquet"
    for path in [*outputs, *caches, judgments]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    store = tmp_path / "falkordb"
    store.mkdir()
    wd.reset(store_dir=store)
    assert not any(p.exists() for p in outputs) and not store.exists()
    assert all(p.exists() for p in caches) and judgments.exists()


# Modules that still spell work-dir paths by hand, each with the reason; the list only
# shrinks (a module that stops spelling paths must leave it).
ALLOWED = {
    "kg/workdir.py": "the layout itself",
}


def _spelled() -> re.Pattern[str]:
    """``/ "graph"``-style stage directories, or a work-dir file name after a ``/``."""
    from kg.workdir import CACHE_FILES, DISTILL_FILES, GRAPH_FILES, INGEST_FILES, STAGES

    files = [f"{n}.parquet" for n in (*INGEST_FILES, *DISTILL_FILES, *GRAPH_FILES)]
    files += [n for names in CACHE_FILES.values() for n in names] + ["report.json"]
    dirs = [*STAGES, "export", "falkordb", ".wordnet"]
    return re.compile(
        r'/ "(' + "|".join(map(re.escape, dirs)) + r')"(?![\w.])|'
        r'/ "(' + "|".join(map(re.escape, files)) + r')"|'
        r'"(' + "|".join(STAGES) + r')/[a-z_]+\.(parquet|json|sqlite)"')


def test_no_module_outside_the_work_dir_spells_a_stage_path() -> None:
    """Work-dir paths are asked of WorkDir, not written as ``workdir / "graph" / ...``."""
    spelled = _spelled()
    offenders = []
    for pkg in ("kg", "ingest", "distill", "queries", "intentkg"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED:
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{name}: {m.group(0)}" for m in spelled.finditer(text)]
    assert offenders == []


def test_the_offenders_check_catches_a_spelled_path() -> None:
    spelled = _spelled()
    for line in ('workdir / "graph" / "x"', 'wd / "embeddings.sqlite"', 'root / "ingest")',
                 'out / "assertions.parquet"', '"distill/key_info.parquet"', 'w / ".wordnet"'):
        assert spelled.search(line), line
    for line in ('example / "images" / "index.json"', 'out / "tasks.json"',
                 'out_dir / f"nodes_{label}.parquet"', 'x / "graphs"'):
        assert not spelled.search(line), line
    # an allowed module that no longer spells a path leaves the list (it only shrinks)
    stale = [name for name in ALLOWED
             if not spelled.search((ROOT / name).read_text(encoding="utf-8"))]
    assert stale == [], f"remove from ALLOWED, they use WorkDir now: {stale}"


def test_docs_show_the_layout_of_workdir_py() -> None:
    import kg.workdir

    layout = re.search(r"```\n(.*?)```", kg.workdir.__doc__ or "", re.S)
    assert layout is not None
    assert layout.group(1) in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
