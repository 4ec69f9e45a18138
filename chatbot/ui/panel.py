"""The decision panel ("How it decided") for a room of stakeholders: what was understood, how the
candidates were found, a chart of what counted for each suggestion, who picked, how long it took;
the raw signals and data behind a "details" fold. Every value is escaped; every word comes from
the UI's string table in the page's language."""

from __future__ import annotations

import json
from collections.abc import Callable

from chatbot.genres import genre_label
from chatbot.turn import CandidateTrace, Contribution, DecisionTrace
from chatbot.ui.render import chips, esc
from chatbot.ui.text import has_label, label, shorten

MAX_CHART_ITEMS = 5
MAX_TURNS_SHOWN = 6
TITLE_CHARS = 80
TIMING_KEYS = ("parse", "extract", "retrieve", "enrich", "first_chunk", "pick")
NO_SEARCH_INTENTS = ("small_talk", "unknown", "start_over", "empty")


def contribution_words(c: Contribution, lang: str) -> str:
    """One reason in plain words: "similar to Dune, which you liked", "matches: sci-fi"."""
    title = c.anchor_titles.get(lang) or c.anchor_titles.get("en", "")
    if c.kind in ("liked_similar", "collaborative"):
        return label(lang, f"c_{c.kind}", title=f"“{title}”") if title else label(lang, f"c_{c.kind}_any")
    if c.kind == "genre":
        return label(lang, "c_genre", genre=genre_label(c.genre, lang)) if c.genre else label(lang, "c_genre_any")
    key = f"c_{c.kind}"
    return label(lang, key) if has_label(key) else c.kind


def phrase_for(lang: str) -> Callable[[Contribution], str]:
    return lambda c: contribution_words(c, lang)


def constraint_words(constraints: dict, lang: str) -> list[str]:
    """The hard limits in words ("no horror", "up to 300"), from the trace's Constraints data."""
    sep = label(lang, "and")
    genres = lambda keys: sep.join(genre_label(g, lang) for g in keys)  # noqa: E731
    words = []
    if constraints.get("genres_include"):
        words.append(label(lang, "lim_only", genres=genres(constraints["genres_include"])))
    if constraints.get("genres_exclude"):
        words.append(label(lang, "lim_no", genres=genres(constraints["genres_exclude"])))
    low, high = constraints.get("year_min"), constraints.get("year_max")
    if low and high:
        words.append(label(lang, "lim_years", low=low, high=high))
    elif low or high:
        words.append(label(lang, "lim_from", year=low) if low else label(lang, "lim_until", year=high))
    low, high = constraints.get("price_min"), constraints.get("price_max")
    if low is not None and high is not None:
        words.append(label(lang, "lim_price", low=f"{low:g}", high=f"{high:g}"))
    elif high is not None:
        words.append(label(lang, "lim_price_max", price=f"{high:g}"))
    elif low is not None:
        words.append(label(lang, "lim_price_min", price=f"{low:g}"))
    if constraints.get("kinds"):
        words.append(label(lang, "lim_kinds", kinds=", ".join(label(lang, f"kind_{k}") for k in constraints["kinds"])))
    if constraints.get("languages"):
        words.append(label(lang, "lim_lang", langs=", ".join(constraints["languages"])))
    return words


def _line(name: str, value_html: str) -> str:
    return f'<div class="dp-line"><span class="dp-key">{esc(name)}</span><span class="dp-val">{value_html}</span></div>'


