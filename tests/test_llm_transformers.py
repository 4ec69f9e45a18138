"""The real `transformers` backend on a tiny chat model built and saved locally (seconds, no network),
the factory's fallback when a model cannot load, and the LLM bench for `none` and the tiny model."""

from __future__ import annotations

import pytest
from llm_fakes import build_tiny_chat_model, load_items, make_candidates

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.base import ChatMessage
from chatbot.llm.bench import run_llm_bench
from app_support import write_catalogs
from chatbot.llm.factory import NO_LLM_MODE, build_chat_model
from chatbot.llm.picker import pick_and_explain
from chatbot.llm.selling_points import SellingPointWriter
from chatbot.llm.transformers_backend import TransformersChatModel

ITEMS = load_items()
MESSAGES = [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Recommend a film.")]


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-chat-model"))


@pytest.fixture(scope="session")
def tiny(tiny_model_path):
    model = TransformersChatModel(str(tiny_model_path), threads=1)
    assert model.wait_ready(120), model.status
    return model


def test_loads_in_the_background_with_a_status(tiny_model_path):
    model = TransformersChatModel(str(tiny_model_path), threads=1)
    assert model.status in {"loading", "ready"}
    assert model.wait_ready(120) and model.status == "ready"
    assert model.describe() == f"LLM: local transformers {tiny_model_path}"


def test_chat_template_is_applied(tiny):
    prompt = tiny._tokenizer.apply_chat_template([m.model_dump() for m in MESSAGES], add_generation_prompt=True,
                                                 tokenize=False)
    assert prompt.startswith("<|im_start|>system\nBe brief.<|im_end|>")
    assert prompt.endswith("<|im_start|>assistant\n")


def test_generation_streams_several_chunks(tiny):
    chunks = list(tiny.stream(MESSAGES, max_new_tokens=24, temperature=0.0, timeout_s=60))
    assert len(chunks) >= 3 and all(isinstance(c, str) for c in chunks)
    text = "".join(chunks)
    assert text and "<|im_start|>" not in text
    assert tiny.complete(MESSAGES, max_new_tokens=24, temperature=0.0, timeout_s=60) == text  # greedy: same
    assert tiny.count_tokens(text) > 0


def test_sampling_and_early_stop_by_the_reader(tiny):
    stream = tiny.stream(MESSAGES, max_new_tokens=200, temperature=0.8, timeout_s=60)
    first = next(stream)
    stream.close()  # the reader stops: generation ends early and the lock is released
    assert isinstance(first, str)
    assert tiny.complete(MESSAGES, max_new_tokens=4, temperature=0.0, timeout_s=60)


def test_picker_falls_back_on_the_tiny_models_garbage(tiny):
    ids = [i for i in ITEMS if ITEMS[i].kind == "movie"][:4]
    events = list(pick_and_explain(tiny, "user: something grand", "", make_candidates(ITEMS, ids), "en", 3, 60.0,
                                   items=ITEMS, max_new_tokens=32, temperature=0.0))
    result = events[-1].result
    assert result.source == "fallback" and "could not be used" in result.note
    assert [p.id for p in result.picks] == ids[:3] and all(p.source == "template" for p in result.picks)


def test_selling_point_writer_on_the_tiny_model_stays_grounded(tiny):
    item = ITEMS["the-wandering-earth-2019"]
    points = SellingPointWriter(tiny, max_new_tokens=32).write(item, "en", timeout_s=60)
    assert points.source in {"llm", "template"} and 2 <= len(points.points) <= 3


def test_not_ready_model_raises_llm_error(tmp_path):
    model = TransformersChatModel(str(tmp_path / "missing"), background=False)
    assert model.status.startswith("failed")
    with pytest.raises(LLMError):
        list(model.stream(MESSAGES))


def test_factory_falls_back_to_none_when_the_model_cannot_load(tmp_path):
    handle = build_chat_model(Settings(llm_backend="transformers", llm_model=str(tmp_path / "nope"), _env_file=None))
    assert handle.wait_ready(60) is False and handle.model is None
    status = handle.status()
    assert status.state == "failed" and status.mode.startswith(NO_LLM_MODE) and "transformers unavailable" in status.mode


def test_factory_none_mode():
    status = build_chat_model(Settings(llm_backend="none", _env_file=None)).status()
    assert status.state == "off" and status.mode == NO_LLM_MODE


def test_bench_none(tmp_path):
    result = run_llm_bench(Settings(llm_backend="none", data_dir=tmp_path, catalog_dir=write_catalogs(tmp_path),
                                    _env_file=None))
    assert result["backend"] == "none" and result["ttft_ms"] is None and result["turn_ms"] > 0
    assert result["picker_source"] == "no-llm"


def test_bench_tiny_transformers(tiny_model_path, tmp_path):
    settings = Settings(llm_backend="transformers", llm_model=str(tiny_model_path), data_dir=tmp_path,
                        catalog_dir=write_catalogs(tmp_path), llm_max_new_tokens=48, candidates_for_llm=4, _env_file=None)
    result = run_llm_bench(settings, turns=2, wait_s=120)
    assert result["ttft_ms"] > 0 and result["tokens_per_s"] > 0 and result["turn_ms"] > 0
    assert result["picker_source"] == "fallback" and result["turns"] == 2
