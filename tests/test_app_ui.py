"""The page's handlers and HTML, without a server: escaping, errors at the edge, warm-up, language, catalogs."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from app_support import XSS_MARKUP, app_settings, card_titles

from chatbot.errors import StoreError
from chatbot.service import ChatSession
from chatbot.turn import CandidateTrace, DecisionTrace, ItemCard, TurnUpdate
from chatbot.ui.app import ChatApp, UiState, build_app
from chatbot.ui.render import chat_text, render_cards, render_status, render_traces
from chatbot.ui.text import DEMO_QUESTION, EXAMPLES, LABELS, QUICK_REPLIES, examples, quick_reply
from chatbot.ui.warmup import WarmUp


class ScriptedService:
    """Stands in for ChatService: streams a reply in three pieces, or fails the way it is told to."""

    def __init__(self, fail: BaseException | None = None, gate: threading.Event | None = None) -> None:
        self.fail = fail
        self.gate = gate
        self.sessions: list[ChatSession] = []

    def catalogs(self) -> list[str]:
        return ["movies", "products"]

    def new_session(self, catalog: str | None = None, lang: str = "en") -> ChatSession:
        session = ChatSession(catalog=catalog or "movies", lang=lang)
        self.sessions.append(session)
        return session

    def status(self) -> str:
        return "No LLM: answers are built from catalog facts"

    def warm_up(self, progress=None) -> None:
        if progress:
            progress("Indexing catalog 'movies' (10 items)…")
        if self.gate is not None:
            self.gate.wait(10)

    def respond(self, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        if self.gate is not None:
            self.gate.wait(10)
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in message) else session.lang
        yield TurnUpdate(text="Here", lang=lang)
        if self.fail is not None:
            raise self.fail
        yield TurnUpdate(text="Here are", lang=lang)
        card = ItemCard(item_id="dune-2021", title=f"Dune {XSS_MARKUP}", subtitle="2021 · movie",
                        tags=["sci-fi"], selling_points=["<script>x</script> epic"], why="You like epics.")
        trace = DecisionTrace(intent="recommend", query=message, filters={"year": {"$gte": 2000}},
                              candidates=[CandidateTrace(item_id="dune-2021", title=card.title, score=0.9,
                                                         signals={"similarity": 0.8})],
                              selling_points_source={"dune-2021": "template"}, user_tags=["epic <i>sci-fi</i>"],
                              picker="no-llm", picked=["dune-2021"], llm_mode=self.status())
        yield TurnUpdate(text="Here are my picks.", cards=[card], trace=trace, lang=lang, done=True)


def make_app(tmp_path, service: ScriptedService, started: bool = True) -> ChatApp:
    warmup = WarmUp(service)
    if started:
        warmup.start().wait(5)
    return ChatApp(app_settings(tmp_path), service, warmup)


def run_turn(app: ChatApp, message: str, ui: UiState | None = None, catalog: str = "movies", lang: str = "en"):
    return list(app.turn(message, catalog, lang, ui))


def test_a_turn_streams_and_ends_with_cards_and_trace(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    steps = run_turn(app, "I loved Interstellar")
    assert len(steps) == 4  # the user's message shown at once, then three streamed updates
    histories = [step[0] for step in steps]
    assert [m["content"] for m in histories[1]] == ["I loved Interstellar", "Here"]
    history, cards, trace, lang, ui = steps[-1]
    assert history[-1] == {"role": "assistant", "content": "Here are my picks."}
    assert card_titles(cards) == [f"Dune {XSS_MARKUP}"]
    assert "<script>" not in cards and "&lt;script&gt;x&lt;/script&gt; epic" in cards
    assert "<i>sci-fi" not in trace and "epic &lt;i&gt;sci-fi&lt;/i&gt;" in trace
    assert "No LLM" in trace and lang == "en"
    assert len(ui.traces) == 1 and ui.cards[0].item_id == "dune-2021"


def test_each_state_holds_its_own_session(tmp_path):
    service = ScriptedService()
    app = make_app(tmp_path, service)
    ui_a = run_turn(app, "first user")[-1][-1]
    ui_b = run_turn(app, "second user")[-1][-1]
    assert ui_a.session is not ui_b.session and len(service.sessions) == 2
    ui_a = run_turn(app, "again", ui_a)[-1][-1]
    assert [m["content"] for m in ui_a.messages if m["role"] == "user"] == ["first user", "again"]
    assert [m["content"] for m in ui_b.messages if m["role"] == "user"] == ["second user"]


def test_errors_become_a_short_message_and_the_chat_goes_on(tmp_path, caplog):
    service = ScriptedService(fail=RuntimeError("secret internals"))
    app = make_app(tmp_path, service)
    history, *_, ui = run_turn(app, "hello")[-1]
    assert history[-1]["content"] == LABELS["en"]["error"]
    assert "secret internals" not in str(history)
    assert "turn failed" in caplog.text
    service.fail = StoreError("chroma down")
    history, *_ = run_turn(app, "again", ui)[-1]
    assert history[-1]["content"] == LABELS["en"]["error_store"]
    service.fail = None
    history, cards, *_ = run_turn(app, "and now", ui)[-1]
    assert history[-1]["content"] == "Here are my picks." and len(history) == 6
    assert card_titles(cards)


def test_blank_messages_are_ignored(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = run_turn(app, "hello")[-1][-1]
    steps = run_turn(app, " \n\t ", ui)
    assert len(steps) == 1 and len(steps[0][0]) == 2


def test_a_turn_before_warm_up_says_it_is_preparing(tmp_path):
    gate = threading.Event()
    app = make_app(tmp_path, ScriptedService(gate=gate), started=False)
    app.warmup.start()
    turn = app.turn("hello", "movies", "en", None)
    first = next(turn)
    assert first[0][-1]["content"] == LABELS["en"]["still_preparing"]
    assert "Indexing catalog" in app.status_html("en") or "Preparing" in app.status_html("en")
    gate.set()
    last = list(turn)[-1]
    assert last[0][-1]["content"] == "Here are my picks."
    assert app.warmup.wait(5) and "Ready" in app.status_html("en")


def test_language_follows_the_user_and_can_be_switched(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    *_, lang, ui = run_turn(app, "我喜欢沙丘")[-1]
    assert lang == "zh" and ui.lang == "zh"
    assert LABELS["zh"]["why"] in render_cards(ui.cards, ui.lang)
    cards, trace, ui = app.switch_language("en", ui)
    assert ui.lang == "en" and ui.session.lang == "en" and LABELS["en"]["why"] in cards
    labels = app.labels("zh", "movies")
    assert labels[5].value == LABELS["zh"]["send"]


def test_quick_replies_and_examples_send_their_text(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = list(app.quick("cheaper", "products", "zh", None))[-1][-1]
    assert ui.messages[0]["content"] == quick_reply("cheaper", "zh") == "便宜一点"
    ui = list(app.example(0, "movies", "en", None))[-1][-1]
    assert ui.messages[0]["content"] == DEMO_QUESTION["en"]


def test_catalog_switch_starts_fresh(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = run_turn(app, "hello")[-1][-1]
    history, cards, trace, lang, fresh = app.switch_catalog("products", "en", ui)
    assert fresh.session.catalog == "products" and history == [] and fresh.session is not ui.session
    assert "rec-empty" in cards


def test_quick_replies_fit_the_catalog(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    keys = list(QUICK_REPLIES)
    movie_buttons = app.labels("en", "movies")[7:7 + len(keys)]
    product_buttons = app.labels("en", "products")[7:7 + len(keys)]
    visible_movie = {k for k, b in zip(keys, movie_buttons, strict=False) if b.visible}
    visible_product = {k for k, b in zip(keys, product_buttons, strict=False) if b.visible}
    assert "cheaper" not in visible_movie and {"newer", "older"} <= visible_movie
    assert "cheaper" in visible_product and "newer" not in visible_product
    assert {"why", "start_over", "more_like_first", "not_this_kind"} <= visible_movie & visible_product


def test_ui_text_is_complete_in_both_languages():
    assert LABELS["en"].keys() == LABELS["zh"].keys()
    assert all(set(texts) == {"en", "zh"} for texts in QUICK_REPLIES.values())
    assert DEMO_QUESTION["zh"] in examples("movie", "zh") and DEMO_QUESTION["en"] in examples("movie", "en")
    assert len({len(texts) for table in EXAMPLES.values() for texts in table.values()}) == 1, \
        "the page has a fixed number of example buttons"


@pytest.mark.parametrize("text", ['<img src=x onerror="alert(1)">', "<script>alert(1)</script>", "a & b < c"])
def test_chat_text_shows_markup_literally(text):
    escaped = chat_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_trace_panel_shows_every_paradigm_and_no_secrets(tmp_path):
    trace = DecisionTrace(query="space", picker="llm-repaired", llm_mode="OpenAI-compatible server: qwen",
                          notes=["repaired one id"], timings_ms={"retrieve": 3.2})
    html_text = render_traces([("hello <b>", trace)], "en", "OpenAI-compatible server: qwen")
    for key in ("p1", "p2", "p3"):
        assert LABELS["en"][key] in html_text
    assert "hello &lt;b&gt;" in html_text and "hello <b>" not in html_text
    assert "repaired" in html_text and "retrieve 3 ms" in html_text
    settings = app_settings(tmp_path, openai_api_key="sk-test-secret-value")
    app = ChatApp(settings, ScriptedService(), WarmUp(ScriptedService()).start())
    assert "sk-test-secret-value" not in app.status_html("en")


def test_status_line_states():
    assert "st-ok" in render_status("en", True, "", "No LLM")
    assert "st-busy" in render_status("zh", False, "Indexing <x>", "No LLM") and "Indexing &lt;x&gt;" in \
        render_status("zh", False, "Indexing <x>", "")
    assert "st-bad" in render_status("en", False, "", "", failed=True)


def test_build_app_exposes_one_public_endpoint(tmp_path):
    demo = build_app(app_settings(tmp_path), ScriptedService())
    public = [fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"]
    assert public == ["chat"]


def test_failed_warm_up_is_shown_and_chat_still_tries(tmp_path, caplog):
    class BrokenWarmUp(ScriptedService):
        def warm_up(self, progress=None) -> None:
            raise StoreError("index could not be built")

    app = make_app(tmp_path, BrokenWarmUp())
    assert app.warmup.finished and app.warmup.failed and not app.warmup.ready
    assert "st-bad" in app.status_html("en") and "warm-up failed" in caplog.text
    history, cards, *_ = run_turn(app, "hello")[-1]
    assert history[-1]["content"] == "Here are my picks." and card_titles(cards)


def test_one_session_runs_one_turn_at_a_time(tmp_path):
    gate = threading.Event()
    service = ScriptedService()
    app = make_app(tmp_path, service)
    ui = run_turn(app, "hello")[-1][-1]
    service.gate = gate
    first = app.turn("slow one", "movies", "en", ui)
    next(first)  # holds the session's turn
    finished = []
    second = threading.Thread(target=lambda: finished.append(run_turn(app, "second", ui)[-1]))
    second.start()
    second.join(0.3)
    assert not finished, "the second turn waits for the first"
    gate.set()
    list(first)
    second.join(10)
    assert finished and [m["content"] for m in ui.messages if m["role"] == "user"] == ["hello", "slow one", "second"]