def _understood(trace: DecisionTrace, message: str, lang: str) -> str:
    lines = [_line(label(lang, "u_asked"), esc(shorten(message, 160)))]
    if trace.liked:
        lines.append(_line(label(lang, "u_liked"), chips(trace.liked, "chip chip-pos")))
    if trace.disliked:
        lines.append(_line(label(lang, "u_disliked"), chips(trace.disliked, "chip chip-neg")))
    if trace.user_tags:
        lines.append(_line(label(lang, "u_wants"), chips(dict.fromkeys(genre_label(t, lang) for t in trace.user_tags))))
    limits = constraint_words(trace.constraints, lang)
    if limits:
        lines.append(_line(label(lang, "u_limits"), chips(limits)))
    if trace.feedback:
        given = [f"{title}: {label(lang, 'fb_' + action)}" for title, action in trace.feedback.items()]
        lines.append(_line(label(lang, "u_feedback"), chips(given)))
    if not (trace.liked or trace.disliked or trace.user_tags or limits or trace.feedback):
        lines.append(f'<p class="dp-muted">{esc(label(lang, "u_nothing"))}</p>')
    return _section("understood", lang, "".join(lines))


def _found(trace: DecisionTrace, lang: str) -> str:
    limits = constraint_words(trace.constraints, lang)
    if trace.intent not in NO_SEARCH_INTENTS and not trace.candidates and trace.query:
        text = label(lang, "found_nothing", limits=label(lang, "sep").join(limits) or "-")
        return _section("found", lang, f"<p>{esc(text)}</p>")
    if trace.intent in NO_SEARCH_INTENTS or not trace.candidates:
        what = label(lang, f"intent_{trace.intent}") if has_label(f"intent_{trace.intent}") else ""
        return _section("found", lang, f"<p>{esc(label(lang, 'found_none', what=what or label(lang, 'intent_unknown')))}</p>")
    if trace.intent in ("compare", "ask_about"):
        text = [label(lang, "found_named", n=len(trace.candidates))]
    else:
        text = [label(lang, "found_whole" if trace.whole_catalog else "found_search", n=trace.catalog_size)]
    if limits:
        text.append(label(lang, "found_limits", limits=label(lang, "sep").join(limits)))
    return _section("found", lang, "".join(f"<p>{esc(t)}</p>" for t in text))


def _bars(cand: CandidateTrace, lang: str, scale: float) -> str:
    rows = []
    for c in cand.contributions:
        width = max(4, round(100 * abs(c.value) / scale)) if scale else 4
        css = "bar-pos" if c.value > 0 else "bar-neg"
        rows.append(f'<div class="bar-row"><span class="bar-label">{esc(contribution_words(c, lang))}</span>'
                    f'<span class="bar-track"><span class="bar {css}" style="width:{width}%"></span></span></div>')
    return "".join(rows)


def _chart(trace: DecisionTrace, lang: str) -> str:
    shown = [c for c in trace.candidates if c.item_id in trace.picked] or trace.candidates
    order = {item_id: n for n, item_id in enumerate(trace.picked)}
    shown = sorted(shown, key=lambda c: order.get(c.item_id, len(order)))[:MAX_CHART_ITEMS]
    if not shown or not any(c.contributions for c in shown):
        return ""
    scale = max((abs(x.value) for c in shown for x in c.contributions), default=0.0)
    items = "".join(f'<div class="dp-item"><div class="dp-item-title">{n}. {esc(shorten(c.title, TITLE_CHARS))}</div>'
                    f"{_bars(c, lang, scale)}</div>" for n, c in enumerate(shown, start=1))
    return _section("chart", lang, f'<p class="dp-muted">{esc(label(lang, "chart_hint"))}</p>'
                                   f'<div class="dp-items">{items}</div>')


def _model_name(llm_mode: str) -> str:
    return shorten(llm_mode.split(" (")[0].removeprefix("LLM: "), 60)


def who_picked(trace: DecisionTrace, lang: str) -> str:
    """Who chose, in one or two sentences: the ranker, or which model in which role."""
    model = _model_name(trace.llm_mode)
    titles = {c.item_id: c.title for c in trace.candidates}
    if trace.picker == "fallback":
        return label(lang, "who_fallback")
    if trace.model_role == "explain":
        return label(lang, "who_explain", model=model)
    if trace.model_role == "pick" or trace.picker in ("llm", "llm-repaired"):
        text = label(lang, "who_pick", model=model, n=len(trace.candidates))
        if trace.picker == "llm-repaired":
            text += " " + label(lang, "who_repaired")
        ranker_first = (trace.ranker_picked or [c.item_id for c in trace.candidates])[:1]
        if trace.picked and ranker_first:
            same = trace.picked[: len(trace.ranker_picked) or 1] == (trace.ranker_picked or ranker_first)
            text += " " + (label(lang, "who_pick_same") if same else
                           label(lang, "who_pick_changed", title=f"“{titles.get(ranker_first[0], ranker_first[0])}”"))
        return text
    return label(lang, "who_ranker_loading" if "loading" in trace.llm_mode else "who_ranker")


