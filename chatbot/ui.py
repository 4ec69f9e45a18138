"""The Gradio app: chat with streamed replies, item cards, quick replies, examples, the "How it decided" panel.

Per-user state lives in one `gr.State` (a `UiState` that holds the user's `ChatSession`); nothing per
user sits in module globals or in the closure. Errors become friendly chat messages only here.

API for `gradio_client` (one Client = one Gradio session = one conversation):
    client.predict(message, catalog, lang, api_name="/chat")
      -> (history, cards_html, trace_html, lang, "")
    `catalog` ("movies", "products", ...) and `lang` ("en"/"zh") are optional and only choose the
    catalog and language of a new conversation; a different catalog starts a fresh one.
    `history` is the messages-format list [{"role", "content"}, ...] as displayed: HTML special
    characters (&, <, >) escaped, so `html.unescape` gives the raw text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

import gradio as gr

from chatbot.config import Settings
from chatbot.errors import CatalogError, ChatbotError, LLMError, StoreError
from chatbot.sanitize import clean_message
from chatbot.service import ChatService, ChatSession
from chatbot.turn import DecisionTrace, ItemCard
from chatbot.ui_render import CSS, chat_history, render_cards, render_status, render_traces
from chatbot.ui_text import (
    LANG_CHOICES,
    QUICK_REPLIES,
    catalog_choices,
    examples,
    label,
    quick_reply,
    quick_reply_fits,
    thing_word,
)
from chatbot.ui_warmup import WarmUp

log = logging.getLogger(__name__)

TURN_CONCURRENCY_ID = "turn"  # every event that runs a chat turn shares one concurrency limit
BUSY_WAIT_S = 60.0  # a second message of the same session waits this long for the first one to finish


@dataclass
class UiState:
    """One browser session: the service's ChatSession plus what the page shows."""

    session: ChatSession
    lang: str = "en"
    messages: list[dict] = field(default_factory=list)  # raw {"role", "content"} as shown, unescaped
    cards: list[ItemCard] = field(default_factory=list)
    traces: list[tuple[str, DecisionTrace]] = field(default_factory=list)
    busy: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)  # one turn at a time


def _norm_lang(lang: object) -> str:
    return "zh" if lang == "zh" else "en"


def _error_text(exc: BaseException, lang: str) -> str:
    if isinstance(exc, StoreError):
        return label(lang, "error_store")
    if isinstance(exc, CatalogError):
        return label(lang, "error_catalog")
    if isinstance(exc, LLMError):
        return label(lang, "error_llm")
    return label(lang, "error")


