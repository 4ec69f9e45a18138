"""`bench load`: N concurrent sessions drive a running app over its Gradio API, in both languages.

Each simulated user is one `gradio_client.Client`, i.e. one Gradio session, that plays a scripted
conversation on one catalog in one language (users rotate through movies/en, products/zh, movies/zh,
products/en) starting from its own anchor title or shopping need. After every turn the session's
outputs are checked against what this session itself sent and was shown:

* a **leak** is a turn where the session sees another session's state: a user message it never sent
  (or its own messages out of order, missing, or duplicated), a "How it decided" entry for a message
  it did not send, or a recommendation card for an item that none of its own replies named;
* an **error** is a call that raised, or a turn whose reply is one of the app's error messages.

Besides the whole turn (p50/p95/p99), `first_cards` times each turn until its first update with cards: with
a model configured, the ranker's cards come first and the model's answer streams in after.

Output formats read here (see `chatbot/ui/app.py` and `chatbot/ui/render.py`):
`client.predict(message, catalog=..., lang=..., api_name="/chat")` returns
`(history, cards_html, trace_html, lang, box)`; `history` is a list of {"role", "content"} where
`content` is a list of parts [{"text": ..., "type": "text"}] (or a plain string) holding HTML-escaped
text; cards are `<article class="rec-card" data-item-id="...">` with `<span class="rec-title">...`;
trace entries are `<summary>#N · message</summary>`.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from chatbot.benchmarks.stats import percentiles_ms
from chatbot.ui.text import LABELS

log = logging.getLogger(__name__)

# the order users take: user 0 movies/en, 1 products/zh, 2 movies/zh, 3 products/en, 4 movies/en, ...
MIXES: tuple[tuple[str, str], ...] = (("movies", "en"), ("products", "zh"), ("movies", "zh"), ("products", "en"))

SCRIPTS: dict[tuple[str, str], list[str]] = {
    ("movies", "en"): ["I loved {anchor}. Recommend something similar.", "Something newer", "No horror please",
                       "Tell me more about the second one", "More like the first one", "Why?", "Something older",
                       "Start over"],
    ("movies", "zh"): ["我很喜欢{anchor}，推荐类似的", "新一点的", "不要恐怖片", "第二个怎么样？", "类似第一个的", "为什么？",
                       "老一点的", "重新开始"],
    ("products", "en"): ["I'm looking for {anchor}. What do you recommend?", "Something cheaper",
                         "Tell me more about the second one", "More like the first one", "Why?",
                         "Under 500 yuan please", "Something more premium", "Start over"],
    ("products", "zh"): ["我想买{anchor}，有什么推荐？", "便宜一点的", "第二个怎么样？", "类似第一个的", "为什么？",
                         "500元以内的", "要好一点的", "重新开始"],
}
ANCHORS: dict[tuple[str, str], list[str]] = {
    ("movies", "en"): ["Interstellar", "Titanic", "Spirited Away", "The Matrix", "Parasite", "Inception", "Toy Story",
                       "The Shining", "In the Mood for Love", "Hero", "Farewell My Concubine", "Alien", "Arrival",
                       "Your Name", "The Wandering Earth", "Jurassic Park"],
    ("movies", "zh"): ["星际穿越", "泰坦尼克号", "千与千寻", "黑客帝国", "寄生虫", "盗梦空间", "玩具总动员", "闪灵",
                       "花样年华", "英雄", "霸王别姬", "异形", "降临", "你的名字", "流浪地球", "侏罗纪公园"],
    ("products", "en"): ["wireless earbuds", "noise-cancelling headphones", "a Bluetooth speaker", "a smartphone",
                         "a power bank", "a coffee grinder", "a gooseneck kettle", "a fitness band",
                         "a gaming mouse", "a camera for travel", "a desk lamp", "running shoes",
                         "a kids' toy", "a skincare gift", "a tent for camping", "a mechanical keyboard"],
    ("products", "zh"): ["无线耳机", "降噪耳机", "蓝牙音箱", "智能手机", "充电宝", "磨豆机", "手冲壶", "运动手环",
                         "游戏鼠标", "旅行相机", "台灯", "跑步鞋", "儿童玩具", "护肤礼盒", "露营帐篷", "机械键盘"],
}
START_OVER = ("Start over", "重新开始")  # resets the dialogue state only; the chat history stays
ERROR_TEXTS = frozenset(table[key] for table in LABELS.values()
                        for key in ("error", "error_store", "error_catalog", "error_llm"))

CARD_ID = re.compile(r'<article class="rec-card" data-item-id="(.*?)">')
CARD_TITLE = re.compile(r'<span class="rec-title">(.*?)</span>', re.S)
TRACE_SUMMARY = re.compile(r"<summary>#(\d+) · (.*?)</summary>", re.S)
TRACE_MESSAGE_CHARS = 120  # the trace summary shows this many characters of the message
CONNECT_TIMEOUT_S = 120.0  # longest wait for all users to have connected before the timed run starts


def message_text(content: object) -> str:
    """The plain text of one history entry's content: a list of parts or a string, HTML-unescaped."""
    if isinstance(content, list):
        return html.unescape("".join(str(part.get("text") or "") for part in content if isinstance(part, dict)))
    if isinstance(content, str):
        return html.unescape(content)
    return "" if content is None else html.unescape(str(content))


