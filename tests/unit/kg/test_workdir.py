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


def test_no_module_outside_the_work_dir_spells_a_stage_path() -> None:
    """Stage paths are asked of WorkDir, not written as ``workdir / "graph" / ...``."""
    spelled = re.compile(r'/ "(ingest|distill|graph|export|falkordb)"(\s*/|$)|'
                         r'"(ingest|distill|graph)/[a-z_]+\.(parquet|json|sqlite)"')
    offenders = []
    for pkg in ("kg/export.py", "kg/graph_rows.py", "kg/load.py", "kg/settings.py",
                "intentkg/pipeline.py", "intentkg/build_cmd.py"):
        text = (ROOT / pkg).read_text(encoding="utf-8")
        offenders += [f"{pkg}: {m.group(0)}" for m in spelled.finditer(text)]
    assert offenders == []


def test_docs_show_the_layout_of_workdir_py() -> None:
    import kg.workdir

    layout = re.search(r"```\n(.*?)```", kg.workdir.__doc__ or "", re.S)
    assert layout is not None
    assert layout.group(1) in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
