"""The page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 they replace docs/screenshot.png
(English conversation) and docs/screenshot-zh.png (Chinese).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_support import XSS_MARKUP, app_settings, catalog_titles, serve_app

from chatbot.ui.text import CATALOG_NAMES, DEMO_QUESTION, LABELS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent.parent / "docs"
TIMEOUT_MS = 60_000  # generous: the first turn may wait for the index build on a busy 2-core machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` or `apt-get install -y chromium`)"),
]


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


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app.url)
    page.wait_for_selector("#message textarea")
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
                     return ids.length > 0 && (prev === null || JSON.stringify(ids) !== JSON.stringify(prev)); }""",
        arg=previous)
    return card_ids(page)


def choose_catalog(page, name: str) -> None:
    page.click("#catalog input")
    page.click(f'[data-testid="dropdown-option"][aria-label="{CATALOG_NAMES[name]["en"]}"]')
    page.wait_for_function("() => !document.querySelector('#cards .rec-card')")
    page.wait_for_selector("#quick-cheaper" if name == "products" else "#quick-newer", state="visible")


def test_english_conversation_with_cards_and_trace(page, tmp_path):
    send(page, DEMO_QUESTION["en"])
    reply = wait_for_reply(page, 1)
    assert reply.strip()
    ids = wait_for_cards(page)
    titles = page.locator("#cards .rec-title").all_inner_texts()
    assert ids and set(titles) <= catalog_titles()
    assert page.locator('#chatbot [data-testid="user"]').first.inner_text().strip() == DEMO_QUESTION["en"]
    assert page.input_value("#message textarea") == ""
    page.wait_for_selector("#status .st-ok")  # the status line reaches "Ready" once every catalog is indexed
    page.click("#trace-panel button")
    page.wait_for_selector("#trace .tr-sec")
    trace_text = page.inner_text("#trace")
    assert LABELS["en"]["p1"] in trace_text and LABELS["en"]["p3"] in trace_text
    assert LABELS["en"]["backend"] in trace_text
    page.screenshot(path=str(screenshot_path(tmp_path, "screenshot.png")), full_page=True)


def test_critique_button_changes_the_recommendations(page):
    choose_catalog(page, "products")
    assert page.locator("#quick-cheaper").is_visible() and not page.locator("#quick-newer").is_visible()
    send(page, "Wireless earbuds please")
    wait_for_reply(page, 1)
    first = wait_for_cards(page)
    page.click("#quick-cheaper")
    wait_for_reply(page, 2)
    second = wait_for_cards(page, previous=first)
    assert second != first
    assert page.locator('#chatbot [data-testid="user"]').nth(1).inner_text().strip() == "Cheaper"


def test_switching_to_chinese(page, tmp_path):
    page.get_by_label("中文").check()
    page.wait_for_function("t => document.querySelector('#send').innerText.trim() === t", arg=LABELS["zh"]["send"])
    assert page.locator("#quick-start_over").inner_text().strip() == "重新开始"
    assert page.get_attribute("#message textarea", "placeholder") == LABELS["zh"]["placeholder_box"]
    send(page, DEMO_QUESTION["zh"])
    wait_for_reply(page, 1)
    wait_for_cards(page)
    assert LABELS["zh"]["title"] in page.inner_text("#app-title")
    page.wait_for_selector("#status .st-ok")
    page.screenshot(path=str(screenshot_path(tmp_path, "screenshot-zh.png")), full_page=True)


def test_markup_in_catalog_text_does_not_run(page):
    choose_catalog(page, "products")
    send(page, "Markup Test Desk Lamp <img src=x onerror=\"window.__xss=3\">")
    wait_for_reply(page, 1)
    wait_for_cards(page)
    page.wait_for_timeout(500)  # give any injected onerror handler time to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert XSS_MARKUP in page.inner_text("#cards"), "the markup is shown literally"
    assert 'onerror="window.__xss=3"' in page.locator('#chatbot [data-testid="user"]').first.inner_text()
    assert page.locator("#cards img, #chatbot .message-content img, #trace img").count() == 0
