"""HTML for the page, built by hand with every value escaped: item cards, the status line, chat messages.

Catalog text and user messages are data, never markup: `<img src=x onerror=...>` in a description shows
as those characters. Chat messages are escaped too, because gr.Chatbot renders (sanitized) HTML.
The decision panel is in panel.py.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from chatbot.turn import CandidateTrace, ItemCard
from chatbot.ui.text import label

FEEDBACK_ACTIONS = ("like", "dislike", "seen", "not_interested")
FEEDBACK_ICONS = {"like": "👍", "dislike": "👎", "seen": "✓", "not_interested": "✕"}
MAX_POINTS = 2
MAX_TAGS = 4
CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")


def esc(value: object) -> str:
    """Escape any value for HTML text and attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def chat_text(text: str) -> str:
    """A chat message as the Chatbot shows it: HTML special characters escaped, so that it renders literally."""
    return html.escape(text or "", quote=False)


def chat_history(messages: Iterable[dict]) -> list[dict]:
    """The Chatbot value (messages format) for raw {"role", "content"} messages."""
    return [{"role": m["role"], "content": chat_text(m["content"])} for m in messages]


def chips(values: Iterable[str], css: str = "chip") -> str:
    return "".join(f'<span class="{css}">{esc(v)}</span>' for v in values if v)


def safe_image_url(url: str) -> str:
    """The URL when it is an absolute http(s) one (items are validated on load; checked again here)."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc and not any(c in url for c in " \"'<>`\\"):
        return url
    return ""


def _picture(card: ItemCard) -> str:
    """The catalog's picture over a neutral tile with the title's first letter (seen when there is no
    picture, or when it fails to load)."""
    initial = esc((card.title.strip()[:1] or "?").upper())
    url = safe_image_url(card.image_url)
    img = f'<img src="{esc(url)}" alt="" loading="lazy" referrerpolicy="no-referrer">' if url else ""
    css = "rec-pic" if url else "rec-pic rec-pic-none"
    return f'<div class="{css}"><span class="rec-pic-letter" aria-hidden="true">{initial}</span>{img}</div>'


def _points(card: ItemCard) -> list[str]:
    """Selling points that do not repeat the subtitle's year or price (each is shown once, there)."""
    facts = [part.strip() for part in card.subtitle.split("·") if any(ch.isdigit() for ch in part)]
    return [p for p in card.selling_points if p and not any(f in p for f in facts)][:MAX_POINTS]


def _feedback(card: ItemCard, lang: str, done: str | None) -> str:
    if done:
        return f'<div class="rec-fb rec-fb-done">{esc(label(lang, "fb_done_" + done))}</div>'
    buttons = "".join(
        f'<button type="button" class="fb-btn fb-{action}" data-fb="{action}" data-item="{esc(card.item_id)}" '
        f'title="{esc(label(lang, "fb_" + action))}" aria-label="{esc(label(lang, "fb_" + action))}">'
        f'<span class="fb-icon">{FEEDBACK_ICONS[action]}</span>'
        f'<span class="fb-word">{esc(label(lang, "fb_" + action))}</span></button>'
        for action in FEEDBACK_ACTIONS)
    return f'<div class="rec-fb">{buttons}</div>'


def render_cards(cards: list[ItemCard], lang: str, *, reasons: Mapping[str, list[str]] | None = None,
                 feedback: Mapping[str, str] | None = None, thinking: bool = False, more: bool = False,
                 empty_html: str = "") -> str:
    """The recommendation panel: one card per item (picture, facts, what counted, feedback buttons),
    "show more" under them, a "thinking" band while the model still chooses; `empty_html` without cards."""
    if not cards:
        return empty_html or f'<div class="rec-empty">{esc(label(lang, "no_cards"))}</div>'
    reasons, feedback = reasons or {}, feedback or {}
    parts = [f'<div class="rec-cards{" rec-thinking" if thinking else ""}">']
    if thinking:
        parts.append(f'<div class="rec-wait" role="status"><span class="spinner"></span>{esc(label(lang, "thinking"))}</div>')
    for rank, card in enumerate(cards, start=1):
        done = feedback.get(card.item_id)
        parts.append(f'<article class="rec-card" data-item-id="{esc(card.item_id)}">')
        parts.append(f'<div class="rec-body{" rec-fb-" + done if done else ""}">{_picture(card)}<div class="rec-main">')
        parts.append(f'<div class="rec-head"><span class="rec-rank">{rank}</span>'
                     f'<span class="rec-title">{esc(card.title)}</span></div>')
        if card.subtitle:
            parts.append(f'<div class="rec-sub">{esc(card.subtitle)}</div>')
        if card.tags:
            parts.append(f'<div class="rec-tags">{chips(card.tags[:MAX_TAGS])}</div>')
        points = _points(card)
        if points:
            parts.append(f'<ul class="rec-points">{"".join(f"<li>{esc(p)}</li>" for p in points)}</ul>')
        why = reasons.get(card.item_id)
        if why:
            parts.append(f'<div class="rec-counted"><b>{esc(label(lang, "counted"))}:</b> {esc(" · ".join(why))}</div>')
        parts.append("</div></div>")
        if not thinking:  # the list may still change: feedback waits for the final cards
            parts.append(_feedback(card, lang, done))
        parts.append("</article>")
    if more and not thinking:
        parts.append(f'<button type="button" class="rec-more" data-fb="more" data-item="">'
                     f'{esc(label(lang, "show_more"))}</button>')
    parts.append("</div>")
    return "".join(parts)


def render_examples(texts: list[str], lang: str) -> str:
    """The right column before the first answer: a short hint and the examples, as buttons."""
    buttons = "".join(f'<button type="button" class="ex-btn" data-fb="example" data-item="{n}">{esc(t)}</button>'
                      for n, t in enumerate(texts))
    return (f'<div class="rec-empty"><p>{esc(label(lang, "no_cards"))}</p>'
            f'<p class="ex-title">{esc(label(lang, "examples"))}</p><div class="ex-list">{buttons}</div></div>')


def positive_reasons(candidate: CandidateTrace, phrase) -> list[str]:
    """The two biggest reasons for an item, in words (`phrase` turns a Contribution into words)."""
    return [phrase(c) for c in candidate.contributions if c.value > 0][:2]


def render_status(lang: str, ready: bool, message: str, llm_line: str, failed: bool = False) -> str:
    """The status line under the title: catalog preparation, then the language model's state (in words)."""
    if failed:
        state, css = label(lang, "warmup_failed"), "st-bad"
    elif ready:
        state, css = label(lang, "ready"), "st-ok"
    else:
        state, css = (message if lang == "en" and message else label(lang, "preparing")), "st-busy"
    llm = f' · <span class="st-llm">{esc(llm_line)}</span>' if llm_line else ""
    return f'<div class="status-line"><span class="st-dot {css}"></span><span>{esc(state)}</span>{llm}</div>'


# A picture shows once loaded (the letter tile under it shows until then, or if it fails). Cards report clicks on their buttons (feedback, show more, examples) as a `select` event on the HTML
# component: evt.value is "<action>|<item id or example index>".
CARDS_JS = """
element.addEventListener('load', (event) => {  // a picture shows once it has loaded; until then, or if it
  if (event.target.tagName === 'IMG') event.target.classList.add('loaded');  // fails, the letter tile shows
}, true);
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-fb]');
  if (!button || button.disabled) return;
  button.disabled = true;
  trigger('select', {index: 0, value: button.dataset.fb + '|' + (button.dataset.item || ''), selected: true});
});
"""
