"""Settings mistakes never print a secret; credentials in URLs are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.settings import load_settings

SECRET = "sk-do-not-print-4711"


def test_misspelled_secret_in_env_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTENTKG_LLM__APIKEY", SECRET)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert SECRET not in str(err.value)
    assert "llm.apikey" in str(err.value) and "api_key" in str(err.value)
    assert err.value.__suppress_context__  # the pydantic dump is not chained


def test_misspelled_secret_in_toml_is_not_echoed(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text(f'[llm]\napi_kye = "{SECRET}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(toml)
    assert SECRET not in str(err.value) and "did you mean 'api_key'" in str(err.value)


def test_bad_toml_is_one_clear_error(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text(f'[llm]\napi_key = "{SECRET}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(toml)
    assert SECRET not in str(err.value) and str(toml) in str(err.value)


@pytest.mark.parametrize(("section", "key", "url"), [
    ("llm", "base_url", f"http://user:{SECRET}@127.0.0.1:8000/v1"),
    ("llm", "base_url", f"https://{SECRET}@api.example.org/v1"),
    ("neo4j", "uri", f"bolt://neo4j:{SECRET}@db:7687"),
])
def test_credentials_in_urls_are_refused(section: str, key: str, url: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(None, **{section: {key: url}})
    assert SECRET not in str(err.value)
    assert "must not carry credentials" in str(err.value)


def test_direct_validation_errors_hide_values() -> None:
    from pydantic import ValidationError

    from kg.settings import LLMSettings
    with pytest.raises(ValidationError) as err:
        LLMSettings.model_validate({"api_kye": SECRET})
    assert SECRET not in str(err.value)


def test_cli_prints_one_line_without_the_secret(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    from intentkg.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTENTKG_LLM__APIKEY", SECRET)
    code = main(["ingest", "auto", str(tmp_path / "x.jsonl")])
    out = capsys.readouterr()
    assert code == 1
    assert SECRET not in out.err + out.out and "llm.apikey" in out.err


@pytest.mark.parametrize("command", ["distill", "run"])
def test_cli_refuses_credentials_in_base_url(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             command: str) -> None:
    from intentkg.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text('{"id": "p1", "text": "tea", "image": null}\n')
    url = f"http://user:{SECRET}@127.0.0.1:9/v1"
    args = ["distill", "-w", str(tmp_path / "w")] if command == "distill" else [
        "run", str(tmp_path / "in.jsonl"), "-w", str(tmp_path / "w")]
    code = main([*args, "--backend", "openai", "--base-url", url])
    out = capsys.readouterr()
    assert code != 0
    assert SECRET not in out.err + out.out
    assert "must not carry credentials" in out.err
