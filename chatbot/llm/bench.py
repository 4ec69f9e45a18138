"""`python -m chatbot bench llm`: time to first token, tokens per second, and one recommendation turn."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

from chatbot.config import Settings
from chatbot.items import Item
from chatbot.llm.base import ChatMessage
from chatbot.llm.factory import LLMHandle, build_chat_model
from chatbot.llm.interest_tags import interest_tags
from chatbot.llm.picker import pick_and_explain
from chatbot.llm.selling_points import SellingPointWriter, selling_points_for
from chatbot.recommendation import Candidate, Reason

log = logging.getLogger(__name__)


def _bench_items(settings: Settings, n: int) -> list[Item]:
    from chatbot.catalogs import resolve_catalog, shipped_catalogs

    try:
        _, path = resolve_catalog(settings, settings.default_catalog)
    except Exception:
        shipped = shipped_catalogs(settings)
        path = next(iter(shipped.values())) if shipped else Path()
    items = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        try:
            items.append(Item.model_validate_json(line))
        except ValueError:
            continue
        if len(items) >= n + 1:
            break
    return items


def run_llm_bench(settings: Settings, *, turns: int = 1, handle: LLMHandle | None = None,
                  wait_s: float = 900.0) -> dict:
    """Measure the configured backend: time to first token and tokens/s of one generation, and the median
    end-to-end time of `turns` recommendation turns (selling points, interest tags, pick and explain).
    `none` reports the no-LLM turn time and no token figures."""
    handle = handle or build_chat_model(settings)
    handle.wait_ready(wait_s)
    status = handle.status()
    model = handle.model
    result: dict = {"backend": status.backend, "mode": status.mode, "ttft_ms": None, "tokens_per_s": None,
                    "turn_ms": None}
    if model is not None:
        messages = [ChatMessage(role="system", content="You are a helpful assistant."),
                    ChatMessage(role="user", content="Suggest one film for a rainy evening, in two sentences.")]
        started = time.perf_counter()
        first = None
        text, chunks = "", 0
        for chunk in model.stream(messages, max_new_tokens=64, temperature=0.0, timeout_s=settings.llm_timeout_s):
            if first is None:
                first = time.perf_counter()
            text += chunk
            chunks += 1
        end = time.perf_counter()
        if first is not None:
            # generated tokens where the backend counts them; else one token per streamed chunk (OpenAI-style)
            tokens = getattr(model, "last_generation_tokens", 0) or chunks
            result["ttft_ms"] = round((first - started) * 1000, 1)
            result["tokens"] = tokens
            result["tokens_per_s"] = round(tokens / (end - first), 1) if end > first and tokens > 1 else None
    items = _bench_items(settings, settings.candidates_for_llm)
    if len(items) >= 2:
        anchor, pool = items[0], items[1: settings.candidates_for_llm + 1]
        candidates = [Candidate(item=item, score=1.0 - n / 100, reasons=[
            Reason(kind="liked_similar", detail=anchor.id, weight=1.0),
            *[Reason(kind="genre", detail=g, weight=0.5) for g in item.genres[:1] if g in anchor.genres],
            Reason(kind="popular", weight=0.1)]) for n, item in enumerate(pool)]
        by_id = {i.id: i for i in items}
        dialogue = f"user: I loved {anchor.title}. Something like it?"
        times, sources = [], []
        for _ in range(max(1, turns)):
            started = time.perf_counter()
            points = selling_points_for(pool, SellingPointWriter(model), None, "en", settings.enrich_budget_s)
            tags = interest_tags(model, dialogue, [anchor], "en", timeout_s=5.0)
            done = None
            for event in pick_and_explain(model, dialogue, f"liked: {anchor.title}; tags: {', '.join(tags.tags)}",
                                          candidates, "en", settings.recommendations_per_turn,
                                          settings.llm_turn_budget_s, items=by_id,
                                          selling_points={k: v.points for k, v in points.items()},
                                          max_new_tokens=settings.llm_max_new_tokens):
                done = event
            times.append((time.perf_counter() - started) * 1000)
            sources.append(done.result.source if done and done.result else None)
        result["turn_ms"] = round(statistics.median(times), 1)
        result["turn_ms_max"] = round(max(times), 1)
        result["turns"] = len(times)
        result["picker_source"] = sources[-1]
        result["candidates"] = len(candidates)
    return result
