"""The chat service the UI talks to: shared read-only resources (catalog engines, the LLM) built once
per process, and per-user `ChatSession` objects that the UI keeps in the browser session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from chatbot.config import Settings
from chatbot.turn import ItemCard, TurnUpdate

log = logging.getLogger(__name__)


class ChatSession(BaseModel):
    """Everything about one user's conversation. Lives in gr.State, never in a module global."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    catalog: str
    lang: str = "en"
    history: list[dict] = Field(default_factory=list)  # {"role", "content"} as the user saw it
    state: object | None = None  # chatbot.dialogue.state.DialogueState once the manager lands


class ChatService:
    """Process-wide. Holds no per-user state: every method takes the session it works on."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[str, object] = {}
        self._lock = threading.Lock()

    def catalogs(self) -> list[str]:
        from chatbot.catalogs import shipped_catalogs

        return list(shipped_catalogs(self.settings))

    def new_session(self, catalog: str | None = None, lang: str = "en") -> ChatSession:
        return ChatSession(catalog=catalog or self.settings.default_catalog, lang=lang)

    def status(self) -> str:
        return "No LLM: answers are built from catalog facts"

    def warm_up(self, progress: Callable[[str], None] | None = None) -> None:
        for name in self.catalogs():
            self._engine(name, progress)

    def _engine(self, catalog: str, progress: Callable[[str], None] | None = None):
        from chatbot.catalogs import resolve_catalog
        from chatbot.embedders import get_embedder
        from chatbot.loaders import load_catalog
        from chatbot.store import open_index

        with self._lock:
            if catalog not in self._engines:
                name, path = resolve_catalog(self.settings, catalog)
                items = {item.id: item for item in load_catalog(path).items}
                if progress:
                    progress(f"Indexing {name} ({len(items)} items)")
                index = open_index(self.settings, name, get_embedder(self.settings))
                index.sync(list(items.values()), batch_size=self.settings.embed_batch_size)
                self._engines[catalog] = (items, index)
            return self._engines[catalog]

    def respond(self, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        """Interim: plain text retrieval until the dialogue manager lands."""
        items, index = self._engine(session.catalog)
        hits = index.query_text(message, self.settings.recommendations_per_turn)
        cards = [ItemCard(item_id=i, title=items[i].display_title(session.lang),
                          subtitle=str(items[i].year or items[i].price or ""), tags=items[i].genres)
                 for i, _ in hits if i in items]
        text = "Here is what I found: " + ", ".join(card.title for card in cards)
        session.history += [{"role": "user", "content": message}, {"role": "assistant", "content": text}]
        yield TurnUpdate(text=text, cards=cards, lang=session.lang, done=True)
