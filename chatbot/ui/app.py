"""The Gradio app: chat with streamed replies, item cards with feedback buttons, quick replies that fit
the moment, and the decision panel ("How it decided").

Per-user state lives in one `gr.State` (a `UiState`: one conversation per catalog and the page's
language), saved in the browser (`gr.BrowserState`) after every change so that a reload keeps it;
nothing per user sits in module globals or in the closure. Errors become friendly messages only here.

API for `gradio_client` (one Client = one Gradio session = one conversation per catalog):
    client.predict(message, catalog, lang, api_name="/chat")
      -> (history, cards_html, trace_html, lang, "")
    `catalog` ("movies", "products", ...) picks the catalog's conversation; `lang` ("en"/"zh") is the
    page's language for a new session. `history` is the messages-format list [{"role", "content"}, ...]
    as displayed: HTML special characters (&, <, >) escaped, so `html.unescape` gives the raw text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import partial

import gradio as gr

from chatbot.config import Settings
from chatbot.service import ChatService
from chatbot.ui.handlers import BUSY_WAIT_S, TurnRunner
from chatbot.ui.panel import phrase_for, render_traces
from chatbot.ui.render import (
    CARDS_JS,
    CSS,
    chat_history,
    positive_reasons,
    render_cards,
    render_examples,
    render_status,
)
from chatbot.ui.state import CatalogChat, SavedPage, UiState, from_browser
from chatbot.ui.text import (
    LANG_CHOICES,
    QUICK_REPLIES,
    catalog_choices,
    catalog_name,
    examples,
    label,
    norm_lang,
    placeholder,
    quick_reply,
    quick_reply_fits,
    thing_word,
)
from chatbot.ui.warmup import WarmUp

log = logging.getLogger(__name__)

TURN_CONCURRENCY_ID = "turn"  # every event that runs a chat turn shares one concurrency limit
STORAGE_KEY = "conversational-recommender"
FEEDBACK = ("like", "dislike", "seen", "not_interested")

__all__ = ["ChatApp", "UiState", "build_app", "launch_options"]


class ChatApp(TurnRunner):
    """Builds the page and holds the handlers. Shared, read-only: the service, settings and warm-up."""

    def __init__(self, settings: Settings, service: ChatService, warmup: WarmUp) -> None:
        self.settings = settings
        self.service = service
        self.warmup = warmup
        self.catalog_names = self._list_catalogs()

    # ---- shared helpers (no per-user data) ----

    def _list_catalogs(self) -> list[str]:
        try:
            return list(self.service.catalogs())
        except Exception:
            log.exception("could not list catalogs")
            return []

    def default_catalog(self) -> str:
        names = self.catalog_names
        if self.settings.default_catalog in names or not names:
            return self.settings.default_catalog
        return names[0]

    def catalog_kind(self, catalog: str) -> str:
        """'movie' or 'product', from the service (it knows its catalogs)."""
        try:
            return self.service.catalog_kind(catalog)
        except Exception:
            log.warning("could not learn the kind of catalog %r", catalog, exc_info=True)
            return "movie"

    def llm_line(self, lang: str) -> str:
        """The language model's state in the page's language."""
        try:
            status = self.service.llm_status()
        except Exception:
            log.exception("service.llm_status() failed")
            return ""
        model = status.mode.split(" (")[0].removeprefix("LLM: ")
        if status.state == "ready":
            return label(lang, "llm_ready", model=model)
        if status.state == "loading":
            return label(lang, "llm_loading", model=model)
        if status.state == "failed":
            return label(lang, "llm_failed", backend=status.backend)
        return label(lang, "llm_off")

    def status_html(self, lang: str) -> str:
        return render_status(lang, self.warmup.ready, self.warmup.message_in(lang), self.llm_line(lang), self.warmup.failed)

    def new_chat(self, catalog: str, lang: str) -> CatalogChat:
        return CatalogChat(session=self.service.new_session(catalog, lang))

    def new_ui(self, catalog: str | None, lang: str) -> UiState:
        catalog = catalog if catalog in self.catalog_names else self.default_catalog()
        lang = norm_lang(lang)
        return UiState(SavedPage(catalog=catalog, lang=lang, chats={catalog: self.new_chat(catalog, lang)}))

    def cards_html(self, ui: UiState, thinking_cards: list | None = None) -> str:
        chat, lang = ui.chat, ui.lang
        cards = thinking_cards if thinking_cards is not None else chat.session.cards
        reasons: dict[str, list[str]] = {}
        if chat.traces:
            phrase = phrase_for(lang)
            reasons = {c.item_id: positive_reasons(c, phrase) for c in chat.traces[-1][1].candidates}
        empty = "" if chat.messages else render_examples(examples(self.catalog_kind(ui.page.catalog), lang), lang)
        return render_cards(cards, lang, reasons=reasons, feedback=chat.session.state.card_feedback,
                            thinking=thinking_cards is not None, more=bool(cards), empty_html=empty)

    def outputs(self, ui: UiState) -> tuple:
        """(history, cards, trace, lang) for the page as the state says."""
        return chat_history(ui.chat.messages), self.cards_html(ui), render_traces(ui.chat.traces, ui.lang), ui.lang

    def localize(self, ui: UiState) -> None:
        """The cards on screen in the page's language (after a language or catalog switch)."""
        session = ui.session
        if session.lang == ui.lang or not session.cards:
            session.lang = ui.lang
            return
        try:
            self.service.cards_in(session, ui.lang)
        except Exception:
            log.warning("could not show the cards in %s", ui.lang, exc_info=True)
        session.lang = ui.lang

    # ---- handlers that are not a turn ----

    def switch_catalog(self, catalog: str, lang: str, ui: UiState | None) -> tuple:
        """Another catalog: its own conversation (kept per catalog), a fresh one the first time."""
        if ui is None:
            ui = self.new_ui(catalog, lang)
        elif catalog in self.catalog_names and catalog != ui.page.catalog:
            had_chat = bool(ui.chat.messages)
            try:
                ui.page.chats.setdefault(catalog, self.new_chat(catalog, ui.lang))
            except Exception:
                log.exception("could not start a session on %r", catalog)
                raise gr.Error(label(ui.lang, "error_catalog")) from None
            ui.page.catalog = catalog
            self.localize(ui)
            if had_chat:
                gr.Info(label(ui.lang, "catalog_switched", catalog=catalog_name(catalog, ui.lang)))
        return (*self.outputs(ui), ui)

    def clear(self, catalog: str, lang: str, ui: UiState | None) -> tuple:
        """The chat's clear button: a fresh conversation on the same catalog."""
        if ui is None:
            ui = self.new_ui(catalog, lang)
        else:
            ui.page.chats[ui.page.catalog] = self.new_chat(ui.page.catalog, ui.lang)
        return (*self.outputs(ui), ui)

    def switch_language(self, lang: str, catalog: str, ui: UiState | None) -> tuple:
        """Labels, cards and the panel change language together; the cards are rebuilt from their items."""
        if ui is None:
            ui = self.new_ui(catalog, lang)
        ui.page.lang = norm_lang(lang)
        self.localize(ui)
        history, cards, trace, _ = self.outputs(ui)
        return cards, trace, ui

    def feedback(self, ui: UiState, item_id: str, action: str) -> None:
        card = next((c for c in ui.session.cards if c.item_id == item_id), None)
        if card is None or action not in FEEDBACK or not self.service.feedback(ui.session, item_id, action):
            return
        gr.Info(label(ui.lang, "fb_toast", title=card.title, what=label(ui.lang, "fb_done_" + action)))

    def on_card(self, catalog: str | None, lang: str | None, ui: UiState | None, evt: gr.SelectData) -> Iterator[tuple]:
        """A click in the cards column: feedback on a card, "show more", or an example to start with."""
        action, _, arg = str(evt.value or "").partition("|")
        if ui is None:
            ui = self.new_ui(catalog, lang or "en")
        if action == "more":
            yield from self.turn(label(ui.lang, "more_message"), catalog, lang, ui)
        elif action == "example":
            samples = examples(self.catalog_kind(ui.page.catalog), ui.lang)
            if arg.isdigit() and int(arg) < len(samples):
                yield from self.turn(samples[int(arg)], catalog, lang, ui)
        elif ui.busy.acquire(timeout=BUSY_WAIT_S):  # not while a turn still works on the same state
            try:
                self.feedback(ui, arg, action)
            finally:
                ui.busy.release()
            yield (*self.outputs(ui), ui)

    def restore(self, saved: object, ui: UiState | None) -> tuple:
        """Page load: the conversation saved in this browser, if it is valid; else a fresh one."""
        if ui is None:
            page = from_browser(saved, self.catalog_names)
            if page is not None:
                ui = UiState(page)
                if ui.chat.messages:
                    gr.Info(label(ui.lang, "restored"))
            else:
                ui = self.new_ui(None, "en")
        return (*self.outputs(ui), gr.Dropdown(value=ui.page.catalog, choices=catalog_choices(self.catalog_names, ui.lang)),
                ui)

    def save(self, ui: UiState | None) -> object:
        return ui.to_browser() if ui is not None else gr.skip()

    def labels(self, lang: str, catalog: str, ui: UiState | None) -> tuple:
        """Every language-dependent label on the page and the quick replies that fit the moment,
        in the order of the `labelled` list in `build`."""
        lang = norm_lang(ui.lang if ui is not None else lang)
        catalog = ui.page.catalog if ui is not None else (catalog or self.default_catalog())
        kind = self.catalog_kind(catalog)
        has_list = bool(ui and ui.session.cards)
        has_chat = bool(ui and ui.chat.messages)
        return (
            gr.Markdown(f"# {label(lang, 'title')}\n{label(lang, 'subtitle')}"),
            gr.Dropdown(label=label(lang, "catalog"), choices=catalog_choices(self.catalog_names, lang)),
            gr.Radio(label=label(lang, "language")),
            gr.Chatbot(label=label(lang, "chat"), placeholder=label(lang, "chat_placeholder", things=thing_word(kind, lang))),
            gr.Textbox(placeholder=placeholder(kind, lang)),
            gr.Button(label(lang, "send")),
            gr.Markdown(f"**{label(lang, 'quick')}**", visible=has_chat),
            *[gr.Button(quick_reply(key, lang), visible=quick_reply_fits(key, kind, has_list, has_chat))
              for key in QUICK_REPLIES],
            gr.Markdown(f"### {label(lang, 'cards')}"),
            gr.Accordion(label=label(lang, "trace")),
            self.status_html(lang),
        )

    def poll_status(self, lang: str) -> tuple:
        return self.status_html(norm_lang(lang)), gr.Timer(active=not self.warmup.finished)

    # ---- layout ----

    def build(self) -> gr.Blocks:
        lang = "en"
        catalog = self.default_catalog()
        kind = self.catalog_kind(catalog)
        start = self.new_ui(catalog, lang)
        with gr.Blocks(title=label(lang, "title")) as demo:
            state = gr.State(None)
            saved = gr.BrowserState(None, storage_key=STORAGE_KEY)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    header = gr.Markdown(f"# {label(lang, 'title')}\n{label(lang, 'subtitle')}", elem_id="app-title")
                    status = gr.HTML(self.status_html(lang), elem_id="status", js_on_load=None)
                with gr.Column(scale=2, min_width=300), gr.Row():
                    catalog_dd = gr.Dropdown(choices=catalog_choices(self.catalog_names, lang), value=catalog,
                                             label=label(lang, "catalog"), elem_id="catalog", interactive=True,
                                             min_width=150)
                    lang_radio = gr.Radio(choices=LANG_CHOICES, value=lang, label=label(lang, "language"),
                                          elem_id="lang", min_width=150)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        label=label(lang, "chat"), elem_id="chatbot", height="min(60vh, 560px)",
                        placeholder=label(lang, "chat_placeholder", things=thing_word(kind, lang)),
                        render_markdown=False, sanitize_html=True, allow_tags=False, feedback_options=None,
                        group_consecutive_messages=False, buttons=[], show_label=False)
                    with gr.Row(equal_height=True):
                        box = gr.Textbox(label="Message", show_label=False, placeholder=placeholder(kind, lang),
                                         scale=6, lines=1, max_lines=4, autofocus=True, elem_id="message",
                                         submit_btn=False, min_width=160)
                        send = gr.Button(label(lang, "send"), variant="primary", scale=1, min_width=72,
                                         elem_id="send")
                    quick_title = gr.Markdown(f"**{label(lang, 'quick')}**", visible=False, elem_id="quick-title")
                    with gr.Row(elem_id="quick-replies"):
                        quick_buttons = [gr.Button(quick_reply(key, lang), size="sm", elem_id=f"quick-{key}",
                                                   min_width=60, visible=False)
                                         for key in QUICK_REPLIES]
                with gr.Column(scale=2, min_width=300, elem_id="side-col"):
                    cards_title = gr.Markdown(f"### {label(lang, 'cards')}", elem_id="cards-title")
                    cards = gr.HTML(self.cards_html(start), elem_id="cards", js_on_load=CARDS_JS)
            with gr.Accordion(label(lang, "trace"), open=False, elem_id="trace-panel") as trace_acc:
                trace = gr.HTML(render_traces([], lang), elem_id="trace", js_on_load=None)
            timer = gr.Timer(1.0, active=not self.warmup.finished)

            labelled = [header, catalog_dd, lang_radio, chatbot, box, send, quick_title, *quick_buttons,
                        cards_title, trace_acc, status]
            turn_outputs = [chatbot, cards, trace, lang_radio, state]
            private = dict(api_visibility="private")
            relabel = dict(fn=self.labels, inputs=[lang_radio, catalog_dd, state], outputs=labelled, queue=False, **private)
            keep = dict(fn=self.save, inputs=[state], outputs=[saved], queue=False, **private)
            turn_args = dict(concurrency_id=TURN_CONCURRENCY_ID, show_progress="hidden")

            chat_inputs = [box, catalog_dd, lang_radio, state]
            chat_outputs = [chatbot, cards, trace, lang_radio, box, state]
            box.submit(self.chat, chat_inputs, chat_outputs, api_name="chat", **turn_args).then(**relabel).then(**keep)
            send.click(self.chat, chat_inputs, chat_outputs, **private, **turn_args).then(**relabel).then(**keep)
            for key, button in zip(QUICK_REPLIES, quick_buttons, strict=True):
                button.click(partial(self.quick, key), [catalog_dd, lang_radio, state], turn_outputs,
                             **private, **turn_args).then(**relabel).then(**keep)
            cards.select(self.on_card, [catalog_dd, lang_radio, state], turn_outputs, **private,
                         **turn_args).then(**relabel).then(**keep)
            catalog_dd.input(self.switch_catalog, [catalog_dd, lang_radio, state], turn_outputs,
                             **private).then(**relabel).then(**keep)
            chatbot.clear(self.clear, [catalog_dd, lang_radio, state], turn_outputs, **private).then(
                **relabel).then(**keep)
            lang_radio.input(self.switch_language, [lang_radio, catalog_dd, state], [cards, trace, state],
                             **private).then(**relabel).then(**keep)
            timer.tick(self.poll_status, [lang_radio], [status, timer], queue=False, **private)
            demo.load(self.restore, [saved, state], [chatbot, cards, trace, lang_radio, catalog_dd, state],
                      **private).then(**relabel)
        return demo


def build_app(settings: Settings, service: ChatService | None = None, *, warmup: WarmUp | None = None) -> gr.Blocks:
    """The whole page. Starts the service warm-up in the background unless `warmup` is given already started."""
    service = service or ChatService(settings)
    warmup = (warmup or WarmUp(service)).start()
    return ChatApp(settings, service, warmup).build()


def launch_options() -> dict:
    """Page styling for `demo.launch(**launch_options(), ...)` (gradio 6 takes css, theme and footer at launch)."""
    fonts = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
             "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif"]
    theme = gr.themes.Soft(primary_hue="indigo", font=fonts, font_mono=["ui-monospace", "monospace"])
    return {"css": CSS, "theme": theme, "footer_links": []}
