"""The page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), on a laptop
(1400x1000) and a phone (390x844), in both languages.

Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 they replace the ones in docs/
(screenshot.png and screenshot-zh.png on a laptop, screenshot-phone.png on a phone, the panel open).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_support import XSS_MARKUP, ThinkingService, app_settings, catalog_titles, serve_app

from chatbot.ui.text import CATALOG_NAMES, DEMO_QUESTION, LABELS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent.parent / "docs"
TIMEOUT_MS = 60_000  # generous: the first turn may wait for the index build on a busy 2-core machine
SIZES = {"laptop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` or `apt-get install -y chromium`)"),
]

# Everything a person would call broken layout, measured from element boxes.
LAYOUT_PROBLEMS = """() => {
  const box = e => e.getBoundingClientRect();
  const shown = e => e && e.offsetParent !== null && box(e).width > 0;
  const overlap = (a, b) => { const r = box(a), s = box(b);
    return Math.min(r.right, s.right) - Math.max(r.left, s.left) > 1 && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 1; };
  const problems = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page is wider than the screen');
  const clear = document.querySelector('#chatbot button[aria-label="Clear"]');
  const log = document.querySelector('#chatbot [role="log"]');
  const seen = m => { const r = box(m), v = box(log);  // the part of a message inside the scrolled chat
    return {left: r.left, right: r.right, top: Math.max(r.top, v.top), bottom: Math.min(r.bottom, v.bottom)}; };
  document.querySelectorAll('#chatbot .message').forEach(m => {
    const r = seen(m), c = shown(clear) && box(clear);
    if (c && r.bottom > r.top && Math.min(r.right, c.right) - Math.max(r.left, c.left) > 1
        && Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top) > 1) problems.push('the clear icon covers a message'); });
  const input = document.querySelector('#catalog input'), arrow = document.querySelector('#catalog .icon-wrap');
  if (shown(input) && shown(arrow)) {
    const text = document.createElement('span');
    text.textContent = input.value; text.style.font = getComputedStyle(input).font; text.style.position = 'absolute';
    document.body.appendChild(text);
    const end = box(input).left + parseFloat(getComputedStyle(input).paddingLeft) + Math.min(text.getBoundingClientRect().width,
                input.clientWidth - parseFloat(getComputedStyle(input).paddingLeft) - parseFloat(getComputedStyle(input).paddingRight));
    text.remove();
    if (end > box(arrow).left + 1) problems.push('the dropdown arrow covers the catalog name');
  }
  document.querySelectorAll('#chatbot label, #chatbot [data-testid="block-label"]').forEach(l => {
    document.querySelectorAll('#chatbot .message').forEach(m => {
      if (shown(l) && overlap(l, m)) problems.push('a label covers chat text'); }); });
  document.querySelectorAll('#cards .rec-card, #trace .dp-turn, #chatbot .message').forEach(c => {
    if (shown(c) && c.scrollWidth > c.clientWidth + 1) problems.push('content overflows ' + c.className); });
  document.querySelectorAll('#trace .dp-val, #trace .dp-key, #trace .bar-label, #trace p, #cards .rec-title').forEach(e => {
    const lines = box(e).height / (parseFloat(getComputedStyle(e).lineHeight) || 20);
    if (shown(e) && box(e).width < 80 && lines > 2.5) problems.push('text squeezed into a narrow column: ' + e.className); });
  const buttons = [...document.querySelectorAll('#quick-replies button, #cards .fb-btn, #send')].filter(shown);
  buttons.forEach((a, i) => buttons.slice(i + 1).forEach(b => { if (overlap(a, b)) problems.push('buttons overlap'); }));
  if (document.querySelector('footer') && shown(document.querySelector('footer'))) problems.push('the Gradio footer shows');
  return problems;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with serve_app(app_settings(tmp_path_factory.mktemp("browser-app"))) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, app, size: str = "laptop"):
    context = browser.new_context(viewport=SIZES[size], locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app.url)
    page.wait_for_selector("#message textarea")
    page.wait_for_selector("#cards .rec-empty")
    return context, page


@pytest.fixture(params=list(SIZES))
def page(request, browser, app):
    context, page = open_page(browser, app, request.param)
    page.size = request.param
    yield page
    context.close()


@pytest.fixture
def laptop(browser, app):
    context, page = open_page(browser, app)
    yield page
    context.close()


def screenshot_path(tmp_path: Path, name: str) -> Path:
    return DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / name


def send(page, text: str) -> None:
    page.fill("#message textarea", text)
    page.keyboard.press("Enter")


def wait_for_reply(page, count: int) -> str:
    """Wait until the chat holds `count` finished bot replies; returns the last one's text."""
    page.wait_for_function(
        """n => { const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
                  return bots.length >= n && !bots[n - 1].innerText.trim().endsWith('…'); }""", arg=count)
    return page.locator('#chatbot [data-testid="bot"]').nth(count - 1).inner_text()


def card_ids(page) -> list[str]:
    return page.eval_on_selector_all("#cards .rec-card", "cards => cards.map(c => c.dataset.itemId)")


