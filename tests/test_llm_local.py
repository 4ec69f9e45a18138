"""The real local path end to end with a real chat model: SmolLM2-135M-Instruct (GGUF) in llama.cpp in-process,
through LangChain and the chat service. `make test` fetches the model (../shared/models/fetch.sh smollm2) and
passes its path in CHATBOT_TEST_GGUF; without it these tests skip. No test asserts a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from app_support import app_settings
from conftest import FakeEmbedder
from langchain_core.messages import HumanMessage, SystemMessage
from llm_fakes import PROJECT_ROOT, SMOLLM2_GGUF, load_items, make_candidates

import chatbot.engine
from chatbot.llm.base import stream_within
from chatbot.llm.factory import NO_LLM_MODE, build_chat_model
from chatbot.llm.picker import PickRequest, pick_and_explain
from chatbot.service import ChatService

pytestmark = pytest.mark.skipif(not SMOLLM2_GGUF or not Path(SMOLLM2_GGUF).is_file(),
                                reason="CHATBOT_TEST_GGUF (SmolLM2 GGUF, fetched by `make test`) not set")
ITEMS = load_items()
PATIENT = 600.0  # seconds: a shared CI machine may be slow; nothing here measures speed


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    settings = app_settings(tmp_path_factory.mktemp("local"), llm_backend="auto", llm_model=SMOLLM2_GGUF,
                            llm_threads=1, llm_max_new_tokens=160, llm_turn_budget_s=PATIENT)
    handle = build_chat_model(settings)
    assert handle.backend == "llamacpp" and handle.role == "explain"
    assert handle.wait_ready(PATIENT), handle.status()
    yield handle
    handle.close()


def test_loads_in_the_background_and_streams_through_the_chat_template(handle):
    assert handle.status().state == "ready" and "llama.cpp" in handle.status().mode
    messages = [SystemMessage("Answer in one short sentence."), HumanMessage("What colour is the sky?")]
    chunks = list(stream_within(handle.model.bind(max_tokens=24, temperature=0.0), messages,
                                time.monotonic() + PATIENT))
    text = "".join(chunks)
    assert len(chunks) >= 3 and text.strip() and "<|im_start|>" not in text and "<|im_end|>" not in text


@pytest.mark.parametrize("role", ["explain", "pick"])
def test_constrained_pick_is_valid_json_with_candidate_ids_only(handle, role):
    ids = ["dune-2021", "arrival-2016", "the-martian-2015", "spirited-away-2001"]
    request = PickRequest(message="I loved Interstellar. Something like it?", wants="liked: Interstellar",
                          candidates=make_candidates(ITEMS, ids), k=3, role=role, items=ITEMS)
    events = list(pick_and_explain(handle.model, request, time.monotonic() + PATIENT, max_tokens=160))
    outcome = events[-1].outcome
    assert outcome.failure == "", outcome.rejected  # valid JSON by construction: never garbage
    assert outcome.picks and {p.id for p in outcome.picks} <= set(request.offered_ids())
    assert "first_token" in outcome.timings_ms


def test_a_chat_turn_shows_the_rankers_cards_first_then_the_models_validated_answer(handle, monkeypatch, tmp_path):
    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: FakeEmbedder())
    settings = app_settings(tmp_path, llm_model=SMOLLM2_GGUF, llm_turn_budget_s=PATIENT)
    service = ChatService(settings, handle)
    session = service.new_session("movies", "en")
    updates = list(service.respond(session, "I loved Interstellar, something grand please"))
    first, last = next(u for u in updates if u.cards), updates[-1]  # progress lines may come first (indexing)
    assert first.thinking and not first.done, "the ranker's cards come before the model's answer"
    assert last.done and not last.thinking and last.cards
    catalog = service.engines.get("movies").items
    assert {c.item_id for c in last.cards} <= set(catalog) and all(c.why for c in last.cards)
    trace = last.trace
    assert trace.model_role == "explain" and trace.ranker_picked == [c.item_id for c in first.cards]
    assert trace.picker in {"llm", "fallback"} and {"first_cards", "model_done"} <= set(trace.timings_ms)
    assert [c.item_id for c in last.cards] == trace.ranker_picked, "explain keeps the ranker's order"


def test_a_missing_or_corrupt_model_file_is_a_status_line_and_the_no_llm_mode(tmp_path):
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x00\xff" * 4096)
    for path, reason in ((tmp_path / "missing.gguf", "not found"), (corrupt, "could not load"),
                         (Path(__file__), "not a GGUF")):
        handle = build_chat_model(app_settings(tmp_path, llm_backend="llamacpp", llm_model=str(path)))
        assert handle.wait_ready(PATIENT) is False and handle.model is None
        status = handle.status()
        assert status.state == "failed" and status.mode.startswith(NO_LLM_MODE) and reason in status.detail


def test_no_crash_at_exit_while_the_model_is_generating():
    script = textwrap.dedent(f"""
        import threading, time
        from langchain_core.messages import HumanMessage
        from chatbot.config import Settings
        from chatbot.llm.factory import build_chat_model
        handle = build_chat_model(Settings(_env_file=None, llm_model={SMOLLM2_GGUF!r}, llm_threads=1))
        assert handle.wait_ready(600)
        model = handle.model.bind(max_tokens=400)
        threading.Thread(target=lambda: list(model.stream([HumanMessage("Tell a long story.")])),
                         daemon=True).start()
        time.sleep(1.0)
        print("exiting")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=PATIENT,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "exiting" in done.stdout and "terminate called" not in done.stderr and "FATAL" not in done.stderr
