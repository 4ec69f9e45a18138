"""HTML for the page, built by hand with every value escaped: item cards, the decision trace, the status line.

Catalog text and user messages are data, never markup: `<img src=x onerror=...>` in a description shows
as those characters. Chat messages are escaped too, because gr.Chatbot renders (sanitized) HTML.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from chatbot.llm.factory import NO_LLM_MODE, NO_LLM_MODE_ZH
from chatbot.turn import DecisionTrace, ItemCard
from chatbot.ui_text import label

MAX_CANDIDATES_SHOWN = 8
MAX_TRACES_SHOWN = 6


def esc(value: object) -> str:
    """Escape any value for HTML text and attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def chat_text(text: str) -> str:
    """A chat message as the Chatbot shows it: HTML special characters escaped, so that it renders literally."""
    return html.escape(text or "", quote=False)


def chat_history(messages: Iterable[dict]) -> list[dict]:
    """The Chatbot value (messages format) for raw {"role", "content"} messages."""
    return [{"role": m["role"], "content": chat_text(m["content"])} for m in messages]


def _chips(values: Iterable[str], css: str = "chip") -> str:
    return "".join(f'<span class="{css}">{esc(v)}</span>' for v in values if v)


def render_cards(cards: list[ItemCard], lang: str) -> str:
    """The recommendation panel: one card per item, or a hint while there is none."""
    if not cards:
        return f'<div class="rec-empty">{esc(label(lang, "no_cards"))}</div>'
    parts = ['<div class="rec-cards">']
    for rank, card in enumerate(cards, start=1):
        parts.append(f'<article class="rec-card" data-item-id="{esc(card.item_id)}">')
        parts.append(f'<div class="rec-head"><span class="rec-rank">{rank}</span>'
                     f'<span class="rec-title">{esc(card.title)}</span></div>')
        if card.subtitle:
            parts.append(f'<div class="rec-sub">{esc(card.subtitle)}</div>')
        if card.tags:
            parts.append(f'<div class="rec-tags">{_chips(card.tags[:6])}</div>')
        if card.selling_points:
            points = "".join(f"<li>{esc(p)}</li>" for p in card.selling_points[:4] if p)
            parts.append(f'<ul class="rec-points">{points}</ul>')
        if card.why:
            parts.append(f'<div class="rec-why"><b>{esc(label(lang, "why"))}:</b> {esc(card.why)}</div>')
        parts.append("</article>")
    parts.append("</div>")
    return "".join(parts)


def _row(name: str, value_html: str) -> str:
    return f'<div class="tr-row"><span class="tr-key">{esc(name)}</span><span class="tr-val">{value_html}</span></div>'


def _filters_text(filters: dict | None) -> str:
    if not filters:
        return ""
    return json.dumps(filters, ensure_ascii=False, sort_keys=True, default=str)


def _candidates_table(trace: DecisionTrace, lang: str) -> str:
    if not trace.candidates:
        return ""
    picked = set(trace.picked)
    rows = []
    for cand in trace.candidates[:MAX_CANDIDATES_SHOWN]:
        signals = ", ".join(f"{esc(k)} {v:.2f}" for k, v in cand.signals.items())
        mark = "★ " if cand.item_id in picked else ""
        rows.append(f"<tr><td>{mark}{esc(cand.title)}</td><td class='num'>{cand.score:.3f}</td>"
                    f"<td class='sig'>{signals}</td></tr>")
    head = (f"<tr><th></th><th>{esc(label(lang, 'score'))}</th><th>{esc(label(lang, 'signals'))}</th></tr>")
    return f'<table class="tr-table">{head}{"".join(rows)}</table>'


def _picker_text(picker: str, lang: str) -> str:
    key = f"picker_{picker}"
    text = label(lang, key)
    return text if text != key else picker


def _source_text(source: str, lang: str) -> str:
    key = f"source_{source}"
    text = label(lang, key)
    return text if text != key else source


