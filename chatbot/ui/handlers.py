"""Chat turns on the page: a message, a quick reply, "show more" or an example runs one turn of the
chat service; the reply streams in, the cards re-render on every update (with a "thinking" band while
the model still chooses), and errors become short friendly messages here, at the UI edge."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import gradio as gr

from chatbot.dialogue.parser import detect_language
from chatbot.errors import CatalogError, ChatbotError, LLMError, StoreError
from chatbot.sanitize import clean_message
from chatbot.ui.render import chat_history
from chatbot.ui.text import label, norm_lang, quick_reply

if TYPE_CHECKING:
    from chatbot.ui.state import UiState

log = logging.getLogger(__name__)

BUSY_WAIT_S = 60.0  # a second message of the same session waits this long for the first one to finish


def error_text(exc: BaseException, lang: str) -> str:
    if isinstance(exc, StoreError):
        return label(lang, "error_store")
    if isinstance(exc, CatalogError):
        return label(lang, "error_catalog")
    if isinstance(exc, LLMError):
        return label(lang, "error_llm")
    return label(lang, "error")


class TurnRunner:
    """The turn handlers of ChatApp (which provides service, settings, warmup, outputs, cards_html, new_ui)."""

    def turn(self, message: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        """Run one chat turn; yields (history, cards_html, trace_html, lang, ui) as the reply streams."""
        if ui is None:
            try:
                ui = self.new_ui(catalog, norm_lang(lang))
            except Exception:
                log.exception("could not start a session")
                raise gr.Error(label(norm_lang(lang), "error")) from None
        elif catalog and catalog != ui.page.catalog and catalog in self.catalog_names:
            ui.page.chats.setdefault(catalog, self.new_chat(catalog, ui.lang))
            ui.page.catalog = catalog
        shown = clean_message(message, self.settings.max_message_chars).text
        if not shown:
            gr.Info(label(ui.lang, "empty_message"))
            yield (*self.outputs(ui), ui)
            return
        if not ui.busy.acquire(timeout=BUSY_WAIT_S):
            gr.Warning(label(ui.lang, "busy"))
            yield (*self.outputs(ui), ui)
            return
        try:
            yield from self._run(ui, message, shown)
        finally:
            ui.busy.release()

    def _run(self, ui: UiState, message: str, shown: str) -> Iterator[tuple]:
        chat = ui.chat
        before = next((m["content"] for m in reversed(chat.messages) if m["role"] == "assistant"), None)
        chat.messages.append({"role": "user", "content": shown})
        reply = {"role": "assistant", "content": "…"}
        chat.messages.append(reply)
        if not self.warmup.finished:  # in the message's language (the service's progress updates follow)
            reply["content"] = label(detect_language(message, ui.lang), "still_preparing")
        skip = gr.skip()
        yield chat_history(chat.messages), skip, skip, skip, ui
        done, reply_lang = False, ui.lang
        try:
            for update in self.service.respond(chat.session, message):
                if done:  # nothing may change after the final update; let the service finish its bookkeeping
                    continue
                reply["content"], reply_lang = update.text, norm_lang(update.lang)
                if update.done:
                    done = True
                    if update.trace is not None:
                        chat.traces.append((shown, update.trace))
                else:
                    cards = self.cards_html(ui, thinking_cards=list(update.cards)) if update.cards else skip
                    yield chat_history(chat.messages), cards, skip, skip, ui
            if not done:
                log.error("the chat service ended a turn without a final update")
                if reply["content"] in ("…", label("en", "still_preparing"), label("zh", "still_preparing")):
                    reply["content"] = label(ui.lang, "error")
            else:
                self._vary_repeat(ui, before, reply, reply_lang)
        except Exception as exc:  # the UI edge: log it, say something short, keep the chat working
            if isinstance(exc, ChatbotError):
                log.warning("turn failed: %s", exc, exc_info=True)
            else:
                log.exception("turn failed")
            reply["content"] = error_text(exc, ui.lang)
        yield (*self.outputs(ui), ui)

    @staticmethod
    def _vary_repeat(ui: UiState, before: str | None, reply: dict, lang: str) -> None:
        """The same answer again (say "Cheaper" when nothing is cheaper) gets a varied, helpful ending."""
        chat = ui.chat
        if before is not None and reply["content"] == before.split("\n\n" + label(lang, "still_nothing"))[0] \
                .split("\n\n" + label(lang, "still_nothing_2"))[0]:
            chat.repeats += 1
            reply["content"] += "\n\n" + label(lang, "still_nothing" if chat.repeats % 2 else "still_nothing_2")
        else:
            chat.repeats = 0

    def chat(self, message: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        """The public endpoint: like `turn`, plus clearing the message box."""
        for history, cards, trace, new_lang, state in self.turn(message, catalog, lang, ui):
            yield history, cards, trace, new_lang, "", state

    def quick(self, key: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        current = ui.lang if ui is not None else norm_lang(lang)
        yield from self.turn(quick_reply(key, current), catalog, lang, ui)
