"""What one browser keeps: a conversation per catalog, the page's language, and how it is saved in the
browser (gr.BrowserState) so that a reload keeps the conversation. A saved value is validated on
load; a bad or old one starts fresh."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from chatbot.service import ChatSession
from chatbot.turn import DecisionTrace
from chatbot.ui.text import Lang

log = logging.getLogger(__name__)

SAVE_VERSION = 1
MAX_SAVED_MESSAGES = 60
MAX_SAVED_TRACES = 6


class CatalogChat(BaseModel):
    """One catalog's conversation as the page shows it."""

    session: ChatSession
    messages: list[dict] = Field(default_factory=list)  # raw {"role", "content"} as shown, unescaped
    traces: list[tuple[str, DecisionTrace]] = Field(default_factory=list)  # (the user's message, its decision)
    repeats: int = 0  # answers in a row that said the same as the one before ("Cheaper" with nothing cheaper)


class SavedPage(BaseModel):
    """The page as the browser stores it."""

    version: Literal[1] = SAVE_VERSION
    catalog: str
    lang: Lang = "en"
    chats: dict[str, CatalogChat] = Field(default_factory=dict)


@dataclass
class UiState:
    """One browser session (in gr.State): the saved page plus a lock so that its turns run one at a time."""

    page: SavedPage
    busy: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def chat(self) -> CatalogChat:
        return self.page.chats[self.page.catalog]

    @property
    def session(self) -> ChatSession:
        return self.chat.session

    @property
    def lang(self) -> Lang:
        return self.page.lang

    def to_browser(self) -> dict[str, Any]:
        """The JSON the browser keeps: the latest messages and decisions of each catalog's chat."""
        data = self.page.model_dump(mode="json")
        for chat in data["chats"].values():
            chat["messages"] = chat["messages"][-MAX_SAVED_MESSAGES:]
            chat["traces"] = chat["traces"][-MAX_SAVED_TRACES:]
        return data


def from_browser(value: object, catalogs: list[str]) -> SavedPage | None:
    """The saved page when `value` is a valid one for these catalogs, else None (start fresh)."""
    if not value:
        return None
    try:
        page = SavedPage.model_validate(value)
    except ValidationError as exc:
        log.info("ignoring a saved page that does not validate: %s", exc.error_count())
        return None
    page.chats = {name: chat for name, chat in page.chats.items()
                  if name in catalogs and chat.session.catalog == name}
    if page.catalog not in page.chats:
        return None
    return page
