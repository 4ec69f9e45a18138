"""`bench load`: N concurrent sessions drive a running app over its Gradio API, in both languages.

Each simulated user is one `gradio_client.Client`, i.e. one Gradio session, that plays a scripted
conversation naming its own anchor title. The chat endpoint returns the session's visible history;
a leak is any user message in that history that this user never sent (another session's state
showing through), or a session whose history lost its own earlier turns.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from chatbot.benchmarks.stats import percentiles_ms

log = logging.getLogger(__name__)

SCRIPTS = {
    "en": ["I loved {anchor}. Recommend something similar.", "Something newer", "No horror please",
           "Tell me more about the second one", "More like the first one", "Why?", "Something older", "Start over"],
    "zh": ["我很喜欢{anchor}，推荐类似的", "新一点的", "不要恐怖片", "第二个怎么样？", "类似第一个的", "为什么？",
           "老一点的", "重新开始"],
}
ANCHORS = ["Interstellar", "Titanic", "Spirited Away", "The Matrix", "Parasite", "Inception", "Toy Story",
           "The Shining", "In the Mood for Love", "Hero", "Farewell My Concubine", "Alien", "Arrival",
           "Your Name", "The Wandering Earth", "Jurassic Park"]


def _user_messages(history: object) -> list[str]:
    """The user turns of a Gradio messages-format history (list of {"role", "content"})."""
    if isinstance(history, tuple):  # endpoints that return several outputs: history comes first
        history = history[0]
    messages = []
    for entry in history or []:
        if isinstance(entry, dict) and entry.get("role") == "user":
            content = entry.get("content")
            messages.append(content if isinstance(content, str) else str(content))
    return messages


def _play(url: str, user: int, turns: int, start: threading.Event) -> dict:
    from gradio_client import Client

    lang = "zh" if user % 2 else "en"
    anchor = ANCHORS[user % len(ANCHORS)] + ("" if user < len(ANCHORS) else f" #{user}")
    client = Client(url, verbose=False)
    sent: list[str] = []
    latencies: list[float] = []
    errors = leaks = 0
    start.wait()
    for turn in range(turns):
        message = SCRIPTS[lang][turn % len(SCRIPTS[lang])].format(anchor=anchor)
        started = time.perf_counter()
        try:
            history = client.predict(message, api_name="/chat")
        except Exception as exc:  # counted and reported; the run goes on
            errors += 1
            log.warning("user %d turn %d failed: %s", user, turn, exc)
            continue
        latencies.append(time.perf_counter() - started)
        sent.append(message)
        seen = _user_messages(history)
        foreign = [m for m in seen if m not in sent]
        lost = [m for m in sent if m not in seen and not m.startswith(("Start over", "重新开始"))]
        if foreign or (lost and "Start over" not in " ".join(sent) and "重新开始" not in " ".join(sent)):
            leaks += 1
            log.error("user %d saw foreign=%s lost=%s", user, foreign[:2], lost[:2])
    client.close() if hasattr(client, "close") else None
    return {"latencies": latencies, "errors": errors, "leaks": leaks}


def run_load_bench(url: str, users: int, turns: int) -> dict:
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    start = threading.Event()
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(_play, url, n, turns, start) for n in range(users)]
        began = time.perf_counter()
        start.set()
        results = [future.result() for future in futures]
    wall = time.perf_counter() - began
    latencies = [lat for r in results for lat in r["latencies"]]
    return {"url": url, "users": users, "turns_per_user": turns, "turns": len(latencies),
            "errors": sum(r["errors"] for r in results), "leaks": sum(r["leaks"] for r in results),
            "seconds": round(wall, 1), "turns_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
            **percentiles_ms(latencies)}
