"""Faults at the service level, each a real scenario: a Chroma server that is not there yet or dies
mid-session, an app restart, two index builds at once, a corrupt selling-point cache.

Small catalogs written by the test (tests/app_support.py), real Chroma (embedded or `chroma run`),
the real packaged embedder unless the embedder does not matter; the LLM is a scripted fake."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence

import numpy as np
import pytest
from app_support import MOVIES, app_settings
from chroma_server import ChromaServer, free_port
from conftest import FakeEmbedder
from llm_fakes import ManagerFakeModel

import chatbot.engine
from chatbot.config import Settings
from chatbot.embedders import Embedder
from chatbot.engine import EngineRegistry
from chatbot.errors import StoreError
from chatbot.items import Item
from chatbot.llm.factory import LLMHandle
from chatbot.service import ChatService
from chatbot.store import forget_client, open_index
from chatbot.turn import TurnUpdate

pytestmark = pytest.mark.slow

LIKED = "I loved Interstellar"
MOVIE_IDS = {row["id"] for row in MOVIES}


class CountingEmbedder(Embedder):
    """The real embedder, counting the passages it embeds (indexing); same name, so the same index."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


def turn(service: ChatService, session, message: str) -> TurnUpdate:
    updates = list(service.respond(session, message))
    assert updates and updates[-1].done
    return updates[-1]


def remote(settings: Settings, port: int) -> Settings:
    return settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})


@pytest.fixture
def use_embedder(monkeypatch):
    """Make the engines index with the given embedder."""

    def use(embedder: Embedder) -> Embedder:
        monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: embedder)
        return embedder

    return use


# --- a. the Chroma server is not there when the app starts ------------------------------------------------

def test_unreachable_chroma_at_start_is_a_clear_error_and_the_same_session_recovers(tmp_path, real_embedder):
    port = free_port()
    settings = remote(app_settings(tmp_path), port)
    service = ChatService(settings)
    session = service.new_session("movies")
    with pytest.raises(StoreError) as failure:
        list(service.respond(session, LIKED))
    message = str(failure.value)
    assert "Cannot reach the Chroma vector store" in message and f"127.0.0.1:{port}" in message
    assert "Traceback" not in message and "\n" not in message.strip()
    assert not service.engines.ready("movies") and session.history == []

    server = ChromaServer(tmp_path / "chroma-server", port=port).start()
    try:
        update = turn(service, session, LIKED)
        assert update.cards and {card.item_id for card in update.cards} <= MOVIE_IDS
        assert "interstellar-2014" not in {card.item_id for card in update.cards}, "a liked film is not re-offered"
        assert [m["role"] for m in session.history] == ["user", "assistant"]
    finally:
        server.stop()
        forget_client(settings)


# --- b. the Chroma server dies mid-session and comes back ------------------------------------------------

def test_chroma_dying_mid_session_fails_the_turn_and_the_conversation_survives(tmp_path, real_embedder):
    server = ChromaServer(tmp_path / "chroma-server").start()
    settings = remote(app_settings(tmp_path), server.port)
    service = ChatService(settings)
    try:
        session = service.new_session("movies")
        first = turn(service, session, LIKED)
        assert first.cards
        history = list(session.history)

        server.stop()
        shop = service.new_session("products")  # its engine is not built yet: it needs the store
        with pytest.raises(StoreError):
            list(service.respond(shop, "wireless earbuds please"))
        service.engines.drop("movies")  # as after any store failure: the next turn reconnects
        with pytest.raises(StoreError):
            list(service.respond(session, "something darker please"))
        assert session.history == history, "a failed turn leaves the conversation as it was"

        server.start()  # same path, same port
        second = turn(service, session, "something more like Arrival")
        assert second.cards and session.history[:len(history)] == history
        assert len(session.history) == len(history) + 2
        assert turn(service, shop, "wireless earbuds please").cards
        assert service.engines.get("movies").index.count() == len(MOVIES), "the server kept the index"
    finally:
        server.stop()
        forget_client(settings)


# --- c. the app restarts on the same data folder ---------------------------------------------------------

