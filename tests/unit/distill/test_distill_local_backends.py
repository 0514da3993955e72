"""Local backends: transformers with a tiny random model built here; vLLM on a GPU only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from distill import run_distill
from distill.backends import ChatRequest, Message
from kg.errors import ConfigError, DistillError, MissingExtraError
from kg.settings import LLMSettings, Settings


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight 2-layer GPT-2 with a word-level tokenizer, saved locally (no download)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    words = ["<pad>", "<unk>", "<eos>", "{", "}", '"', ":", ",", "yes", "no", "description",
             "user", "assistant", "system", "the", "a", "image", "post", "json"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                   eos_token="<eos>")
    config = GPT2Config(vocab_size=len(words), n_positions=512, n_embd=16, n_layer=2, n_head=2,
                        bos_token_id=2, eos_token_id=2, pad_token_id=0)
    out = tmp_path_factory.mktemp("tiny-gpt2")
    GPT2LMHeadModel(config).save_pretrained(out)
    fast.save_pretrained(out)
    return out


def _llm(path: Path) -> LLMSettings:
    return LLMSettings(backend="transformers", model="tiny", model_path=path, max_tokens=8)


async def test_transformers_generates_text_and_logprobs(tiny_model_dir: Path) -> None:
    from distill.backends.transformers_local import TransformersBackend

    be = TransformersBackend(_llm(tiny_model_dir), device="cpu")
    req = ChatRequest(model="tiny", messages=(Message.text("system", "json"),
                                              Message.text("user", "the post image")),
                      max_tokens=6, logprobs=True, top_logprobs=3)
    resp = await be.complete(req)
    await be.aclose()
    assert len(resp.texts) == 1 and isinstance(resp.texts[0], str)
    assert resp.tokens_in > 0 and 0 < resp.tokens_out <= 6
    assert resp.top_logprobs and len(resp.top_logprobs[0]) == 3
    assert all(v <= 0 for v in resp.top_logprobs[0].values())


def test_transformers_garbage_is_recorded_not_raised(tiny_model_dir: Path,
                                                     workdir: Path) -> None:
    from distill.backends.transformers_local import TransformersBackend

    settings = Settings(workdir=workdir, llm=_llm(tiny_model_dir))
    be = TransformersBackend(settings.llm, device="cpu")
    with pytest.raises(DistillError, match="produced nothing"):  # random weights: no JSON at all
        run_distill(workdir, settings, be, relations=["xIntent"])
    report = (workdir / "distill" / "report.json").read_text()
    assert '"post_key_info"' in report and "unusable answer after one re-ask" in report


def test_transformers_needs_a_model_dir(tmp_path: Path) -> None:
    from distill.backends.transformers_local import TransformersBackend

    with pytest.raises(ConfigError, match=r"llm\.model_path"):
        TransformersBackend(_llm(tmp_path / "nope"))


def test_vllm_missing_names_the_extra() -> None:
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed")
    from distill.backends.vllm_offline import VLLMBackend

    with pytest.raises(MissingExtraError, match=r"intention-kg\[vllm\]"):
        VLLMBackend(LLMSettings(backend="vllm"))


@pytest.mark.gpu
async def test_vllm_offline_structured_json() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("vllm")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    import os

    model = os.environ.get("INTENTKG_TEST_VLLM_MODEL")
    if not model or not Path(model).is_dir():
        pytest.skip("set INTENTKG_TEST_VLLM_MODEL to a local model directory")
    from distill.backends.vllm_offline import VLLMBackend

    be = VLLMBackend(LLMSettings(backend="vllm", model="m", model_path=Path(model)),
                     gpu_memory_utilization=0.5, max_model_len=2048)
    schema = {"type": "object", "properties": {"description": {"type": "string"}},
              "required": ["description"], "additionalProperties": False}
    req = ChatRequest(model="m", messages=(Message.text("user", "Describe snow as JSON."),),
                      json_schema=schema, max_tokens=64)
    resp = await be.complete(req)
    await be.aclose()
    import json

    assert isinstance(json.loads(resp.texts[0])["description"], str)