def render_trace_body(trace: DecisionTrace, lang: str, titles: dict[str, str] | None = None) -> str:
    """One turn's trace, grouped by paradigm. `titles` maps item ids to display titles."""
    titles = dict(titles or {})
    titles.update({c.item_id: c.title for c in trace.candidates})
    none = f'<span class="tr-none">{esc(label(lang, "none"))}</span>'

    p1 = []
    if trace.intent:
        p1.append(_row(label(lang, "intent"), f"<code>{esc(trace.intent)}</code>"))
    p1.append(_row(label(lang, "query"), f"<code>{esc(trace.query)}</code>" if trace.query else none))
    filters = _filters_text(trace.filters)
    p1.append(_row(label(lang, "filters"), f"<code>{esc(filters)}</code>" if filters else none))
    if trace.liked:
        p1.append(_row(label(lang, "liked"), _chips(trace.liked)))
    if trace.disliked:
        p1.append(_row(label(lang, "disliked"), _chips(trace.disliked, "chip chip-neg")))
    table = _candidates_table(trace, lang)
    p1.append(_row(label(lang, "candidates"), table or none))

    p2 = [_row(label(lang, "user_tags"), _chips(trace.user_tags) if trace.user_tags else none)]
    if trace.selling_points_source:
        items = "".join(f"<li>{esc(titles.get(item_id, item_id))}: {esc(_source_text(src, lang))}</li>"
                        for item_id, src in trace.selling_points_source.items())
        p2.append(_row(label(lang, "sp_source"), f"<ul>{items}</ul>"))
    else:
        p2.append(_row(label(lang, "sp_source"), none))

    p3 = [_row(label(lang, "picker"), esc(_picker_text(trace.picker, lang)) if trace.picker else none)]
    if trace.ranker_picked:
        p3.append(_row(label(lang, "ranker_picked"), _chips(titles.get(i, i) for i in trace.ranker_picked)))
    if trace.picked:
        p3.append(_row(label(lang, "picked"), _chips(titles.get(i, i) for i in trace.picked)))
    if trace.model_role:
        p3.append(_row(label(lang, "model_role"), esc(label(lang, f"role_{trace.model_role}"))))
    p3.append(_row(label(lang, "backend"), esc(trace.llm_mode) if trace.llm_mode else none))
    if trace.notes:
        p3.append(_row(label(lang, "notes"), "<br>".join(esc(n) for n in trace.notes)))
    if trace.timings_ms:
        timings = ", ".join(f"{esc(k)} {v:.0f} ms" for k, v in trace.timings_ms.items())
        p3.append(_row(label(lang, "timings"), timings))

    sections = [("p1", p1), ("p2", p2), ("p3", p3)]
    return "".join(f'<section class="tr-sec tr-{key}"><h4>{esc(label(lang, key))}</h4>{"".join(rows)}</section>'
                   for key, rows in sections)


def render_traces(turns: list[tuple[str, DecisionTrace]], lang: str, status: str) -> str:
    """The "How it decided" panel: newest turn first and open, older turns folded."""
    backend = (f'<div class="tr-backend"><b>{esc(label(lang, "backend"))}:</b> {esc(status)}</div>'
               if status else "")
    if not turns:
        return f'{backend}<div class="rec-empty">{esc(label(lang, "no_trace"))}</div>'
    parts = [backend]
    shown = turns[-MAX_TRACES_SHOWN:]
    first_number = len(turns) - len(shown) + 1
    for offset, (message, trace) in reversed(list(enumerate(shown))):
        number = first_number + offset
        is_open = " open" if offset == len(shown) - 1 else ""
        parts.append(f'<details class="tr-turn"{is_open}><summary>#{number} · {esc(message[:120])}</summary>'
                     f"{render_trace_body(trace, lang)}</details>")
    return "".join(parts)