def history_messages(history: object) -> list[tuple[str, str]]:
    """(role, text) for each entry of a messages-format history as gradio_client returns it."""
    if isinstance(history, tuple):  # the whole endpoint output: history comes first
        history = history[0]
    return [(str(entry.get("role")), message_text(entry.get("content")))
            for entry in history or [] if isinstance(entry, dict)]


def user_messages(history: object) -> list[str]:
    """The user turns of a messages-format history, as plain text."""
    return [text for role, text in history_messages(history) if role == "user"]


def cards(cards_html: str) -> list[tuple[str, str]]:
    """(item id, title) of each recommendation card, as plain text."""
    ids = [html.unescape(value) for value in CARD_ID.findall(cards_html or "")]
    titles = [html.unescape(value) for value in CARD_TITLE.findall(cards_html or "")]
    return list(zip(ids, titles, strict=False))


def trace_messages(trace_html: str) -> dict[int, str]:
    """Turn number -> the (shortened) message of each "How it decided" entry, as plain text."""
    return {int(number): html.unescape(text) for number, text in TRACE_SUMMARY.findall(trace_html or "")}


def find_leaks(sent: list[str], history: object, cards_html: str = "", trace_html: str = "") -> list[str]:
    """What a session sees that is not its own: `sent` is everything this session sent, in order.

    Returns one line per problem; empty when the outputs hold only this session's messages and items.
    """
    problems = []
    entries = history_messages(history)
    seen = [text for role, text in entries if role == "user"]
    foreign = [text for text in seen if text not in sent]
    if foreign:
        problems.append(f"foreign messages: {foreign[:3]}")
    elif seen != sent:
        problems.append(f"history holds {seen[:6]}, expected {sent[:6]}")
    if len(entries) != 2 * len(sent) or [role for role, _ in entries] != ["user", "assistant"] * len(sent):
        problems.append(f"history has {len(entries)} entries for {len(sent)} messages")
    # a turn that failed inside the app leaves no trace entry, so numbers may run behind the messages
    own = {message[:TRACE_MESSAGE_CHARS].strip() for message in sent}
    for number, text in trace_messages(trace_html).items():
        if not 0 < number <= len(sent) or text.strip() not in own:
            problems.append(f"trace entry #{number} is for a message this session did not send: {text[:60]!r}")
    replies = "\n".join(text for role, text in entries if role == "assistant")
    unnamed = [(item_id, title) for item_id, title in cards(cards_html) if title not in replies]
    if unnamed:
        problems.append(f"cards for items this session was not shown: {unnamed[:3]}")
    return problems


@dataclass
class UserResult:
    user: int
    catalog: str
    lang: str
    latencies: list[float] = field(default_factory=list)
    first_cards: list[float] = field(default_factory=list)  # until the turn's first update with cards
    errors: int = 0
    leaks: int = 0
    problems: list[str] = field(default_factory=list)


def user_script(user: int, turns: int) -> tuple[str, str, list[str]]:
    """(catalog, lang, messages) for simulated user number `user`; every user's first message differs
    from the others' while there are anchors left (64 users)."""
    catalog, lang = MIXES[user % len(MIXES)]
    anchors = ANCHORS[(catalog, lang)]
    index = user // len(MIXES)
    anchor = anchors[index % len(anchors)]
    script = SCRIPTS[(catalog, lang)]
    return catalog, lang, [script[turn % len(script)].format(anchor=anchor) for turn in range(turns)]


def _wait_for_start(start: threading.Barrier) -> None:
    try:
        start.wait()
    except threading.BrokenBarrierError:  # some user took too long to connect: go anyway
        pass