def wait_for_cards(page, previous: list[str] | None = None) -> list[str]:
    page.wait_for_function(
        """prev => { const ids = Array.from(document.querySelectorAll('#cards .rec-card')).map(c => c.dataset.itemId);
                     return ids.length > 0 && !document.querySelector('#cards .rec-thinking')
                            && (prev === null || JSON.stringify(ids) !== JSON.stringify(prev)); }""",
        arg=previous)
    return card_ids(page)


def choose_catalog(page, name: str, lang: str = "en", fresh: bool = True) -> None:
    page.click("#catalog input")
    page.click(f'[data-testid="dropdown-option"][aria-label="{CATALOG_NAMES[name][lang]}"]')
    if fresh:  # a catalog not used yet: its examples, no cards
        page.wait_for_selector("#cards .ex-btn")


def open_panel(page) -> str:
    page.click("#trace-panel button")
    page.wait_for_selector("#trace .dp-sec")
    return page.inner_text("#trace")


def test_a_conversation_with_cards_and_a_readable_panel(page, tmp_path):
    assert page.locator("#cards .ex-btn").count() == 3, "the examples fill the cards column before the first answer"
    assert not page.locator("#quick-why").is_visible() and not page.locator("#quick-more_like_first").is_visible()
    send(page, DEMO_QUESTION["en"])
    assert wait_for_reply(page, 1).strip()
    ids = wait_for_cards(page)
    assert ids and set(page.locator("#cards .rec-title").all_inner_texts()) <= catalog_titles()
    assert page.locator('#chatbot [data-testid="user"]').first.inner_text().strip() == DEMO_QUESTION["en"]
    assert page.input_value("#message textarea") == ""
    assert page.locator("#quick-why").is_visible() and page.locator("#quick-more_like_first").is_visible()
    page.wait_for_selector("#status .st-ok")  # the status line reaches "Ready" once every catalog is indexed
    text = open_panel(page)
    for key in ("understood", "found", "chart", "who", "timings"):
        assert LABELS["en"][key] in text
    assert "which you liked" in text and LABELS["en"]["who_ranker"] in text
    for raw in ("$contains", "liked_max", "compare", "Active LLM mode", "★"):
        assert raw not in text, f"{raw!r} belongs in the details fold"
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    if page.size == "phone":
        assert page.evaluate("document.documentElement.scrollHeight") < 8000, "the panel does not wrap letter by letter"
        cards_top = page.locator("#cards").bounding_box()["y"]
        assert cards_top < page.locator("#trace-panel").bounding_box()["y"]
    name = "screenshot.png" if page.size == "laptop" else "screenshot-phone.png"
    page.screenshot(path=str(screenshot_path(tmp_path, name)), full_page=True)


def test_the_chinese_page(page, tmp_path):
    page.get_by_label("中文").check()
    page.wait_for_function("t => document.querySelector('#send').innerText.trim() === t", arg=LABELS["zh"]["send"])
    assert page.get_attribute("#message textarea", "placeholder") == LABELS["zh"]["placeholder_movie"]
    send(page, DEMO_QUESTION["zh"])
    wait_for_reply(page, 1)
    wait_for_cards(page)
    assert page.locator("#quick-start_over").inner_text().strip() == "重新开始"
    assert LABELS["zh"]["title"] in page.inner_text("#app-title")
    page.wait_for_selector("#status .st-ok")
    assert "No language model" not in page.inner_text("#status") and "未使用语言模型" in page.inner_text("#status")
    text = open_panel(page)
    assert LABELS["zh"]["understood"] in text and LABELS["zh"]["who"] in text
    assert "Active LLM mode" not in text and "Understood" not in text
    assert LABELS["zh"]["fb_like"] in page.inner_text("#cards")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    if page.size == "laptop":
        page.screenshot(path=str(screenshot_path(tmp_path, "screenshot-zh.png")), full_page=True)


def test_feedback_buttons_change_the_next_turn(laptop):
    page = laptop
    send(page, "I loved Interstellar")
    wait_for_reply(page, 1)
    first = wait_for_cards(page)
    liked = page.locator("#cards .rec-title").first.inner_text()
    page.locator("#cards .rec-card").first.locator(".fb-like").click()
    page.wait_for_selector("#cards .rec-fb-done")
    assert LABELS["en"]["fb_done_like"] in page.locator("#cards .rec-card").first.inner_text()
    page.locator("#cards .rec-card").nth(1).locator(".fb-not_interested").click()
    page.wait_for_function("() => document.querySelectorAll('#cards .rec-fb-done').length === 2")
    page.click("#cards .rec-more")
    wait_for_reply(page, 2)
    second = wait_for_cards(page, previous=first)
    assert not set(first[:2]) & set(second), "what got feedback is not suggested again"
    assert page.locator('#chatbot [data-testid="user"]').nth(1).inner_text().strip() == LABELS["en"]["more_message"]
    text = open_panel(page)
    assert liked in page.locator("#trace .dp-turn").first.inner_text()
    assert LABELS["en"]["u_feedback"] in text and LABELS["en"]["fb_not_interested"] in text


