"""The real `transformers` backend (a LangChain chat model) on a tiny chat model built and saved locally
(seconds, no network); a GGUF file through transformers; the factory's fallback when a model cannot load."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from llm_fakes import SMOLLM2_GGUF, build_tiny_chat_model, load_items, make_candidates

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.factory import NO_LLM_MODE, build_chat_model
from chatbot.llm.picker import PickRequest, pick_and_explain
from chatbot.llm.selling_points import SellingPointWriter
from chatbot.llm.transformers_backend import ChatLocalTransformers, TransformersRuntime

ITEMS = load_items()
MESSAGES = [SystemMessage("Be brief."), HumanMessage("Recommend a film.")]


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-chat-model"))


@pytest.fixture(scope="session")
def tiny(tiny_model_path):
    runtime = TransformersRuntime(str(tiny_model_path), threads=1)
    assert runtime.load.wait(120), runtime.load.failure
    return ChatLocalTransformers(runtime=runtime, max_tokens=24, temperature=0.0)


def test_loads_in_the_background_with_a_status(tiny_model_path):
    handle = build_chat_model(Settings(llm_model=str(tiny_model_path), llm_threads=1, _env_file=None))
    assert handle.backend == "transformers" and handle.status().state in {"loading", "ready"}
    assert handle.wait_ready(120) and handle.status().mode.startswith(f"LLM: local transformers {tiny_model_path.name}")


def test_chat_template_is_applied(tiny):
    tokenizer, _ = tiny.runtime.load.get()
    prompt = tokenizer.apply_chat_template([{"role": "system", "content": "Be brief."}], add_generation_prompt=True,
                                           tokenize=False)
    assert prompt.startswith("<|im_start|>system\nBe brief.<|im_end|>") and prompt.endswith("<|im_start|>assistant\n")


def test_generation_streams_several_chunks_with_usage(tiny):
    chunks = list(tiny.stream(MESSAGES))
    text = "".join(str(c.content) for c in chunks)
    assert len(chunks) >= 3 and text and "<|im_start|>" not in text
    assert [c.usage_metadata for c in chunks if c.usage_metadata][-1]["output_tokens"] > 0
    assert tiny.invoke(MESSAGES).content == text  # greedy: the same answer


def test_early_stop_by_the_reader_releases_the_model(tiny):
    stream = tiny.bind(max_tokens=200, temperature=0.8).stream(MESSAGES)
    assert isinstance(next(stream).content, str)
    stream.close()  # the reader stops: generation ends early and the lock is released
    assert tiny.bind(max_tokens=4).invoke(MESSAGES).content is not None


def test_picker_reports_the_tiny_models_garbage(tiny):
    ids = [i for i in ITEMS if ITEMS[i].kind == "movie"][:4]
    request = PickRequest(message="something grand", candidates=make_candidates(ITEMS, ids), k=3, items=ITEMS)
    outcome = list(pick_and_explain(tiny, request, time.monotonic() + 120, max_tokens=32))[-1].outcome
    assert outcome.failure == "garbage" and outcome.picks == []


def test_selling_point_writer_on_the_tiny_model_stays_grounded(tiny):
    points = SellingPointWriter(tiny, "transformers:tiny", max_new_tokens=32).write(ITEMS["the-wandering-earth-2019"])
    assert points is None or (points.source == "llm" and 2 <= len(points.points) <= 3)


def test_not_ready_model_raises_llm_error(tmp_path):
    runtime = TransformersRuntime(str(tmp_path / "missing"), background=False)
    assert runtime.load.state == "failed"
    with pytest.raises(LLMError):
        ChatLocalTransformers(runtime=runtime).invoke(MESSAGES)


def test_factory_falls_back_to_none_when_the_model_cannot_load(tmp_path):
    handle = build_chat_model(Settings(llm_backend="transformers", llm_model=str(tmp_path / "nope"), _env_file=None))
    assert handle.wait_ready(60) is False and handle.model is None
    status = handle.status()
    assert status.state == "failed" and status.mode.startswith(NO_LLM_MODE) and "transformers unavailable" in status.mode


def test_factory_none_mode():
    status = build_chat_model(Settings(llm_backend="none", _env_file=None)).status()
    assert status.state == "off" and status.mode == NO_LLM_MODE


@pytest.mark.skipif(not SMOLLM2_GGUF or not Path(SMOLLM2_GGUF).is_file(), reason="CHATBOT_TEST_GGUF not set")
def test_a_gguf_file_loads_in_transformers_too():
    handle = build_chat_model(Settings(llm_backend="transformers", llm_model=SMOLLM2_GGUF, llm_threads=1,
                                       _env_file=None))
    assert handle.wait_ready(600), handle.status()
    text = "".join(str(c.content) for c in handle.model.bind(max_tokens=8, temperature=0.0).stream(MESSAGES))
    assert text.strip()
    ids = ["dune-2021", "arrival-2016", "the-martian-2015"]
    request = PickRequest(message="I loved Interstellar. Something like it?", candidates=make_candidates(ITEMS, ids),
                          k=2, items=ITEMS, role="pick")
    outcome = list(pick_and_explain(handle.model, request, time.monotonic() + 600, max_tokens=120))[-1].outcome
    assert outcome.failure == "", outcome.rejected  # constrained by lm-format-enforcer: valid JSON, never garbage
    assert outcome.picks and {p.id for p in outcome.picks} <= set(ids)


def test_a_json_schema_constrains_decoding_so_even_a_random_model_answers_valid_json(tiny):
    from chatbot.llm.picker import answer_schema

    ids = ["dune-2021", "arrival-2016", "the-martian-2015"]
    request = PickRequest(message="something grand", candidates=make_candidates(ITEMS, ids), k=2, items=ITEMS,
                          role="pick")
    schema = answer_schema(list(request.labels()), 2, "en")
    model = tiny.bind(max_tokens=120, temperature=0.0,
                      response_format={"type": "json_schema", "json_schema": {"name": "picks", "schema": schema}})
    text = "".join(str(c.content) for c in model.stream(MESSAGES))
    assert text.startswith('{"picks"') or text.lstrip().startswith("{"), text[:80]
    events = list(pick_and_explain(tiny, request, time.monotonic() + 120, max_tokens=120))
    outcome = events[-1].outcome
    assert outcome.failure != "error"
    assert all(p.id in ids for p in outcome.picks), "a random model constrained to the schema names only candidates"
    assert all(p.reason == "" for p in outcome.picks), "its garbled reasons are rejected"
