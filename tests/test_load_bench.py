"""The load benchmark against the real app, and its leak detector on a deliberately leaking history."""

from __future__ import annotations

import json
import os

import pytest
from app_support import serve_app

from chatbot.benchmarks.load import (
    MIXES,
    cards,
    find_leaks,
    message_text,
    run_load_bench,
    trace_messages,
    user_script,
)

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REQUIRED_KEYS = {"errors", "leaks", "turns", "turns_per_s", "p50_ms", "p95_ms", "p99_ms"}


def entry(role: str, text: str) -> dict:
    """One history entry as gradio_client returns it: a list of parts holding HTML-escaped text."""
    import html

    return {"role": role, "metadata": None, "content": [{"text": html.escape(text, quote=False), "type": "text"}],
            "options": None}


def card_html(*items: tuple[str, str]) -> str:
    from chatbot.ui.render import esc

    return '<div class="rec-cards">' + "".join(
        f'<article class="rec-card" data-item-id="{esc(i)}"><div class="rec-head"><span class="rec-rank">1</span>'
        f'<span class="rec-title">{esc(t)}</span></div></article>' for i, t in items) + "</div>"


# ---- the real app ----

@pytest.mark.slow
def test_load_bench_against_the_real_app(tmp_path, capsys):
    from app_support import app_settings

    with serve_app(app_settings(tmp_path)) as app:
        result = run_load_bench(app.url, users=3, turns=2)
    print(json.dumps(result, ensure_ascii=False))
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    parsed = json.loads(last_line)
    assert REQUIRED_KEYS <= set(parsed)
    assert parsed["errors"] == 0, parsed["problems"]
    assert parsed["leaks"] == 0, parsed["problems"]
    assert parsed["turns"] == 6
    assert parsed["turns_per_s"] > 0
    assert 0 < parsed["p50_ms"] <= parsed["p95_ms"] <= parsed["p99_ms"]
    assert 0 < parsed["first_cards"]["p50_ms"] <= parsed["p95_ms"], "the first turn of each user shows cards"
    assert {"movies/en", "movies/zh", "products/zh"} <= set(parsed["mixes"]), "both languages, both catalogs"


# ---- the scripts ----

def test_scripts_cover_both_languages_and_catalogs():
    first_four = {user_script(n, 1)[:2] for n in range(4)}
    assert first_four == set(MIXES) == {("movies", "en"), ("movies", "zh"), ("products", "en"), ("products", "zh")}
    firsts = [user_script(n, 1)[2][0] for n in range(50)]
    assert len(set(firsts)) == 50, "every user of a 50-user run opens with its own message"
    _, lang, messages = user_script(1, 3)
    assert lang == "zh" and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)


# ---- reading the app's output formats ----

def test_message_text_reads_parts_and_strings():
    assert message_text([{"text": "I &lt;3 ", "type": "text"}, {"text": "Dune &amp; Alien", "type": "text"}]) \
        == "I <3 Dune & Alien"
    assert message_text("a &gt; b") == "a > b"
    assert message_text(None) == ""


def test_cards_and_trace_are_read():
    html_cards = card_html(("dune-2021", "Dune"), ("p-1", 'Lamp <img src=x> & "co"'))
    assert cards(html_cards) == [("dune-2021", "Dune"), ("p-1", 'Lamp <img src=x> & "co"')]
    trace = ('<details class="tr-turn" open><summary>#2 · why &lt;b&gt;?</summary>x</details>'
             '<details class="tr-turn"><summary>#1 · I loved Dune</summary>y</details>')
    assert trace_messages(trace) == {2: "why <b>?", 1: "I loved Dune"}


# ---- the leak detector ----

def test_own_history_is_no_leak():
    sent = ["I loved Dune. Recommend something similar.", "Something newer <b>&"]
    history = [entry("user", sent[0]), entry("assistant", "1. Arrival: ...\n2. Interstellar: ..."),
               entry("user", sent[1]), entry("assistant", "1. Dune: Part Two: ...")]
    trace = ('<summary>#2 · Something newer &lt;b&gt;&amp;</summary>'
             '<summary>#1 · I loved Dune. Recommend something similar.</summary>')
    assert find_leaks(sent, history, card_html(("dune-2", "Dune: Part Two")), trace) == []


def test_another_sessions_message_is_a_leak():
    mine = ["I loved Dune. Recommend something similar."]
    theirs = ["我很喜欢星际穿越，推荐类似的"]
    leaking = [entry("user", mine[0]), entry("assistant", "1. Arrival: ..."),
               entry("user", theirs[0]), entry("assistant", "1. 《降临》：……")]
    problems = find_leaks(mine, leaking)
    assert problems and "foreign" in problems[0]
    assert find_leaks(theirs, leaking), "the other session sees the first one's message too"


def test_same_text_from_another_session_is_a_leak():
    sent = ["Something newer"]
    history = [entry("user", "Something newer"), entry("assistant", "ok"),
               entry("user", "Something newer"), entry("assistant", "ok")]
    assert find_leaks(sent, history)


def test_lost_turn_is_a_leak():
    sent = ["I loved Dune", "Something newer"]
    assert find_leaks(sent, [entry("user", "Something newer"), entry("assistant", "ok")])


def test_another_sessions_trace_is_a_leak():
    sent = ["I loved Dune"]
    history = [entry("user", sent[0]), entry("assistant", "1. Arrival")]
    assert find_leaks(sent, history, "", "<summary>#1 · 我想买无线耳机</summary>")
    assert find_leaks(sent, history, "", "<summary>#2 · Something cheaper</summary>")


def test_cards_this_session_was_not_shown_are_a_leak():
    sent = ["I loved Dune"]
    history = [entry("user", sent[0]), entry("assistant", "1. Arrival: a linguist ...")]
    assert find_leaks(sent, history, card_html(("arrival-2016", "Arrival"))) == []
    problems = find_leaks(sent, history, card_html(("arrival-2016", "Arrival"), ("p-buds", "Cirrus Buds Lite")))
    assert problems and "Cirrus Buds Lite" in problems[0]
