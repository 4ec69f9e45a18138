"""The real app served on a local port and driven over its Gradio API with gradio_client, as the load bench does."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from app_support import XSS_MARKUP, card_ids, card_titles, catalog_titles, message_text, serve_app

from chatbot.evaluation.checks import reply_language

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app_support import app_settings

    with serve_app(app_settings(tmp_path_factory.mktemp("app"))) as running:
        yield running


def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False, analytics_enabled=False, download_files=False)


def user_texts(history: list[dict]) -> list[str]:
    return [message_text(m) for m in history if m["role"] == "user"]


def test_chat_endpoint_is_documented(app):
    info = client(app).view_api(print_info=False, return_format="dict")
    chat = info["named_endpoints"]["/chat"]
    names = [p["parameter_name"] for p in chat["parameters"]]
    assert names == ["message", "catalog", "lang"]
    assert [p["parameter_has_default"] for p in chat["parameters"]] == [False, True, True]
    assert len(chat["returns"]) == 5
    assert set(info["named_endpoints"]) == {"/chat"}, "only the chat turn is public"


def test_a_turn_recommends_catalog_items(app):
    history, cards_html, trace_html, lang, box = client(app).predict(
        "I love grand science fiction like Interstellar. What should I watch?", api_name="/chat")
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert message_text(history[1]).strip()
    titles = card_titles(cards_html)
    assert titles, "at least one recommendation card"
    assert set(titles) <= catalog_titles(), "only catalog items are recommended"
    assert lang == "en" and box == ""
    assert "rec-empty" not in trace_html, "the turn has a decision trace"


def test_conversation_keeps_its_history_across_calls(app):
    c = client(app)
    c.predict("I liked Arrival", api_name="/chat")
    history, *_ = c.predict("Something older", api_name="/chat")
    assert user_texts(history) == ["I liked Arrival", "Something older"]
    assert len(history) == 4


def test_parallel_clients_do_not_see_each_other(app):
    def play(user: int) -> list[str]:
        c = client(app)
        sent = [f"user {user}: I loved Dune", f"user {user}: something newer", f"user {user}: why?"]
        history = []
        for message in sent:
            history, *_ = c.predict(message, api_name="/chat")
        assert user_texts(history) == sent
        return user_texts(history)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(play, range(3)))
    assert len({tuple(r) for r in results}) == 3


def test_cheaper_changes_the_products(app):
    c = client(app)
    _, first, *_ = c.predict("Wireless earbuds please", "products", "en", api_name="/chat")
    assert card_ids(first), "products recommended"
    _, second, *_ = c.predict("Cheaper", api_name="/chat")
    assert card_ids(second) != card_ids(first)


def test_other_catalog_starts_a_fresh_conversation(app):
    c = client(app)
    c.predict("I liked Spirited Away", "movies", "en", api_name="/chat")
    history, *_ = c.predict("A fitness band", "products", "en", api_name="/chat")
    assert user_texts(history) == ["A fitness band"]


def test_markup_in_catalog_text_comes_back_as_text(app):
    c = client(app)
    outputs = c.predict("Tell me about the Markup Test Desk Lamp", "products", "en", api_name="/chat")
    history, cards_html, trace_html = outputs[0], outputs[1], outputs[2]
    shown = "".join(message_text(m) for m in history) + cards_html + trace_html
    # the page's own pictures are <img> tags too; the catalog's markup must never become one
    assert "<img src=x" not in shown and "<script" not in shown.lower() and "<b>bold" not in shown
    assert "&lt;img src=x onerror=" in shown, "the markup is visible as text"
    assert any(XSS_MARKUP in title for title in card_titles(cards_html)), "the lamp is recommended"


def test_user_markup_is_escaped_and_blank_messages_are_ignored(app):
    c = client(app)
    history, *_ = c.predict("I liked <b>Toy Story</b> <img src=x onerror=alert(1)>", api_name="/chat")
    assert message_text(history[0]) == "I liked &lt;b&gt;Toy Story&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;"
    again, *_ = c.predict("   \n ", api_name="/chat")
    assert len(again) == len(history)


def test_python_app_py_serves_on_the_configured_port(tmp_path):
    """`python app.py` as a user runs it: env settings, GRADIO_SERVER_PORT honoured, the page answers at once."""
    import subprocess
    import sys
    import time
    import urllib.request

    from app_support import PROJECT_ROOT, free_port, write_catalogs

    port = free_port()
    env = dict(os.environ, CATALOG_DIR=str(write_catalogs(tmp_path / "catalog")), DATA_DIR=str(tmp_path / "data"),
               LLM_BACKEND="none", GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    process = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"app.py exited: {process.stdout.read()}")
                time.sleep(0.5)
        else:
            pytest.fail("app.py did not serve within 60 s")
        from gradio_client import Client

        history, cards_html, *_ = Client(url, verbose=False, analytics_enabled=False).predict(
            "I liked Dune", api_name="/chat")
        assert len(history) == 2 and card_titles(cards_html)
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "warm-up" in output, "index preparation is logged"


def test_a_question_during_warm_up_streams_progress_in_its_language_then_answers(tmp_path, monkeypatch):
    """Over HTTP, as a page does: a Chinese question asked on an English page while the catalog is being
    indexed gets the waiting text in Chinese, then, in the same turn, the recommendation."""
    import html
    import time

    from app_support import app_settings
    from gradio_client import Client
    from test_service_warmup import GatedEmbedder

    import chatbot.engine
    from chatbot.service import ChatService

    embedder = GatedEmbedder()
    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda settings: embedder)
    settings = app_settings(tmp_path, embed_batch_size=4)
    with serve_app(settings, ChatService(settings)) as running:
        assert embedder.entered.wait(30), "the warm-up is indexing"
        job = Client(running.url, verbose=False, analytics_enabled=False).submit(
            "我很喜欢星际穿越，推荐几部类似的科幻电影", "movies", "en", api_name="/chat")
        deadline = time.monotonic() + 60
        waiting = ""
        while not waiting and time.monotonic() < deadline:
            for history, *_ in job.outputs():
                text = html.unescape(message_text(history[-1])) if history else ""
                if "目录还在准备中" in text:
                    waiting = text
            time.sleep(0.1)
        assert waiting, "the waiting text, in Chinese, while the catalog is indexed"
        embedder.gate.set()
        history, cards_html, _, lang, _ = job.result(timeout=60)
        assert card_titles(cards_html), "answered in the same turn, without asking again"
        assert lang == "en", "a message in another language does not flip the page"
        assert reply_language(message_text(history[-1])) == "zh", "the answer is in the question's language"
        assert "目录还在准备中" not in message_text(history[-1])