def test_a_reload_keeps_the_conversation(laptop):
    page = laptop
    send(page, "I loved Interstellar")
    wait_for_reply(page, 1)
    ids = wait_for_cards(page)
    page.wait_for_timeout(500)  # the save to the browser runs right after the turn
    page.reload()
    page.wait_for_selector("#message textarea")
    page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length === 1")
    assert card_ids(page) == ids
    send(page, "Newer")
    wait_for_reply(page, 2)
    assert page.locator('#chatbot [data-testid="user"]').count() == 2


def test_each_catalog_keeps_its_conversation(laptop):
    page = laptop
    send(page, "I loved Interstellar")
    wait_for_reply(page, 1)
    movies = wait_for_cards(page)
    choose_catalog(page, "products")
    page.wait_for_selector(".toast-body")  # says the other conversation is kept
    page.wait_for_function("t => document.querySelector('#message textarea').placeholder === t",
                           arg=LABELS["en"]["placeholder_product"])
    assert "earbuds" in page.inner_text("#cards").lower(), "the examples fit the catalog"
    assert page.locator('#chatbot [data-testid="user"]').count() == 0
    send(page, "Wireless earbuds please")
    wait_for_reply(page, 1)
    first = wait_for_cards(page)
    pictures = page.locator('#cards .rec-pic img[src^="https://images.example.invalid/"]').count()
    assert pictures >= 1 and pictures + page.locator("#cards .rec-pic-none").count() == len(first)
    page.click("#quick-cheaper")
    wait_for_reply(page, 2)
    assert wait_for_cards(page, previous=first) != first
    choose_catalog(page, "movies", fresh=False)
    page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length === 1")
    assert card_ids(page) == movies


def test_switching_language_translates_cards_and_labels_together(laptop):
    page = laptop
    send(page, "I loved Interstellar")
    wait_for_reply(page, 1)
    wait_for_cards(page)
    english = page.locator("#cards .rec-title").all_inner_texts()
    page.get_by_label("中文").check()
    page.wait_for_function("t => document.querySelector('#send').innerText.trim() === t", arg=LABELS["zh"]["send"])
    page.wait_for_function("t => document.querySelector('#cards').innerText.includes(t)", arg=LABELS["zh"]["fb_like"])
    chinese = page.locator("#cards .rec-title").all_inner_texts()
    assert chinese != english and any("\u4e00" <= ch <= "\u9fff" for ch in "".join(chinese))
    send(page, "Something with time travel")  # an English message on the Chinese page
    wait_for_reply(page, 2)
    page.wait_for_timeout(500)
    assert page.locator("#send").inner_text().strip() == LABELS["zh"]["send"], "the page stays Chinese"


def test_markup_in_catalog_text_does_not_run(laptop):
    page = laptop
    choose_catalog(page, "products")
    send(page, "Tell me about the Markup Test Desk Lamp <img src=x onerror=\"window.__xss=3\">")
    wait_for_reply(page, 1)
    wait_for_cards(page)
    page.wait_for_timeout(500)  # give any injected onerror handler time to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert XSS_MARKUP in page.inner_text("#cards"), "the markup is shown literally"
    assert 'onerror="window.__xss=3"' in page.locator('#chatbot [data-testid="user"]').first.inner_text()
    assert page.locator("#chatbot .message-content img, #trace img").count() == 0
    assert page.locator("#cards img").count() == page.locator("#cards .rec-pic img").count()


def test_cards_show_a_thinking_state_while_the_model_chooses(browser, tmp_path):
    from chatbot.service import ChatService

    settings = app_settings(tmp_path)
    with serve_app(settings, ThinkingService(ChatService(settings))) as app:
        context, page = open_page(browser, app, "phone")
        try:
            send(page, "I loved Interstellar")
            page.wait_for_selector("#cards .rec-thinking .rec-card")
            assert LABELS["en"]["thinking"] in page.inner_text("#cards")
            ids = wait_for_cards(page)  # re-rendered without the thinking state
            assert ids and page.locator("#cards .rec-wait").count() == 0
            assert page.locator("#cards .rec-more").count() == 1
        finally:
            context.close()


def test_catalog_pictures_load_in_the_browser(browser, tmp_path):
    """A picture server on 127.0.0.1 stands in for the catalog's image host: the browser fetches it."""
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    fetched: list[str] = []

    class Pictures(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            fetched.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = app_settings(tmp_path)
    products = settings.catalog_dir / "products.jsonl"
    products.write_text(products.read_text(encoding="utf-8").replace(
        "https://images.example.invalid/", f"http://127.0.0.1:{server.server_port}/"), encoding="utf-8")
    try:
        with serve_app(settings) as app:
            context, page = open_page(browser, app, "phone")
            choose_catalog(page, "products")
            send(page, "Wireless earbuds please")
            wait_for_reply(page, 1)
            wait_for_cards(page)
            page.wait_for_selector("#cards .rec-pic img.loaded")
            assert page.eval_on_selector("#cards .rec-pic img.loaded", "img => img.naturalWidth") == 1
            assert fetched and all(path.endswith(".jpg") for path in fetched)
            assert page.evaluate(LAYOUT_PROBLEMS) == []
            context.close()
    finally:
        server.shutdown()