def _timings(trace: DecisionTrace, lang: str) -> str:
    parts = [f"{label(lang, 't_' + k)} {label(lang, 'ms', ms=f'{trace.timings_ms[k]:.0f}')}"
             for k in TIMING_KEYS if k in trace.timings_ms]
    return "<p>" + esc(" · ".join(parts)) + "</p>" if parts else ""


def _details(trace: DecisionTrace, lang: str) -> str:
    rows = [_line(label(lang, "d_intent"), f"<code>{esc(trace.intent)}</code>")]
    if trace.query:
        rows.append(_line(label(lang, "d_query"), f"<code>{esc(trace.query)}</code>"))
    if trace.filters:
        rows.append(_line(label(lang, "d_filters"),
                          f"<code>{esc(json.dumps(trace.filters, ensure_ascii=False, sort_keys=True, default=str))}</code>"))
    if trace.selling_points_source:
        sources = {label(lang, f"src_{s}") if has_label(f"src_{s}") else s for s in trace.selling_points_source.values()}
        rows.append(_line(label(lang, "d_sources"), esc(", ".join(sorted(sources)))))
    if trace.llm_mode:
        rows.append(_line(label(lang, "d_mode"), esc(trace.llm_mode)))
    if trace.notes:
        rows.append(_line(label(lang, "d_notes"), "<br>".join(esc(n) for n in trace.notes)))
    for cand in trace.candidates[:8]:
        signals = ", ".join(f"{k} {v:.2f}" for k, v in cand.signals.items())
        rows.append(f'<div class="dp-sig"><b>{esc(shorten(cand.title, TITLE_CHARS))}</b> · {esc(label(lang, "score"))} '
                    f'{cand.score:.3f}<br><code>{esc(signals)}</code></div>')
    return f'<details class="dp-details"><summary>{esc(label(lang, "details"))}</summary>{"".join(rows)}</details>'


def _section(key: str, lang: str, body: str) -> str:
    return f'<section class="dp-sec dp-{key}"><h4>{esc(label(lang, key))}</h4>{body}</section>'


def render_decision(trace: DecisionTrace, message: str, lang: str) -> str:
    """One answer's decision, top to bottom in the order a person asks about it."""
    parts = [_understood(trace, message, lang), _found(trace, lang), _chart(trace, lang)]
    if trace.picked:
        parts.append(_section("who", lang, f"<p>{esc(who_picked(trace, lang))}</p>"))
    timings = _timings(trace, lang)
    if timings:
        parts.append(_section("timings", lang, timings))
    parts.append(_details(trace, lang))
    return "".join(p for p in parts if p)


def render_traces(turns: list[tuple[str, DecisionTrace]], lang: str) -> str:
    """The panel: the newest answer open, older ones folded, each titled with its message (cut with "…")."""
    if not turns:
        return f'<div class="rec-empty">{esc(label(lang, "no_trace"))}</div>'
    shown = turns[-MAX_TURNS_SHOWN:]
    first_number = len(turns) - len(shown) + 1
    parts = []
    for offset, (message, trace) in reversed(list(enumerate(shown))):
        is_open = " open" if offset == len(shown) - 1 else ""
        title = f"{label(lang, 'turn_of', n=first_number + offset)} · {shorten(message, 70)}"
        parts.append(f'<details class="dp-turn"{is_open}><summary>{esc(title)}</summary>'
                     f"{render_decision(trace, message, lang)}</details>")
    return "".join(parts)
