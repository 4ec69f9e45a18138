"""The real `openai` backend against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging

import pytest
from llm_fakes import Reply, ScriptedOpenAIServer, load_items, make_candidates, pick_json

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.base import ChatMessage
from chatbot.llm.factory import build_chat_model
from chatbot.llm.openai_backend import OpenAIChatModel, public_url
from chatbot.llm.picker import pick_and_explain

ITEMS = load_items()
IDS = [i for i in ITEMS if ITEMS[i].kind == "product"][:5]
CANDS = make_candidates(ITEMS, IDS)
KEY = "sk-live-SECRET-0123456789abcdef"
HELLO = [ChatMessage(role="user", content="hello")]


@pytest.fixture
def server():
    server = ScriptedOpenAIServer().start()
    yield server
    server.stop()


def model_for(server, timeout_s=2.0, retries=1) -> OpenAIChatModel:
    return OpenAIChatModel("scripted-model", server.base_url, KEY, timeout_s=timeout_s, max_retries=retries)


def test_streams_chunks_and_sends_a_proper_request(server):
    server.replies = [Reply(text="Hello there, how are you today?", chunk_chars=5)]
    chunks = list(model_for(server).stream(HELLO, max_new_tokens=20, temperature=0.0, timeout_s=2))
    assert "".join(chunks) == "Hello there, how are you today?" and len(chunks) == 7
    request = server.chat_requests()[0]
    assert request["body"]["stream"] is True and request["body"]["model"] == "scripted-model"
    assert request["body"]["messages"] == [{"role": "user", "content": "hello"}]
    assert request["body"]["max_tokens"] == 20
    assert {k.lower(): v for k, v in request["headers"].items()}["authorization"] == f"Bearer {KEY}"


def test_good_json_answer_through_the_picker(server):
    server.replies = [Reply(text=pick_json([(IDS[1], "Light and easy to carry."), (IDS[0], "Great value.")]))]
    events = list(pick_and_explain(model_for(server), "user: earbuds", "", CANDS, "en", 2, 5.0, items=ITEMS))
    result = events[-1].result
    assert result.source == "llm" and [p.id for p in result.picks] == [IDS[1], IDS[0]]
    assert sum(e.type == "pick" for e in events) == 2


def test_garbage_is_repaired_then_falls_back(server):
    server.replies = [Reply(text="<html>oops</html>"), Reply(text="still garbage")]
    result = list(pick_and_explain(model_for(server), "u", "", CANDS, "en", 3, 5.0, items=ITEMS))[-1].result
    assert result.source == "fallback" and [p.id for p in result.picks] == IDS[:3]
    assert len(server.chat_requests()) == 2


def test_broken_sse_chunk_is_an_llm_error(server):
    server.replies = [Reply(kind="bad_sse", text="partial")]
    with pytest.raises(LLMError):
        list(model_for(server, retries=0).stream(HELLO, timeout_s=2))


def test_timeout_is_bounded_and_the_turn_falls_back(server):
    server.replies = [Reply(text="late", sleep_s=3.0)]
    with pytest.raises(LLMError, match="did not answer"):
        list(model_for(server, timeout_s=0.5, retries=0).stream(HELLO, timeout_s=0.5))
    server.replies = [Reply(text=pick_json([(IDS[0], "late")]), sleep_s=3.0)]
    result = list(pick_and_explain(model_for(server, timeout_s=10), "u", "", CANDS, "en", 2, 0.6))[-1].result
    assert result.source == "fallback" and "in time" in result.note


def test_500s_are_retried_a_bounded_number_of_times(server, caplog):
    server.replies = [Reply(kind="status", status=500)] * 5
    with caplog.at_level(logging.DEBUG), pytest.raises(LLMError, match="HTTP 500"):
        list(model_for(server, retries=1).stream(HELLO, timeout_s=2))
    assert len(server.chat_requests()) == 2  # one try + one retry
    assert KEY not in caplog.text


def test_500_then_success_is_recovered_by_the_retry(server):
    server.replies = [Reply(kind="status", status=500), Reply(text="fine")]
    assert model_for(server, retries=1).complete(HELLO, timeout_s=5) == "fine"


def test_cut_mid_stream_keeps_valid_picks(server):
    answer = pick_json([(IDS[2], "Compact and light."), (IDS[3], "A reason that is long enough to be cut off "
                                                                 "before the stream ends, padded with words.")])
    server.replies = [Reply(kind="cut", text=answer, chunk_chars=8)]
    events = list(pick_and_explain(model_for(server, retries=0), "u", "", CANDS, "en", 3, 5.0, items=ITEMS))
    result = events[-1].result
    assert result.picks[0].id == IDS[2] and result.picks[0].source == "llm"
    assert {p.id for p in result.picks} <= set(IDS) and len(result.picks) == 3


def test_factory_probes_and_reports_the_mode_without_the_key(server):
    settings = Settings(llm_backend="openai", llm_model="scripted-model", openai_base_url=server.base_url,
                        openai_api_key=KEY, _env_file=None)
    handle = build_chat_model(settings)
    assert handle.wait_ready(10)
    status = handle.status()
    assert status.state == "ready" and status.mode == f"LLM: openai-compatible scripted-model via {server.base_url}"
    assert KEY not in status.model_dump_json() and handle.model is not None


def test_factory_falls_back_to_none_when_the_server_is_down(caplog):
    settings = Settings(llm_backend="openai", openai_base_url="http://127.0.0.1:9/v1", openai_api_key=KEY,
                        llm_timeout_s=1, _env_file=None)
    with caplog.at_level(logging.DEBUG):
        handle = build_chat_model(settings)
        assert handle.wait_ready(10) is False
    status = handle.status()
    assert status.state == "failed" and "cannot reach" in status.detail and status.mode.startswith("No LLM")
    assert handle.model is None and KEY not in caplog.text and KEY not in status.mode


def test_factory_without_key_or_url_runs_on_none():
    handle = build_chat_model(Settings(llm_backend="openai", _env_file=None))
    assert handle.model is None and "OPENAI_API_KEY" in handle.status().detail


def test_public_url_hides_credentials():
    assert public_url("https://user:pw@host.example:8443/v1?key=abc") == "https://host.example:8443/v1"