def _first_cards_after(job, started: float, timeout_s: float) -> float | None:
    """Seconds from `started` until the streaming turn first showed cards (the ranker's, before a model's
    answer), polling the job's outputs; None when no update before the last one had cards."""
    while not job.done():
        if any(isinstance(out, (list, tuple)) and len(out) > 1 and CARD_ID.search(str(out[1] or ""))
               for out in job.outputs()):
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError(f"no answer within {timeout_s:.0f} s")
        time.sleep(0.02)
    return None


def _play(url: str, user: int, turns: int, start: threading.Barrier, timeout_s: float) -> UserResult:
    from gradio_client import Client

    catalog, lang, messages = user_script(user, turns)
    result = UserResult(user=user, catalog=catalog, lang=lang)
    try:
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    except Exception as exc:
        _wait_for_start(start)
        result.errors = turns
        result.problems.append(f"could not connect: {exc}")
        log.warning("user %d could not connect: %s", user, exc)
        return result
    sent: list[str] = []  # this session's messages as the app should show them, in order
    unsure: list[str] = []  # messages of calls that failed: the app may or may not have recorded them
    _wait_for_start(start)
    try:
        for turn, message in enumerate(messages):
            started = time.perf_counter()
            job = None
            try:
                job = client.submit(message, catalog=catalog, lang=lang, api_name="/chat")
                first = _first_cards_after(job, started, timeout_s)
                history, cards_html, trace_html, *_ = job.result(timeout=timeout_s)
                if first is None and CARD_ID.search(str(cards_html or "")):
                    first = time.perf_counter() - started
                if first is not None:
                    result.first_cards.append(first)
            except Exception as exc:  # counted and reported; the run goes on
                if job is not None and not job.done():
                    job.cancel()
                result.errors += 1
                result.problems.append(f"turn {turn} failed: {type(exc).__name__}: {exc}")
                log.warning("user %d turn %d failed: %s", user, turn, exc)
                unsure.append(message)  # whether the app recorded it shows in the next history
                continue
            result.latencies.append(time.perf_counter() - started)
            sent.append(message)
            seen = user_messages(history)
            if unsure and [m for m in seen if m not in unsure] == [m for m in sent if m not in unsure]:
                sent = seen  # the failed turns the app did record are this session's own messages too
            entries = history_messages(history)
            reply = entries[-1][1] if entries and entries[-1][0] == "assistant" else ""
            if reply.strip() in ERROR_TEXTS:
                result.errors += 1
                result.problems.append(f"turn {turn} answered with an error: {reply[:80]!r}")
            problems = find_leaks(sent, history, cards_html, trace_html)
            if problems:
                result.leaks += 1
                result.problems.extend(f"turn {turn}: {p}" for p in problems)
                log.error("user %d turn %d sees another session's state: %s", user, turn, "; ".join(problems))
    finally:
        try:
            client.close()
        except Exception:  # older gradio_client versions have no close()
            pass
    return result


def run_load_bench(url: str, users: int, turns: int, timeout_s: float = 300.0) -> dict:
    """Run `users` concurrent sessions of `turns` turns each against the app at `url`; one JSON-able dict."""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if users < 1 or turns < 1:
        raise ValueError("users and turns must be at least 1")
    if logging.getLogger("httpx").level == logging.NOTSET:  # one INFO line per request drowns the report
        logging.getLogger("httpx").setLevel(logging.WARNING)
    # every user connects first (not timed), then all start their first turn together
    start = threading.Barrier(users + 1, timeout=CONNECT_TIMEOUT_S)
    with ThreadPoolExecutor(max_workers=users, thread_name_prefix="load-user") as pool:
        futures = [pool.submit(_play, url, n, turns, start, timeout_s) for n in range(users)]
        _wait_for_start(start)
        began = time.perf_counter()
        results = [future.result() for future in futures]
    wall = time.perf_counter() - began
    latencies = [lat for r in results for lat in r.latencies]
    mixes = sorted({f"{r.catalog}/{r.lang}" for r in results})
    return {"url": url, "users": users, "turns_per_user": turns, "mixes": mixes, "turns": len(latencies),
            "errors": sum(r.errors for r in results), "leaks": sum(r.leaks for r in results),
            "seconds": round(wall, 2), "turns_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
            **percentiles_ms(latencies),
            "first_cards": percentiles_ms([t for r in results for t in r.first_cards]),
            "problems": [f"user {r.user} ({r.catalog}/{r.lang}) {p}" for r in results for p in r.problems][:20]}
