"""`python -m chatbot bench llm`: time to first token, tokens per second, and one recommendation turn."""

from __future__ import annotations

import logging
import statistics
import time

from chatbot.config import Settings
from chatbot.llm.base import ChatMessage
from chatbot.llm.factory import LLMHandle, build_chat_model

log = logging.getLogger(__name__)


def run_llm_bench(settings: Settings, *, turns: int = 1, handle: LLMHandle | None = None,
                  wait_s: float = 900.0) -> dict:
    """Measure the configured backend: time to first token and tokens/s of one generation, and the median
    end-to-end time of `turns` whole chat turns through the service (parse, rank, selling points, interest
    tags, pick and explain).
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
        chunks = 0
        for _ in model.stream(messages, max_new_tokens=64, temperature=0.0, timeout_s=settings.llm_timeout_s):
            if first is None:
                first = time.perf_counter()
            chunks += 1
        end = time.perf_counter()
        if first is not None:
            # generated tokens where the backend counts them; else one token per streamed chunk (OpenAI-style)
            tokens = getattr(model, "last_generation_tokens", 0) or chunks
            result["ttft_ms"] = round((first - started) * 1000, 1)
            result["tokens"] = tokens
            result["tokens_per_s"] = round(tokens / (end - first), 1) if end > first and tokens > 1 else None
    # one whole recommendation turn through the chat service: parse, rank, selling points, tags, pick
    from chatbot.service import ChatService

    service = ChatService(settings, handle)
    engine = service.engines.get(settings.default_catalog)
    anchor = next(iter(engine.items.values()))
    times, first_update = [], []
    last = None
    for n in range(max(1, turns)):
        session = service.new_session(settings.default_catalog, "en")
        started = time.perf_counter()
        last = None
        for update in service.respond(session, f"I loved {anchor.title}. Something like it?" + " please" * n):
            if last is None:
                first_update.append((time.perf_counter() - started) * 1000)
            last = update
        times.append((time.perf_counter() - started) * 1000)
    result["turn_ms"] = round(statistics.median(times), 1)
    result["turn_ms_max"] = round(max(times), 1)
    result["first_update_ms"] = round(statistics.median(first_update), 1)
    result["turns"] = len(times)
    result["picker_source"] = last.trace.picker if last and last.trace else None
    result["candidates"] = settings.candidates_for_llm
    return result
