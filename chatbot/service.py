"""The chat service the UI talks to: shared read-only resources (catalog engines, the LLM, the
selling-point cache) built once per process, and per-user `ChatSession` objects that the UI keeps in
the browser session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from chatbot.catalogs import catalog_kind, resolve_catalog, shipped_catalogs
from chatbot.config import Settings
from chatbot.dialogue.manager import DialogueManager
from chatbot.dialogue.parser import detect_language
from chatbot.dialogue.relocalize import cards_in_language
from chatbot.dialogue.session import ChatSession
from chatbot.dialogue.state import FeedbackAction
from chatbot.engine import EngineRegistry
from chatbot.errors import StoreError
from chatbot.llm.factory import LLMHandle, LLMStatus, build_chat_model
from chatbot.llm.picker import prefill
from chatbot.llm.selling_points import SellingPointWriter, enrich_items, open_cache
from chatbot.loaders import load_catalog
from chatbot.progress_text import describe, waiting
from chatbot.turn import ItemCard, TurnUpdate

log = logging.getLogger(__name__)

__all__ = ["ChatService", "ChatSession"]

WAIT_POLL_S = 0.25  # how often a waiting question looks at the catalog's progress


class ChatService:
    """Process-wide. Holds no per-user state: every method takes the session it works on."""

    def __init__(self, settings: Settings, llm: LLMHandle | None = None) -> None:
        self.settings = settings
        self.engines = EngineRegistry(settings)
        self.llm = llm or build_chat_model(settings)  # loads in the background; `none` answers meanwhile
        self.cache = open_cache(settings.data_dir)
        self.manager = DialogueManager(settings, self.llm, self.cache)
        self._kinds: dict[str, str] = {}  # catalog -> kind; shipped files, the same for every user
        self.enrichment: threading.Thread | None = None  # selling points written in the background

    def catalogs(self) -> list[str]:
        return list(shipped_catalogs(self.settings))

    def new_session(self, catalog: str | None = None, lang: str = "en") -> ChatSession:
        return ChatSession(catalog=catalog or self.settings.default_catalog, lang="zh" if lang == "zh" else "en")

    def status(self) -> str:
        """The active LLM mode in one line (never a secret)."""
        return self.llm.status().mode

    def llm_status(self) -> LLMStatus:
        """The LLM's state as data (the UI words it in the page's language)."""
        return self.llm.status()

    def catalog_kind(self, catalog: str) -> str:
        """'product' for a shop catalog, else 'movie': from the catalog's engine when it is built,
        else from its file (read once per process)."""
        if self.engines.ready(catalog):
            return self.engines.get(catalog).kind
        if catalog not in self._kinds:
            self._kinds[catalog] = catalog_kind(load_catalog(resolve_catalog(self.settings, catalog)[1]).items)
        return self._kinds[catalog]

    def feedback(self, session: ChatSession, item_id: str, action: FeedbackAction) -> bool:
        """A card's feedback button (👍, 👎, seen it, not interested): changes the session's state as
        the words would; the next turn uses it. False (nothing changes) for an item not on screen."""
        if item_id not in {card.item_id for card in session.cards}:
            return False
        session.state.feedback(item_id, action)
        return True

    def cards_in(self, session: ChatSession, lang: str) -> list[ItemCard]:
        """The cards on screen, in another language; they become the session's cards."""
        if not session.cards:
            return []
        session.cards = cards_in_language(self.engines.get(session.catalog), session, lang, self.cache,
                                          self.llm.model_id)
        session.picks = list(session.cards)
        return session.cards

    def warm_up(self, progress: Callable[[str], None] | None = None) -> None:
        """Prepare every catalog, the default one first; `progress` gets English lines for the log. Then, with a
        model, its turn prompt is prefilled and selling points are written in the background."""
        names = self.catalogs()
        default = self.settings.default_catalog
        for name in sorted(names, key=lambda n: n != default):
            self.engines.get(name, (lambda state: progress(describe(state, "en"))) if progress else None)
        if self.llm.backend != "none":
            self.enrich_in_background()

    def progress_text(self, lang: str) -> str:
        """What is being prepared now, in `lang` ("" when nothing is)."""
        building = self.engines.building()
        return describe(building[0], lang) if building else ""

    def enrich_in_background(self) -> threading.Thread:
        """Once the model is ready: have it read the turn prompt (cached for the first turn), then, when
        LLM_ENRICH_IN_BACKGROUND is on, write missing selling points item by item, taking the model only
        between chat turns (its slots); cached ones cost nothing. Chat turns read them from the cache."""
        def run() -> None:
            if not self.llm.wait_ready(None) or self.llm.model is None:
                return
            with self.llm.background_slot():
                prefill(self.llm.model, self.llm.role)
            if not self.settings.llm_enrich_in_background or self.manager.cache is None:
                return
            writer = SellingPointWriter(self.llm.background_model, self.llm.model_id, self.settings.llm_max_new_tokens,
                                        self.settings.llm_max_retries)
            for name in self.catalogs():
                report = enrich_items(list(self.engines.get(name).items.values()), writer, self.manager.cache,
                                      progress=False, lock=self.llm.background_slot, preempt=self.llm.turn_waiting)
                log.info("selling points for %s: %s", name, report.model_dump())

        if self.enrichment is None or not self.enrichment.is_alive():
            self.enrichment = threading.Thread(target=run, name="enrich", daemon=True)
            self.enrichment.start()
        return self.enrichment

    def respond(self, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        """One turn: streamed updates, the last with done=True. A question asked while its catalog is still
        being prepared waits for it, with progress updates in the question's language, then is answered.
        A store outage raises StoreError (the UI says so) and drops the catalog's engine so that the next
        turn reconnects."""
        try:
            if not self.engines.ready(session.catalog):
                yield from self._wait_for(session.catalog, detect_language(message, session.lang))
            engine = self.engines.get(session.catalog)
            yield from self.manager.turn(engine, session, message)
        except StoreError:
            self.engines.drop(session.catalog)
            raise

    def _wait_for(self, catalog: str, lang: str) -> Iterator[TurnUpdate]:
        """Build (or wait for the warm-up's build of) the catalog, yielding its progress until it is ready."""
        failure: list[BaseException] = []

        def build() -> None:
            try:
                self.engines.get(catalog)
            except BaseException as exc:  # handed to the turn below
                failure.append(exc)

        worker = threading.Thread(target=build, name=f"build-{catalog}", daemon=True)
        worker.start()
        shown = ""
        while True:
            worker.join(WAIT_POLL_S)
            if not worker.is_alive():
                break
            text = waiting(self.engines.progress(catalog), catalog, lang)
            if text != shown:
                shown = text
                yield TurnUpdate(text=text, lang="zh" if lang == "zh" else "en", thinking=True)
        if failure:
            raise failure[0]
