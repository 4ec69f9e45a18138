"""`python -m chatbot bench llm` on the small test catalogs: the no-LLM mode, and a model that always fails
(every turn keeps the ranker's answer and says why)."""

from __future__ import annotations

from app_support import app_settings
from conftest import FakeEmbedder

import chatbot.engine
from chatbot.benchmarks.llm import run_llm_bench, run_turns
from chatbot.llm.factory import LLMHandle
from chatbot.service import ChatService
from llm_fakes import ManagerFakeModel


def test_bench_none(tmp_path, monkeypatch):
    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: FakeEmbedder())
    result = run_llm_bench(app_settings(tmp_path), turns=3)
    assert result["backend"] == "none" and "runtimes" not in result
    turns = result["none"]
    assert turns["recommendation_turns"] >= 2 and turns["model_work_on_page_share"] == 0.0
    assert turns["first_cards"]["p95_ms"] > 0 and turns["model_done"]["p95_ms"] == 0.0


def test_bench_counts_rejections_by_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: FakeEmbedder())
    service = ChatService(app_settings(tmp_path), LLMHandle("openai", ManagerFakeModel(fail=True)))
    result = run_turns(service, 3)
    assert result["model_work_on_page_share"] == 0.0 and result["rejected"].get("error", 0) >= 2


def test_concurrent_users_get_cards_at_once_while_model_work_queues(tmp_path, monkeypatch):
    """Ten sessions at once on a one-slot local model: every first update carries cards, the model is used
    by one turn at a time, and a turn that cannot get it in time keeps the ranker's answer."""
    import threading
    import time

    from llm_fakes import candidate_ids, pick_json

    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: FakeEmbedder())
    running, most = [0], [0]
    guard = threading.Lock()

    def slow_pick(prompt: str) -> str:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with guard:
            running[0] -= 1
        return pick_json([(i, "It fits what you asked for.") for i in candidate_ids(prompt)])

    settings = app_settings(tmp_path, llm_turn_budget_s=120)
    handle = LLMHandle("llamacpp", ManagerFakeModel(pick=slow_pick))
    service = ChatService(settings, handle)
    service.warm_up()
    firsts, lasts = [], []

    def user() -> None:
        updates = list(service.respond(service.new_session("movies", "en"), "I loved Interstellar"))
        firsts.append(updates[0])
        lasts.append(updates[-1])

    threads = [threading.Thread(target=user) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(firsts) == 10 and all(u.cards and u.thinking for u in firsts), "nobody's page stays blank"
    assert most[0] == 1, "the local model serves one turn at a time"
    assert all(u.trace.picker == "llm" and len(u.cards) == 3 for u in lasts), "each turn waited its turn"

    busy = ChatService(settings.model_copy(update={"llm_turn_budget_s": 0.5}), handle)
    busy.engines = service.engines
    with handle.turn_slot(1.0):  # another turn holds the model past this one's budget
        updates = list(busy.respond(busy.new_session("movies", "en"), "I loved Interstellar"))
    assert updates[0].cards and updates[-1].trace.picker == "fallback" and "busy" in updates[-1].text
    assert [c.item_id for c in updates[-1].cards] == updates[-1].trace.ranker_picked
