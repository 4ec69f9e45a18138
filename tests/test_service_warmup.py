"""A question asked while its catalog is still being prepared waits for it, with progress in the question's
language, and is then answered in the same turn (real Chroma, ranker and dialogue manager; the embedder is
the fast fake, held at a gate so that the question surely arrives mid-build)."""

from __future__ import annotations

import re
import threading

import numpy as np
from app_support import app_settings

import chatbot.engine as engine_module
from chatbot.progress_text import TEXT
from chatbot.service import ChatService
from chatbot.ui.warmup import WarmUp
from conftest import FakeEmbedder

CJK = re.compile(r"[\u4e00-\u9fff]")


class GatedEmbedder(FakeEmbedder):
    """Embeds nothing until the gate opens (an indexing run that takes as long as the test wants)."""

    def __init__(self) -> None:
        super().__init__(name="fake-gated")
        self.gate = threading.Event()
        self.entered = threading.Event()

    def embed_passages(self, texts) -> np.ndarray:
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return super().embed_passages(texts)


def gated_service(tmp_path, monkeypatch) -> tuple[ChatService, GatedEmbedder]:
    embedder = GatedEmbedder()
    monkeypatch.setattr(engine_module, "get_embedder", lambda settings: embedder)
    return ChatService(app_settings(tmp_path, embed_batch_size=4)), embedder


def test_a_question_during_indexing_waits_with_progress_in_its_language_then_is_answered(tmp_path, monkeypatch):
    service, embedder = gated_service(tmp_path, monkeypatch)
    warmup = WarmUp(service).start()
    assert embedder.entered.wait(30), "the warm-up started indexing"
    session = service.new_session("movies", lang="en")  # the page says English; the question is Chinese
    turn = service.respond(session, "我很喜欢星际穿越，推荐几部类似的科幻电影")
    first = next(turn)
    assert not first.done and first.thinking and first.lang == "zh"
    assert CJK.search(first.text) and TEXT["zh"]["waiting"].split("。")[0] in first.text
    assert "正在为目录「movies」建立索引" in service.progress_text("zh")
    assert "Indexing catalog 'movies'" in warmup.message_in("en")
    embedder.gate.set()
    updates = [first, *turn]
    assert updates[-1].done and updates[-1].cards, "answered in the same turn, without asking again"
    assert updates[-1].lang == "zh"
    assert warmup.wait(30) and warmup.ready


def test_an_english_question_gets_english_progress(tmp_path, monkeypatch):
    service, embedder = gated_service(tmp_path, monkeypatch)
    session = service.new_session("products", lang="zh")
    turn = service.respond(session, "I need wireless earbuds under 300")
    first = next(turn)  # this turn builds the catalog itself (no warm-up running)
    assert first.lang == "en" and first.text.startswith("Still preparing the catalog")
    embedder.gate.set()
    final = list(turn)[-1]
    assert final.done and final.cards
