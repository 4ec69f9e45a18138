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
