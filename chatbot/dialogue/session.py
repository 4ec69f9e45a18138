"""One user's conversation: what the UI keeps in the browser session (gr.State), never in a module global."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chatbot.dialogue.state import DialogueState
from chatbot.items import Lang
from chatbot.turn import ItemCard

MAX_HISTORY = 200  # messages kept per session; the LLM sees only the last few


class ChatSession(BaseModel):
    catalog: str
    lang: Lang = "en"  # the reply language: the UI switch, or the language the user writes in
    history: list[dict] = Field(default_factory=list)  # {"role", "content"} as the user saw it
    state: DialogueState = Field(default_factory=DialogueState)
    cards: list[ItemCard] = Field(default_factory=list)  # the cards on screen
    picks: list[ItemCard] = Field(default_factory=list)  # the last recommendations, with why they fit

    def remember(self, user_text: str, reply: str) -> None:
        self.history += [{"role": "user", "content": user_text}, {"role": "assistant", "content": reply}]
        del self.history[:-MAX_HISTORY]