def render_status(lang: str, ready: bool, message: str, llm_status: str, failed: bool = False) -> str:
    """The status line under the title: catalog preparation, then the active LLM mode."""
    if failed:
        state, css = label(lang, "warmup_failed"), "st-bad"
    elif ready:
        state, css = label(lang, "ready"), "st-ok"
    else:
        state, css = message or label(lang, "preparing"), "st-busy"
    if lang == "zh":
        llm_status = llm_status.replace(NO_LLM_MODE, NO_LLM_MODE_ZH)
    llm = f' · <span class="st-llm">{esc(label(lang, "llm"))}: {esc(llm_status)}</span>' if llm_status else ""
    return f'<div class="status-line"><span class="st-dot {css}"></span><span>{esc(state)}</span>{llm}</div>'


CSS = """
.gradio-container { max-width: 1280px !important; }
#app-title h1 { margin-bottom: 0; }
#app-title p { margin-top: 4px; color: var(--body-text-color-subdued); }
.status-line { display: flex; align-items: center; gap: 8px; font-size: 0.9em; color: var(--body-text-color-subdued); }
.st-dot { width: 10px; height: 10px; border-radius: 50%; display: inline-block; }
.st-ok { background: #22c55e; } .st-busy { background: #f59e0b; } .st-bad { background: #ef4444; }
#chatbot .message .md, #chatbot .message span.md { white-space: pre-wrap; }
.rec-empty { color: var(--body-text-color-subdued); padding: 12px; border: 1px dashed var(--border-color-primary);
  border-radius: 10px; }
.rec-cards { display: flex; flex-direction: column; gap: 10px; }
.rec-card { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 12px 14px;
  background: var(--background-fill-secondary); }
.rec-head { display: flex; gap: 10px; align-items: baseline; }
.rec-rank { background: var(--color-accent); color: white; border-radius: 999px; min-width: 22px; height: 22px;
  display: inline-flex; align-items: center; justify-content: center; font-size: 0.8em; font-weight: 600; }
.rec-title { font-weight: 700; font-size: 1.05em; }
.rec-sub { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 2px 0 6px 32px; }
.rec-tags { margin: 0 0 6px 32px; }
.chip { display: inline-block; padding: 1px 8px; margin: 2px 4px 2px 0; border-radius: 999px; font-size: 0.8em;
  background: var(--color-accent-soft); color: var(--body-text-color); }
.chip-neg { background: #fee2e2; color: #7f1d1d; }
.rec-points { margin: 4px 0 6px 32px; padding-left: 16px; font-size: 0.92em; }
.rec-why { margin-left: 32px; font-size: 0.92em; }
.tr-backend { margin-bottom: 8px; }
.tr-turn { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px 12px; margin-bottom: 8px; }
.tr-turn summary { cursor: pointer; font-weight: 600; }
.tr-sec h4 { margin: 12px 0 4px; font-size: 1em; }
.tr-row { display: flex; gap: 12px; padding: 2px 0; font-size: 0.92em; }
.tr-key { min-width: 170px; color: var(--body-text-color-subdued); }
.tr-val { flex: 1; overflow-wrap: anywhere; }
.tr-val ul { margin: 0; padding-left: 16px; }
.tr-none { color: var(--body-text-color-subdued); font-style: italic; }
.tr-table { border-collapse: collapse; font-size: 0.9em; margin: 0; border: none !important; }
.tr-table td, .tr-table th { padding: 3px 12px 3px 0; text-align: left; vertical-align: top; border: none !important;
  border-bottom: 1px solid var(--border-color-primary) !important; background: none; }
.tr-table th { font-weight: 600; color: var(--body-text-color-subdued); }
.tr-table td.num { font-variant-numeric: tabular-nums; }
.tr-table td.sig { color: var(--body-text-color-subdued); }
#quick-replies button { min-width: 0; }
#examples { gap: 6px; }
#examples .example-btn { justify-content: flex-start; text-align: left; font-weight: normal; white-space: normal; }
"""
