"""The chat service the UI talks to: shared read-only resources (catalog engines, the LLM, the
selling-point cache) built once per process, and per-user `ChatSession` objects that the UI keeps in
the browser session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from chatbot.catalogs import shipped_catalogs
from chatbot.config import Settings
from chatbot.dialogue.manager import DialogueManager
from chatbot.dialogue.session import ChatSession
from chatbot.engine import EngineRegistry
from chatbot.errors import StoreError
from chatbot.llm.factory import LLMHandle, build_chat_model
from chatbot.llm.selling_points import SellingPointWriter, enrich_items, open_cache
from chatbot.turn import TurnUpdate

log = logging.getLogger(__name__)

__all__ = ["ChatService", "ChatSession"]


class ChatService:
    """Process-wide. Holds no per-user state: every method takes the session it works on."""

    def __init__(self, settings: Settings, llm: LLMHandle | None = None) -> None:
        self.settings = settings
        self.engines = EngineRegistry(settings)
        self.llm = llm or build_chat_model(settings)  # loads in the background; `none` answers meanwhile
        self.manager = DialogueManager(settings, self.llm, open_cache(settings.data_dir))
        self.enrichment: threading.Thread | None = None  # selling points written in the background

    def catalogs(self) -> list[str]:
        return list(shipped_catalogs(self.settings))

    def new_session(self, catalog: str | None = None, lang: str = "en") -> ChatSession:
        return ChatSession(catalog=catalog or self.settings.default_catalog, lang="zh" if lang == "zh" else "en")

    def status(self) -> str:
        """The active LLM mode in one line (never a secret)."""
        return self.llm.status().mode

    def warm_up(self, progress: Callable[[str], None] | None = None) -> None:
        for name in self.catalogs():
            self.engines.get(name, progress)
        if self.settings.llm_enrich_in_background and self.llm.backend != "none":
            self.enrich_in_background()

    def enrich_in_background(self) -> threading.Thread:
        """Write missing selling points with the model once it is ready, item by item, taking the model only
        between chat turns (its slots); cached ones cost nothing. Chat turns read them from the cache."""
        def run() -> None:
            if not self.llm.wait_ready(None) or self.manager.cache is None:
                return
            writer = SellingPointWriter(self.llm.model, self.llm.model_id, self.settings.llm_max_new_tokens,
                                        self.settings.llm_max_retries)
            for name in self.catalogs():
                report = enrich_items(list(self.engines.get(name).items.values()), writer, self.manager.cache,
                                      progress=False, lock=self.llm.background_slot)
                log.info("selling points for %s: %s", name, report.model_dump())

        if self.enrichment is None or not self.enrichment.is_alive():
            self.enrichment = threading.Thread(target=run, name="enrich", daemon=True)
            self.enrichment.start()
        return self.enrichment

    def respond(self, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        """One turn: streamed updates, the last with done=True. A store outage raises StoreError (the UI
        says so) and drops the catalog's engine so that the next turn reconnects."""
        try:
            engine = self.engines.get(session.catalog)
            yield from self.manager.turn(engine, session, message)
        except StoreError:
            self.engines.drop(session.catalog)
            raise
