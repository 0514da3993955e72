"""``intentkg query`` and ``intentkg serve`` commands, registered on a bare Typer app."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from intentkg import serve_cmd
from kg.errors import ConfigError
from kg.store.falkordb import FalkorStore


@pytest.fixture
def app(sample_store: FalkorStore, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    # The CLI attaches to the session's running server through the usual settings.
    assert sample_store.server is not None
    monkeypatch.setenv("INTENTKG_FALKORDB__DATA_DIR", str(sample_store.server.data_dir))
    monkeypatch.setenv("INTENTKG_FALKORDB__GRAPH", sample_store.graph_name)
    from intentkg.main import app as root  # the real root, with its error boundary

    return root


def test_json_output_is_the_helpers_result(app: typer.Typer) -> None:
    res = CliRunner().invoke(app, ["query", "similar-products", "B01", "--limit", "2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["id"] for r in data] == ["B02", "B03"]


def test_tables(app: typer.Typer) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["query", "intentions-by-concept", "condition", "-r", "usedFor"])
    assert res.exit_code == 0, res.output
    assert "stay warm outdoors" in res.stdout and "usedFor" in res.stdout
    res = runner.invoke(app, ["query", "why", "B01", "B02"])
    assert res.exit_code == 0 and "bought together: yes" in res.stdout
    res = runner.invoke(app, ["query", "relation-stats"])
    assert res.exit_code == 0 and "usedFor" in res.stdout


def test_errors_are_one_line_and_exit_1(app: typer.Typer) -> None:
    res = CliRunner().invoke(app, ["query", "products-for-concept", "no such thing"])
    assert res.exit_code == 1
    assert res.stderr.strip().startswith("error: no concept named 'no such thing'")
    assert len(res.stderr.strip().splitlines()) == 1
    res = CliRunner().invoke(app, ["query", "search-intentions", "warm", "--limit", "0"])
    assert res.exit_code == 1 and "limit: Input should be greater than or equal to 1" in res.stderr
    assert "(got 0)" in res.stderr


def test_serve_refuses_remote_hosts(app: typer.Typer) -> None:
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--no-vector"])
    assert res.exit_code == 1 and "--allow-remote" in res.stderr
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        serve_cmd.check_bind(host, allow_remote=False)
    serve_cmd.check_bind("0.0.0.0", allow_remote=True)
    with pytest.raises(ConfigError, match="not a loopback"):
        serve_cmd.check_bind("example.org", allow_remote=False)


def test_new_commands(app: typer.Typer) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["query", "intentions-trend", "hiking", "--by", "month", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"period": "2024-01", "assertions": 2, "intentions": 2}]
    res = runner.invoke(app, ["query", "intentions-trend", "hiking", "--by", "week"])
    assert res.exit_code == 1 and "by:" in res.stderr
    res = runner.invoke(app, ["query", "recommend-for-basket", "B01", "B04"])
    assert res.exit_code == 0, res.output
    assert "B02" in res.stdout and "go hiking in winter" in res.stdout
    res = runner.invoke(app, ["query", "recommend-for-basket", "B01", "B04", "--json"])
    assert [r["id"] for r in json.loads(res.stdout)] == ["B02"]
    res = runner.invoke(app, ["query", "graph-summary"])
    assert res.exit_code == 0 and "14" in res.stdout


def test_score_and_acceptance_options(app: typer.Typer) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["query", "products-for-concept", "warmth", "--min-score", "0.85",
                              "--json"])
    assert res.exit_code == 0, res.output
    assert [p["id"] for p in json.loads(res.stdout)] == ["B01", "B03", "B02"]
    res = runner.invoke(app, ["query", "product-intentions", "B01", "--accepted-only", "--json"])
    assert res.exit_code == 0, res.output
    assert {(a["partner"], a["accepted"]) for a in json.loads(res.stdout)} == {
        ("B02", True), ("B07", True)}
    res = runner.invoke(app, ["query", "intentions-by-concept", "warmth", "--min-score", "1.5"])
    assert res.exit_code == 1
    assert "min_score: Input should be less than or equal to 1 (got 1.5)" in res.stderr
