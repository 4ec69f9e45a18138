"""The page's handlers and HTML, without a server: escaping, errors at the edge, warm-up, language,
catalogs, feedback, reload, the decision panel."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import gradio as gr
import pytest
from app_support import XSS_MARKUP, app_settings, card_titles

from chatbot.errors import StoreError
from chatbot.llm.factory import LLMStatus
from chatbot.service import ChatSession
from chatbot.turn import CandidateTrace, Contribution, DecisionTrace, ItemCard, TurnUpdate
from chatbot.ui.app import ChatApp, UiState, build_app
from chatbot.ui.panel import render_traces
from chatbot.ui.render import chat_text, render_cards, render_status
from chatbot.ui.state import from_browser
from chatbot.ui.text import DEMO_QUESTION, EXAMPLES, LABELS, QUICK_REPLIES, examples, quick_reply
from chatbot.ui.warmup import WarmUp


def scripted_card(lang: str) -> ItemCard:
    title = "沙丘" if lang == "zh" else f"Dune {XSS_MARKUP}"
    return ItemCard(item_id="dune-2021", title=title, subtitle="2021 · movie", tags=["sci-fi"],
                    selling_points=["<script>x</script> epic"], why="You like epics.",
                    image_url="https://img.example.org/dune.jpg")


class ScriptedService:
    """Stands in for ChatService: streams a reply in three pieces (the middle one "thinking", with the
    ranker's cards), or fails the way it is told to."""

    def __init__(self, fail: BaseException | None = None, gate: threading.Event | None = None) -> None:
        self.fail = fail
        self.gate = gate
        self.sessions: list[ChatSession] = []
        self.feedback_calls: list[tuple[str, str]] = []
        self.reply = "Here are my picks."

    def catalogs(self) -> list[str]:
        return ["movies", "products"]

    def catalog_kind(self, catalog: str) -> str:
        return "product" if catalog == "products" else "movie"

    def new_session(self, catalog: str | None = None, lang: str = "en") -> ChatSession:
        session = ChatSession(catalog=catalog or "movies", lang=lang)
        self.sessions.append(session)
        return session

    def llm_status(self) -> LLMStatus:
        return LLMStatus(backend="none", state="off", mode="No LLM: answers are built from catalog facts")

    def warm_up(self, progress=None) -> None:
        if progress:
            progress("Indexing catalog 'movies' (10 items)…")
        if self.gate is not None:
            self.gate.wait(10)

    def feedback(self, session: ChatSession, item_id: str, action: str) -> bool:
        self.feedback_calls.append((item_id, action))
        session.state.feedback(item_id, action)
        return True

    def cards_in(self, session: ChatSession, lang: str) -> list[ItemCard]:
        session.cards = [scripted_card(lang)]
        return session.cards

    def respond(self, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        if self.gate is not None:
            self.gate.wait(10)
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in message) else session.lang
        session.lang = lang
        yield TurnUpdate(text="Here", lang=lang)
        if self.fail is not None:
            raise self.fail
        card = scripted_card(lang)
        yield TurnUpdate(text="Here are", cards=[card], lang=lang, thinking=True)
        contributions = [Contribution(kind="liked_similar", value=0.8, anchor_titles={"en": "Arrival", "zh": "降临"}),
                         Contribution(kind="genre", value=0.5, genre="sci-fi"),
                         Contribution(kind="recency", value=-0.2)]
        trace = DecisionTrace(intent="recommend", query=message, filters={"year": {"$gte": 2000}},
                              constraints={"year_min": 2000}, liked=["Arrival"], catalog_size=10,
                              candidates=[CandidateTrace(item_id="dune-2021", title=card.title, score=0.9,
                                                         signals={"liked_max": 0.8}, contributions=contributions)],
                              selling_points_source={"dune-2021": "template"}, user_tags=["epic <i>sci-fi</i>"],
                              picker="no-llm", picked=["dune-2021"], ranker_picked=["dune-2021"],
                              llm_mode="No LLM: answers are built from catalog facts")
        session.cards = [card]
        yield TurnUpdate(text=self.reply, cards=[card], trace=trace, lang=lang, done=True)


def make_app(tmp_path, service: ScriptedService, started: bool = True) -> ChatApp:
    warmup = WarmUp(service)
    if started:
        warmup.start().wait(5)
    return ChatApp(app_settings(tmp_path), service, warmup)


def run_turn(app: ChatApp, message: str, ui: UiState | None = None, catalog: str = "movies", lang: str = "en"):
    return list(app.turn(message, catalog, lang, ui))


def user_texts(ui: UiState) -> list[str]:
    return [m["content"] for m in ui.chat.messages if m["role"] == "user"]


def test_a_turn_streams_and_ends_with_cards_and_trace(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    steps = run_turn(app, "I loved Interstellar")
    assert len(steps) == 4  # the user's message shown at once, then three streamed updates
    assert [m["content"] for m in steps[1][0]] == ["I loved Interstellar", "Here"]
    thinking_cards = steps[2][1]
    assert "rec-thinking" in thinking_cards and LABELS["en"]["thinking"] in thinking_cards, \
        "cards that arrive while the model still works show a thinking state"
    assert "fb-btn" not in thinking_cards and "rec-more" not in thinking_cards
    history, cards, trace, lang, ui = steps[-1]
    assert history[-1] == {"role": "assistant", "content": "Here are my picks."}
    assert card_titles(cards) == [f"Dune {XSS_MARKUP}"] and "rec-thinking" not in cards
    assert "<script>" not in cards and "&lt;script&gt;x&lt;/script&gt; epic" in cards
    assert "<i>sci-fi" not in trace and "epic &lt;i&gt;sci-fi&lt;/i&gt;" in trace
    assert lang == "en" and len(ui.chat.traces) == 1 and ui.session.cards[0].item_id == "dune-2021"
    assert 'src="https://img.example.org/dune.jpg"' in cards
    assert "You like epics." not in cards, "the card does not repeat the chat's reasons word for word"
    assert "similar to “Arrival”, which you liked" in cards


def test_each_state_holds_its_own_session(tmp_path):
    service = ScriptedService()
    app = make_app(tmp_path, service)
    ui_a = run_turn(app, "first user")[-1][-1]
    ui_b = run_turn(app, "second user")[-1][-1]
    assert ui_a.session is not ui_b.session and len(service.sessions) == 2
    ui_a = run_turn(app, "again", ui_a)[-1][-1]
    assert user_texts(ui_a) == ["first user", "again"] and user_texts(ui_b) == ["second user"]


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
    assert "Indexing catalog" in app.status_html("en") and LABELS["zh"]["preparing"] in app.status_html("zh")
    gate.set()
    last = list(turn)[-1]
    assert last[0][-1]["content"] == "Here are my picks."
    assert app.warmup.wait(5) and "Ready" in app.status_html("en")
    assert LABELS["zh"]["llm_off"] in app.status_html("zh") and "No LLM" not in app.status_html("zh")


def test_a_message_in_another_language_answers_in_it_without_flipping_the_page(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    *_, lang, ui = run_turn(app, "我喜欢沙丘")[-1]
    assert lang == "en" and ui.lang == "en" and ui.session.lang == "zh"
    cards, trace, ui = app.switch_language("zh", "movies", ui)
    assert ui.lang == "zh" and ui.session.lang == "zh"
    cards, trace, ui = app.switch_language("en", "movies", ui)
    assert card_titles(cards) == [f"Dune {XSS_MARKUP}"], "the cards are rebuilt in the page's language"
    assert LABELS["en"]["counted"] in cards
    cards, trace, ui = app.switch_language("zh", "movies", ui)
    assert card_titles(cards) == ["沙丘"] and LABELS["zh"]["counted"] in cards and "与你喜欢的“降临”相似" in cards
    assert LABELS["zh"]["understood"] in trace and LABELS["en"]["understood"] not in trace
    labels = app.labels("zh", "movies", ui)
    assert labels[5].value == LABELS["zh"]["send"]


def test_quick_replies_and_examples_send_their_text(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = list(app.quick("cheaper", "products", "zh", None))[-1][-1]
    assert user_texts(ui) == [quick_reply("cheaper", "zh")] == ["便宜一点"]
    ui = list(app.on_card("movies", "en", None, gr.SelectData(None, {"value": "example|0", "index": 0})))[-1][-1]
    assert user_texts(ui) == [DEMO_QUESTION["en"]]
    ui = list(app.on_card("movies", "en", ui, gr.SelectData(None, {"value": "more|", "index": 0})))[-1][-1]
    assert user_texts(ui)[-1] == LABELS["en"]["more_message"]


def test_feedback_buttons_reach_the_service_and_show_on_the_card(tmp_path):
    service = ScriptedService()
    app = make_app(tmp_path, service)
    ui = run_turn(app, "hello")[-1][-1]
    history, cards, trace, lang, ui = list(app.on_card("movies", "en", ui, gr.SelectData(
        None, {"value": "dislike|dune-2021", "index": 0})))[-1]
    assert service.feedback_calls == [("dune-2021", "dislike")]
    assert ui.session.state.disliked_ids == ["dune-2021"] and LABELS["en"]["fb_done_dislike"] in cards
    list(app.on_card("movies", "en", ui, gr.SelectData(None, {"value": "steal|dune-2021", "index": 0})))
    list(app.on_card("movies", "en", ui, gr.SelectData(None, {"value": "like|not-on-screen", "index": 0})))
    assert service.feedback_calls == [("dune-2021", "dislike")], "unknown actions and items change nothing"


def test_catalog_switch_keeps_each_catalogs_conversation(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = run_turn(app, "hello")[-1][-1]
    history, cards, trace, lang, ui = app.switch_catalog("products", "en", ui)
    assert ui.session.catalog == "products" and history == [] and "ex-btn" in cards
    assert examples("product", "en")[0] in cards, "the examples fit the catalog"
    ui = run_turn(app, "earbuds", ui, catalog="products")[-1][-1]
    history, cards, trace, lang, ui = app.switch_catalog("movies", "en", ui)
    assert [m["content"] for m in history if m["role"] == "user"] == ["hello"] and card_titles(cards)
    history, cards, trace, lang, ui = app.clear("movies", "en", ui)
    assert history == [] and user_texts(ui) == [] and ui.page.chats["products"].messages


def test_a_reload_restores_the_saved_conversation_and_a_bad_value_starts_fresh(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    ui = run_turn(app, "hello")[-1][-1]
    app.switch_language("zh", "movies", ui)
    saved = app.save(ui)
    history, cards, trace, lang, dropdown, restored = app.restore(saved, None)
    assert restored is not ui and user_texts(restored) == ["hello"] and lang == "zh" and card_titles(cards)
    assert restored.session.state == ui.session.state and restored.chat.traces == ui.chat.traces
    for bad in ({"version": 99, "catalog": "movies"}, {"catalog": "gone", "chats": {}}, "junk", [1, 2], None):
        history, cards, trace, lang, dropdown, fresh = app.restore(bad, None)
        assert history == [] and fresh.page.catalog == "movies"
    assert from_browser({**saved, "catalog": "nope"}, ["movies", "products"]) is None


def test_quick_replies_fit_the_catalog_and_the_moment(tmp_path):
    app = make_app(tmp_path, ScriptedService())
    keys = list(QUICK_REPLIES)

    def visible(catalog: str, ui: UiState | None) -> set[str]:
        buttons = app.labels("en", catalog, ui)[7:7 + len(keys)]
        return {k for k, b in zip(keys, buttons, strict=True) if b.visible}

    assert visible("movies", None) == set(), "nothing to refer to before the first answer"
    ui = run_turn(app, "hello")[-1][-1]
    assert {"newer", "older", "why", "start_over", "more_like_first", "not_this_kind"} <= visible("movies", ui)
    assert "cheaper" not in visible("movies", ui)
    app.switch_catalog("products", "en", ui)
    assert visible("products", ui) == set()
    run_turn(app, "earbuds", ui, catalog="products")
    assert "cheaper" in visible("products", ui) and "newer" not in visible("products", ui)
    assert app.labels("en", "products", ui)[4].placeholder == LABELS["en"]["placeholder_product"]


def test_the_same_answer_again_gets_a_varied_helpful_ending(tmp_path):
    service = ScriptedService()
    app = make_app(tmp_path, service)
    service.reply = "Nothing cheaper (price up to 98.99)."
    ui = run_turn(app, "Cheaper")[-1][-1]
    answers = [run_turn(app, "Cheaper", ui)[-1][0][-1]["content"] for _ in range(3)]
    assert len(set(answers)) == 2 and all(a.startswith(service.reply) for a in answers)
    assert LABELS["en"]["still_nothing"] in answers[0] and LABELS["en"]["still_nothing_2"] in answers[1]


def test_ui_text_is_complete_in_both_languages():
    assert LABELS["en"].keys() == LABELS["zh"].keys()
    assert all(set(texts) == {"en", "zh"} for texts in QUICK_REPLIES.values())
    assert DEMO_QUESTION["zh"] in examples("movie", "zh") and DEMO_QUESTION["en"] in examples("movie", "en")
    assert all(len(texts) == 3 for table in EXAMPLES.values() for texts in table.values())


@pytest.mark.parametrize("text", ['<img src=x onerror="alert(1)">', "<script>alert(1)</script>", "a & b < c"])
def test_chat_text_shows_markup_literally(text):
    escaped = chat_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@pytest.mark.parametrize("url", ["javascript:alert(1)", 'https://x.org/a.jpg" onerror="alert(1)', "//x.org/a.jpg",
                                 "data:image/png;base64,AAAA"])
def test_cards_show_only_http_pictures(url):
    card = ItemCard(item_id="a", title="Alpha", image_url=url)
    html_text = render_cards([card], "en")
    assert "<img" not in html_text and "rec-pic-none" in html_text


def test_decision_panel_speaks_plain_words_and_keeps_raw_data_in_details(tmp_path):
    contributions = [Contribution(kind="collaborative", value=1.2, anchor_titles={"en": "Inception"}),
                     Contribution(kind="genre", value=0.6, genre="sci-fi"), Contribution(kind="recency", value=-0.3)]
    trace = DecisionTrace(intent="refine", query="space", filters={"$and": [{"genres": {"$contains": "sci-fi"}}]},
                          constraints={"genres_include": ["sci-fi"], "price_max": 300.0}, liked=["Inception"],
                          catalog_size=120, whole_catalog=False, picker="llm", model_role="pick",
                          picked=["b", "a"], ranker_picked=["a", "b"], llm_mode="LLM: qwen2.5-0.5b (local)",
                          candidates=[CandidateTrace(item_id="a", title="Alpha", score=1.0, contributions=contributions),
                                      CandidateTrace(item_id="b", title="Beta " + "x" * 100, score=0.9,
                                                     signals={"cf_dialogue_liked": 0.5})],
                          notes=["interest tags: template"], timings_ms={"retrieve": 3.2, "pick": 812.0})
    html_text = render_traces([("hello <b>" + "y" * 200, trace)], "en")
    visible, details = html_text.split('<details class="dp-details">')
    assert "popular with people who liked “Inception”" in visible and "matches: sci-fi" in visible
    assert "only sci-fi" in visible and "up to 300" in visible and "bar-neg" in visible
    assert "qwen2.5-0.5b" in visible and "changed the ranker" in visible and "“Alpha”" in visible
    assert "search and ranking 3 ms" in visible and "…" in visible
    for raw in ("$contains", "refine", "cf_dialogue_liked", "interest tags: template"):
        assert raw not in visible and raw in details.replace("&quot;", '"')
    assert "hello &lt;b&gt;" in html_text and "hello <b>" not in html_text
    zh = render_traces([("你好", trace)], "zh")
    assert LABELS["zh"]["who"] in zh and "Active LLM mode" not in zh and "喜欢“Inception”的人也喜欢" in zh
    quiet = DecisionTrace(intent="recommend", picker="no-llm", picked=["a"], catalog_size=10,
                          candidates=[CandidateTrace(item_id="a", title="Alpha", score=1.0)])
    assert LABELS["en"]["who_ranker"] in render_traces([("hi", quiet)], "en")
    empty = DecisionTrace(intent="refine", query="earbuds", constraints={"price_max": 98.99})
    assert "found nothing new that fits all your limits (up to 98.99)" in render_traces([("Cheaper", empty)], "en")


def test_no_secret_reaches_the_page(tmp_path):
    settings = app_settings(tmp_path, openai_api_key="sk-test-secret-value")
    app = ChatApp(settings, ScriptedService(), WarmUp(ScriptedService()).start())
    assert "sk-test-secret-value" not in app.status_html("en")


def test_status_line_states():
    assert "st-ok" in render_status("en", True, "", "No LLM")
    assert "st-busy" in render_status("en", False, "Indexing <x>", "") and "Indexing &lt;x&gt;" in \
        render_status("en", False, "Indexing <x>", "")
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
    assert finished and user_texts(ui) == ["hello", "slow one", "second"]