class ChatApp:
    """Builds the page and holds the handlers. Shared, read-only: the service, settings and warm-up."""

    def __init__(self, settings: Settings, service: ChatService, warmup: WarmUp) -> None:
        self.settings = settings
        self.service = service
        self.warmup = warmup
        self.catalog_names = self._list_catalogs()
        self._kinds: dict[str, str] = {}

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
        """'movie' or 'product' (cached; catalogs are shipped files), by the rule the chat uses."""
        if catalog not in self._kinds:
            kind = "movie"
            try:
                from chatbot.catalogs import catalog_kind, resolve_catalog
                from chatbot.loaders import load_catalog

                kind = catalog_kind(load_catalog(resolve_catalog(self.settings, catalog)[1]).items)
            except Exception:
                log.warning("could not read the kind of catalog %r", catalog, exc_info=True)
            self._kinds[catalog] = kind
        return self._kinds[catalog]

    def llm_status(self) -> str:
        try:
            return self.service.status()
        except Exception:
            log.exception("service.status() failed")
            return ""

    def status_html(self, lang: str) -> str:
        return render_status(lang, self.warmup.ready, self.warmup.message, self.llm_status(), self.warmup.failed)

    def _new_ui(self, catalog: str | None, lang: str) -> UiState:
        catalog = catalog if catalog in self.catalog_names else self.default_catalog()
        return UiState(session=self.service.new_session(catalog, lang), lang=lang)

    def _outputs(self, ui: UiState) -> tuple:
        return (chat_history(ui.messages), render_cards(ui.cards, ui.lang),
                render_traces(ui.traces, ui.lang, self.llm_status()), ui.lang)

    # ---- handlers ----

    def turn(self, message: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        """Run one chat turn; yields (history, cards_html, trace_html, lang, ui) as the reply streams."""
        lang = _norm_lang(lang)
        if ui is None or (catalog and catalog != ui.session.catalog and catalog in self.catalog_names):
            try:
                ui = self._new_ui(catalog, lang)
            except Exception:
                log.exception("could not start a session")
                raise gr.Error(label(lang, "error")) from None
        shown = clean_message(message, self.settings.max_message_chars).text
        if not shown:
            gr.Info(label(ui.lang, "empty_message"))
            yield (*self._outputs(ui), ui)
            return
        if not ui.busy.acquire(timeout=BUSY_WAIT_S):
            gr.Warning(label(ui.lang, "busy"))
            yield (*self._outputs(ui), ui)
            return
        try:
            yield from self._run(ui, message, shown)
        finally:
            ui.busy.release()

    def _run(self, ui: UiState, message: str, shown: str) -> Iterator[tuple]:
        ui.messages.append({"role": "user", "content": shown})
        reply = {"role": "assistant", "content": "…"}
        ui.messages.append(reply)
        if not self.warmup.finished:
            reply["content"] = label(ui.lang, "still_preparing")
        skip = gr.skip()
        yield chat_history(ui.messages), skip, skip, skip, ui
        done = False
        try:
            for update in self.service.respond(ui.session, message):
                if done:  # nothing may change after the final update; let the service finish its bookkeeping
                    continue
                reply["content"] = update.text
                if update.done:
                    done = True
                    ui.lang = _norm_lang(update.lang)
                    ui.cards = list(update.cards)
                    if update.trace is not None:
                        ui.traces.append((shown, update.trace))
                elif update.cards:  # the ranker's cards at once; the model may still reorder or re-explain them
                    if update.thinking:
                        reply["content"] = f"{update.text}\n\n_{label(ui.lang, 'thinking')}_"
                    yield chat_history(ui.messages), render_cards(list(update.cards), ui.lang), skip, skip, ui
                else:
                    yield chat_history(ui.messages), skip, skip, skip, ui
            if not done:
                log.error("the chat service ended a turn without a final update")
                if reply["content"] in ("…", label(ui.lang, "still_preparing")):
                    reply["content"] = label(ui.lang, "error")
        except Exception as exc:  # the UI edge: log it, say something short, keep the chat working
            if isinstance(exc, ChatbotError):
                log.warning("turn failed: %s", exc, exc_info=True)
            else:
                log.exception("turn failed")
            reply["content"] = _error_text(exc, ui.lang)
        yield (*self._outputs(ui), ui)

    def chat(self, message: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        """The public endpoint: like `turn`, plus clearing the message box."""
        for history, cards, trace, new_lang, state in self.turn(message, catalog, lang, ui):
            yield history, cards, trace, new_lang, "", state

    def quick(self, key: str, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        current = ui.lang if ui is not None else _norm_lang(lang)
        yield from self.turn(quick_reply(key, current), catalog, lang, ui)

    def example(self, index: int, catalog: str | None, lang: str | None, ui: UiState | None) -> Iterator[tuple]:
        current = ui.lang if ui is not None else _norm_lang(lang)
        kind = self.catalog_kind(ui.session.catalog if ui is not None else (catalog or self.default_catalog()))
        samples = examples(kind, current)
        if not 0 <= index < len(samples):
            return
        yield from self.turn(samples[index], catalog, lang, ui)

    def switch_catalog(self, catalog: str, lang: str, ui: UiState | None) -> tuple:
        """A fresh conversation on another catalog."""
        lang = _norm_lang(ui.lang if ui is not None else lang)
        try:
            ui = self._new_ui(catalog, lang)
        except Exception:
            log.exception("could not start a session on %r", catalog)
            raise gr.Error(label(lang, "error_catalog")) from None
        return (*self._outputs(ui), ui)

    def clear(self, catalog: str, lang: str, ui: UiState | None) -> tuple:
        """The chat's clear button: a fresh conversation on the same catalog."""
        return self.switch_catalog(ui.session.catalog if ui is not None else catalog, lang, ui)

    def switch_language(self, lang: str, ui: UiState | None) -> tuple:
        lang = _norm_lang(lang)
        if ui is not None:
            ui.lang = lang
            ui.session.lang = lang
            outputs = self._outputs(ui)
            return outputs[1], outputs[2], ui
        return render_cards([], lang), render_traces([], lang, self.llm_status()), ui

    def labels(self, lang: str, catalog: str) -> tuple:
        """Every language-dependent label on the page, in the order of the `labelled` list in `build`."""
        lang = _norm_lang(lang)
        kind = self.catalog_kind(catalog or self.default_catalog())
        header = f"# {label(lang, 'title')}\n{label(lang, 'subtitle')}"
        updates = [
            gr.Markdown(header),
            gr.Dropdown(label=label(lang, "catalog"), choices=catalog_choices(self.catalog_names, lang)),
            gr.Radio(label=label(lang, "language")),
            gr.Chatbot(label=label(lang, "chat"),
                       placeholder=label(lang, "chat_placeholder", things=thing_word(kind, lang))),
            gr.Textbox(placeholder=label(lang, "placeholder_box")),
            gr.Button(label(lang, "send")),
            gr.Markdown(f"**{label(lang, 'quick')}**"),
            *[gr.Button(quick_reply(key, lang), visible=quick_reply_fits(key, kind)) for key in QUICK_REPLIES],
            gr.Markdown(f"**{label(lang, 'examples')}**"),
            *[gr.Button(text) for text in examples(kind, lang)],
            gr.Markdown(f"### {label(lang, 'cards')}"),
            gr.Accordion(label=label(lang, "trace")),
            self.status_html(lang),
        ]
        return tuple(updates)

    def poll_status(self, lang: str) -> tuple:
        return self.status_html(_norm_lang(lang)), gr.Timer(active=not self.warmup.finished)

    # ---- layout ----

    def build(self) -> gr.Blocks:
        lang = "en"
        catalog = self.default_catalog()
        kind = self.catalog_kind(catalog)
        with gr.Blocks(title=label(lang, "title")) as demo:
            state = gr.State(None)
            with gr.Row(equal_height=True):
                with gr.Column(scale=3):
                    header = gr.Markdown(f"# {label(lang, 'title')}\n{label(lang, 'subtitle')}", elem_id="app-title")
                    status = gr.HTML(self.status_html(lang), elem_id="status", js_on_load=None)
                with gr.Column(scale=2, min_width=280), gr.Row():
                    catalog_dd = gr.Dropdown(choices=catalog_choices(self.catalog_names, lang), value=catalog,
                                             label=label(lang, "catalog"), elem_id="catalog", interactive=True)
                    lang_radio = gr.Radio(choices=LANG_CHOICES, value=lang, label=label(lang, "language"),
                                          elem_id="lang")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chatbot = gr.Chatbot(
                        label=label(lang, "chat"), elem_id="chatbot", height=520,
                        placeholder=label(lang, "chat_placeholder", things=thing_word(kind, lang)),
                        render_markdown=False, sanitize_html=True, allow_tags=False, feedback_options=None,
                        group_consecutive_messages=False, buttons=[])
                    with gr.Row(equal_height=True):
                        box = gr.Textbox(label="Message", show_label=False, placeholder=label(lang, "placeholder_box"),
                                         scale=6, lines=1, max_lines=4, autofocus=True, elem_id="message",
                                         submit_btn=False)
                        send = gr.Button(label(lang, "send"), variant="primary", scale=1, min_width=80,
                                         elem_id="send")
                    quick_title = gr.Markdown(f"**{label(lang, 'quick')}**")
                    with gr.Row(elem_id="quick-replies"):
                        quick_buttons = [gr.Button(quick_reply(key, lang), size="sm", elem_id=f"quick-{key}",
                                                   min_width=60, visible=quick_reply_fits(key, kind))
                                         for key in QUICK_REPLIES]
                    examples_title = gr.Markdown(f"**{label(lang, 'examples')}**")
                    with gr.Column(elem_id="examples"):
                        example_buttons = [gr.Button(text, size="sm", elem_id=f"example-{n}",
                                                     elem_classes="example-btn")
                                           for n, text in enumerate(examples(kind, lang))]
                with gr.Column(scale=2, min_width=300):
                    cards_title = gr.Markdown(f"### {label(lang, 'cards')}")
                    cards = gr.HTML(render_cards([], lang), label="Recommendations", elem_id="cards",
                                    js_on_load=None)
            with gr.Accordion(label(lang, "trace"), open=False, elem_id="trace-panel") as trace_acc:
                trace = gr.HTML(render_traces([], lang, self.llm_status()), label="How it decided",
                                elem_id="trace", js_on_load=None)
            timer = gr.Timer(1.0, active=not self.warmup.finished)

            labelled = [header, catalog_dd, lang_radio, chatbot, box, send, quick_title, *quick_buttons,
                        examples_title, *example_buttons, cards_title, trace_acc, status]
            turn_outputs = [chatbot, cards, trace, lang_radio, state]
            relabel = dict(fn=self.labels, inputs=[lang_radio, catalog_dd], outputs=labelled,
                           queue=False, api_visibility="private")
            turn_args = dict(concurrency_id=TURN_CONCURRENCY_ID, show_progress="hidden")

            chat_inputs = [box, catalog_dd, lang_radio, state]
            chat_outputs = [chatbot, cards, trace, lang_radio, box, state]
            box.submit(self.chat, chat_inputs, chat_outputs, api_name="chat", **turn_args).then(**relabel)
            send.click(self.chat, chat_inputs, chat_outputs, api_visibility="private", **turn_args).then(**relabel)
            for key, button in zip(QUICK_REPLIES, quick_buttons, strict=True):
                button.click(partial(self.quick, key), [catalog_dd, lang_radio, state], turn_outputs,
                             api_visibility="private", **turn_args).then(**relabel)
            for index, button in enumerate(example_buttons):
                button.click(partial(self.example, index), [catalog_dd, lang_radio, state], turn_outputs,
                             api_visibility="private", **turn_args).then(**relabel)
            catalog_dd.input(self.switch_catalog, [catalog_dd, lang_radio, state], turn_outputs,
                             api_visibility="private").then(**relabel)
            chatbot.clear(self.clear, [catalog_dd, lang_radio, state], turn_outputs, api_visibility="private")
            lang_radio.input(self.switch_language, [lang_radio, state], [cards, trace, state],
                             api_visibility="private", queue=False).then(**relabel)
            timer.tick(self.poll_status, [lang_radio], [status, timer], api_visibility="private", queue=False)
        return demo


def build_app(settings: Settings, service: ChatService | None = None, *, warmup: WarmUp | None = None) -> gr.Blocks:
    """The whole page. Starts the service warm-up in the background unless `warmup` is given already started."""
    service = service or ChatService(settings)
    warmup = (warmup or WarmUp(service)).start()
    return ChatApp(settings, service, warmup).build()


def launch_options() -> dict:
    """Page styling for `demo.launch(**launch_options(), ...)` (gradio 6 takes css and theme at launch)."""
    fonts = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
             "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif"]
    theme = gr.themes.Soft(primary_hue="indigo", font=fonts, font_mono=["ui-monospace", "monospace"])
    return {"css": CSS, "theme": theme}