def test_a_restart_embeds_nothing_and_serves_selling_points_from_the_cache(tmp_path, real_embedder,
                                                                           use_embedder):
    settings = app_settings(tmp_path)
    counting = use_embedder(CountingEmbedder(real_embedder))

    first_model = ManagerFakeModel()
    first = ChatService(settings, LLMHandle("openai", first_model))
    first.warm_up()  # indexes, then writes selling points in the background
    first.enrichment.join(120)
    assert counting.passages == 20, "both catalogs indexed once"
    written = first_model.count("selling_points")
    assert written > 0 and len(first.manager.cache) == written
    before = turn(first, first.new_session("movies"), LIKED)
    assert set(before.trace.selling_points_source.values()) <= {"cache", "catalog"}
    assert first_model.count("selling_points") == written, "no selling point is written while a person waits"
    first.manager.cache.close()
    forget_client(settings)  # nothing of the first process is reused but the data folder

    counting.passages = 0
    second_model = ManagerFakeModel()
    second = ChatService(settings, LLMHandle("openai", second_model))
    second.warm_up()
    second.enrichment.join(120)
    assert counting.passages == 0, "a restart re-embeds nothing"
    after = turn(second, second.new_session("movies"), LIKED)
    assert after.trace.selling_points_source == before.trace.selling_points_source
    assert second_model.count("selling_points") == 0, "the model is not asked again for cached selling points"
    assert [c.selling_points for c in after.cards] == [c.selling_points for c in before.cards]
    forget_client(settings)


# --- d. two index builds at once -------------------------------------------------------------------------

def build_twice_at_once(settings: Settings, catalog: str) -> list[BaseException]:
    """Two engine builds of one catalog started together, as two app processes (or the app and
    `chatbot index`) do: two registries, so nothing in-process serialises them."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def build() -> None:
        registry = EngineRegistry(settings)
        start.wait()
        try:
            registry.get(catalog)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an index build hung"
    return errors


@pytest.mark.parametrize("where", ["local folder", "chroma server"])
def test_two_index_builds_at_once_leave_exactly_the_catalog(tmp_path, use_embedder, where):
    settings = app_settings(tmp_path)
    server = None
    if where == "chroma server":
        server = ChromaServer(tmp_path / "chroma-server").start()
        settings = remote(settings, server.port)
    embedder = use_embedder(FakeEmbedder())  # which embedder does not matter here
    items = [Item.model_validate(row) for row in MOVIES]
    try:
        for round_ in range(3):  # the race depends on timing: a few rounds, each on a new catalog
            name = f"race{round_}"
            shutil.copy(settings.catalog_dir / "movies.jsonl", settings.catalog_dir / f"{name}.jsonl")
            assert build_twice_at_once(settings, name) == []
            index = open_index(settings, name, embedder)
            stored = index.stored_hashes()
            assert index.count() == len(MOVIES) and stored == {item.id: item.content_hash() for item in items}
            embedder.calls = 0
            report = index.sync(items, progress=False)
            assert report.embedded == 0 and report.removed == 0 and embedder.calls == 0, "a third run embeds nothing"
    finally:
        if server is not None:
            server.stop()
        forget_client(settings)


# --- e. the selling-point cache file is corrupt ----------------------------------------------------------

GARBAGE = b"\x00\xffnot a sqlite database\x13" * 200


def test_a_corrupt_selling_point_cache_at_start_is_rebuilt_and_chat_works(tmp_path, real_embedder):
    settings = app_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "selling_points.sqlite").write_bytes(GARBAGE)
    model = ManagerFakeModel()
    service = ChatService(settings, LLMHandle("openai", model))
    service.warm_up()
    service.enrichment.join(120)
    update = turn(service, service.new_session("movies"), LIKED)
    assert update.cards and "cache" in update.trace.selling_points_source.values()
    assert len(service.manager.cache) == model.count("selling_points") > 0, "the rebuilt cache is written"
    assert list(settings.data_dir.glob("selling_points.sqlite.corrupt-*")), "the broken file is set aside"
    forget_client(settings)


def test_a_cache_corrupted_while_the_app_runs_does_not_break_a_turn(tmp_path, real_embedder):
    settings = app_settings(tmp_path)
    model = ManagerFakeModel()
    service = ChatService(settings, LLMHandle("openai", model))
    service.warm_up()
    service.enrichment.join(120)
    session = service.new_session("movies")
    assert turn(service, session, LIKED).cards
    asked = model.count("selling_points")
    assert asked > 0 and len(service.manager.cache) == asked

    (settings.data_dir / "selling_points.sqlite").write_bytes(GARBAGE)  # under the open connection
    update = turn(service, service.new_session("movies"), LIKED)
    assert update.cards and all(card.selling_points for card in update.cards), "facts stand in for the cache"
    service.enrich_in_background().join(120)
    assert model.count("selling_points") > asked, "the lost entries are written again"
    assert len(service.manager.cache) > 0
    assert list(settings.data_dir.glob("selling_points.sqlite.corrupt-*"))
    forget_client(settings)


def test_a_turn_waits_for_a_busy_model_only_until_half_its_budget_is_gone():
    import time as _time

    from chatbot.llm.budget import TurnBudget

    budget = TurnBudget(model_s=4.0, extraction_s=1.0)
    assert 1.9 < budget.slot_wait() <= 2.0
    late = TurnBudget(model_s=4.0, extraction_s=1.0, started=_time.monotonic() - 3.0)
    assert late.slot_wait() == 0.0 and late.left() > 0.0
