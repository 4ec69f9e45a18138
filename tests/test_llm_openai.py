"""The real `openai` backend (LangChain's ChatOpenAI) against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging
import time

import pytest
from langchain_core.messages import HumanMessage
from llm_fakes import Reply, ScriptedOpenAIServer, load_items, make_candidates, pick_json

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.base import complete_within, stream_within
from chatbot.llm.factory import build_chat_model
from chatbot.llm.openai_backend import OpenAIErrors, build_openai, public_url
from chatbot.llm.picker import PickRequest, pick_and_explain

ITEMS = load_items()
IDS = [i for i in ITEMS if ITEMS[i].kind == "product"][:5]
CANDS = make_candidates(ITEMS, IDS)
KEY = "sk-live-SECRET-0123456789abcdef"
HELLO = [HumanMessage("hello")]


@pytest.fixture
def server():
    server = ScriptedOpenAIServer().start()
    yield server
    server.stop()


def model_for(server, timeout_s=2.0, retries=1):
    return build_openai("scripted-model", server.base_url, KEY, timeout_s, retries, 64)


def pick(server, budget_s=5.0, retries=0, timeout_s=2.0):
    request = PickRequest(message="earbuds", candidates=CANDS, k=2, role="pick", items=ITEMS)
    events = list(pick_and_explain(model_for(server, timeout_s, retries), request, time.monotonic() + budget_s,
                                   describe_error=OpenAIErrors(server.base_url)))
    return events, events[-1].outcome


def test_streams_chunks_and_sends_a_proper_request(server):
    server.replies = [Reply(text="Hello there, how are you today?", chunk_chars=5)]
    chunks = list(stream_within(model_for(server).bind(max_tokens=20), HELLO, time.monotonic() + 5))
    assert "".join(chunks) == "Hello there, how are you today?" and len(chunks) == 7
    request = server.chat_requests()[0]
    assert request["body"]["stream"] is True and request["body"]["model"] == "scripted-model"
    assert request["body"]["messages"] == [{"role": "user", "content": "hello"}]
    assert request["body"].get("max_completion_tokens", request["body"].get("max_tokens")) == 20
    assert {k.lower(): v for k, v in request["headers"].items()}["authorization"] == f"Bearer {KEY}"


def test_good_json_answer_through_the_picker_with_a_json_schema(server):
    server.replies = [Reply(text=pick_json([(IDS[1], "Light and easy to carry."), (IDS[0], "Good value.")]))]
    events, outcome = pick(server)
    assert outcome.failure == "" and [p.id for p in outcome.picks] == [IDS[1], IDS[0]] and outcome.reasons == 2
    body = server.chat_requests()[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["picks"]["items"]["properties"]["id"][
        "enum"] == list("abcdefgh"[:len(IDS)]), "short labels in the prompt and the schema, catalog ids in the outcome"


def test_a_server_refusing_json_schema_falls_back_to_json_mode(server):
    server.replies = [Reply(kind="status", status=400), Reply(text=pick_json([(IDS[2], "Compact and light.")]))]
    _, outcome = pick(server)
    assert [p.id for p in outcome.picks] == [IDS[2]]
    formats = [r["body"]["response_format"]["type"] for r in server.chat_requests()]
    assert formats == ["json_schema", "json_object"]


def test_garbage_is_reported(server):
    server.replies = [Reply(text="<html>oops</html>")]
    _, outcome = pick(server)
    assert outcome.failure == "garbage" and outcome.picks == [] and len(server.chat_requests()) == 1


def test_broken_sse_chunk_is_an_llm_error(server):
    server.replies = [Reply(kind="bad_sse", text="partial")]
    with pytest.raises(LLMError):
        complete_within(model_for(server, retries=0), HELLO, 5, OpenAIErrors(server.base_url))


def test_timeout_is_bounded_and_the_pick_reports_it(server):
    server.replies = [Reply(text="late", sleep_s=3.0)]
    with pytest.raises(LLMError, match="timeout"):
        complete_within(model_for(server, timeout_s=0.5, retries=0), HELLO, 5, OpenAIErrors(server.base_url))
    server.replies = [Reply(text=pick_json([(IDS[0], "late")]), sleep_s=3.0)]
    _, outcome = pick(server, budget_s=0.6, timeout_s=10)
    assert outcome.failure == "timeout"


def test_500s_are_retried_by_the_library_a_bounded_number_of_times(server, caplog):
    server.replies = [Reply(kind="status", status=500)] * 5
    with caplog.at_level(logging.DEBUG), pytest.raises(LLMError, match="HTTP 500"):
        complete_within(model_for(server, retries=1), HELLO, 10, OpenAIErrors(server.base_url))
    assert len(server.chat_requests()) == 2  # one try + one retry
    assert KEY not in caplog.text


def test_500_then_success_is_recovered_by_the_retry(server):
    server.replies = [Reply(kind="status", status=500), Reply(text="fine")]
    assert complete_within(model_for(server, retries=1), HELLO, 10) == "fine"


def test_cut_mid_stream_keeps_valid_picks(server):
    answer = pick_json([(IDS[2], "Compact and light."), (IDS[3], "A reason that is long enough to be cut off "
                                                                 "before the stream ends, padded with words.")])
    server.replies = [Reply(kind="cut", text=answer, chunk_chars=8)]
    _, outcome = pick(server)
    assert [p.id for p in outcome.picks] == [IDS[2]] and outcome.picks[0].reason == "Compact and light."


def test_factory_probes_and_reports_the_mode_without_the_key(server):
    settings = Settings(llm_backend="openai", llm_model="scripted-model", openai_base_url=server.base_url,
                        openai_api_key=KEY, _env_file=None)
    handle = build_chat_model(settings)
    assert handle.wait_ready(10)
    status = handle.status()
    assert status.state == "ready" and status.mode.startswith(f"LLM: openai-compatible scripted-model via {server.base_url}")
    assert KEY not in status.model_dump_json() and handle.model is not None and handle.role == "pick"


def test_auto_backend_picks_openai_when_a_server_is_set(server):
    settings = Settings(openai_base_url=server.base_url, _env_file=None)
    assert build_chat_model(settings, probe=False).backend == "openai"


def test_factory_falls_back_to_none_when_the_server_is_down(caplog):
    settings = Settings(llm_backend="openai", openai_base_url="http://127.0.0.1:9/v1", openai_api_key=KEY,
                        llm_timeout_s=1, llm_max_retries=0, _env_file=None)
    with caplog.at_level(logging.DEBUG):
        handle = build_chat_model(settings)
        assert handle.wait_ready(15) is False
    status = handle.status()
    assert status.state == "failed" and "cannot reach" in status.detail and status.mode.startswith("No LLM")
    assert handle.model is None and KEY not in caplog.text and KEY not in status.mode


def test_factory_without_key_or_url_runs_on_none():
    handle = build_chat_model(Settings(llm_backend="openai", _env_file=None))
    assert handle.model is None and "OPENAI_API_KEY" in handle.status().detail


def test_public_url_hides_credentials():
    assert public_url("https://user:pw@host.example:8443/v1?key=abc") == "https://host.example:8443/v1"
