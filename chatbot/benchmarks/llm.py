"""`python -m chatbot bench llm`: the LLM where users run it.

1. Runtimes, same GGUF file, same prompt, same run: llama.cpp (in-process) vs transformers, time to first
   token and decode tokens/s (only for a local `.gguf` LLM_MODEL).
2. Recommendation turns through the chat service, per role (pick / explain): first cards on the page, the
   model's work complete, the whole turn (p50/p95), the share of turns where the model's work reached the
   page (a validated pick or reason, not the ranker's fallback), and the model answers rejected, by reason.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter

from langchain_core.messages import HumanMessage, SystemMessage

from chatbot.benchmarks.stats import percentiles_ms
from chatbot.config import Settings
from chatbot.llm.base import chunk_text
from chatbot.llm.factory import LLMHandle, build_chat_model, resolve_backend
from chatbot.service import ChatService

log = logging.getLogger(__name__)

# (catalog, language, message): recommendation requests as people write them
REQUESTS = [
    ("movies", "en", "I loved Interstellar. Something like it?"),
    ("movies", "en", "A light romantic comedy for tonight, nothing sad"),
    ("movies", "en", "Grand science fiction with big ideas"),
    ("movies", "en", "Something like Spirited Away for a family evening"),
    ("movies", "zh", "我喜欢流浪地球，还有类似的吗？"),
    ("movies", "zh", "浪漫一点的，不要太虐"),
    ("movies", "zh", "想看烧脑的悬疑片"),
    ("products", "en", "Wireless earbuds under 300 yuan"),
    ("products", "en", "A gift for someone who loves tea"),
    ("products", "zh", "想买一个适合跑步的运动手表"),
    ("products", "zh", "推荐一款性价比高的充电宝"),
    ("movies", "en", "An animated film with a strong heroine"),
]
_REJECTION = re.compile(r"^model: (?:reason for \S+: )?(.*)$")
RUNTIME_PROMPT = [SystemMessage("You are a helpful assistant."),
                  HumanMessage("Suggest one film for a rainy evening and say why, in three sentences.")]


def time_generation(handle: LLMHandle, max_tokens: int = 64) -> dict:
    """Time to first token and decode tokens/s of one greedy generation (tokens from the runtime's usage)."""
    model = handle.model
    if model is None:
        return {"state": handle.status().state, "detail": handle.status().detail}
    started = time.perf_counter()
    first, usage = None, None
    for chunk in model.bind(max_tokens=max_tokens, temperature=0.0).stream(RUNTIME_PROMPT):
        if first is None and chunk_text(chunk):
            first = time.perf_counter()
        usage = chunk.usage_metadata or usage
    end = time.perf_counter()
    tokens = (usage or {}).get("output_tokens", 0)
    return {"ttft_ms": round(((first or end) - started) * 1000, 1), "output_tokens": tokens,
            "prompt_tokens": (usage or {}).get("input_tokens", 0),
            "decode_tokens_per_s": round((tokens - 1) / (end - first), 1) if first and end > first and tokens > 1
            else None}


def compare_runtimes(settings: Settings, wait_s: float) -> dict:
    """llama.cpp vs transformers on the same .gguf file, one after the other in this process."""
    result = {}
    for backend in ("llamacpp", "transformers"):
        handle = build_chat_model(settings.model_copy(update={"llm_backend": backend}), background=False)
        handle.wait_ready(wait_s)
        started = time.perf_counter()
        try:
            result[backend] = time_generation(handle)
        except Exception as exc:  # a runtime that fails is reported, not fatal
            result[backend] = {"error": f"{type(exc).__name__}: {str(exc)[:160]}"}
        result[backend]["seconds"] = round(time.perf_counter() - started, 1)
        handle.close()
        del handle
    return result


def run_turns(service: ChatService, turns: int) -> dict:
    """`turns` single-turn recommendation requests, each in a new session."""
    first_cards, model_done, whole, reached, all_reasons, recommendation = [], [], [], 0, 0, 0
    rejected: Counter = Counter()
    for n in range(turns):
        catalog, lang, message = REQUESTS[n % len(REQUESTS)]
        session = service.new_session(catalog, lang)
        started = time.perf_counter()
        first = last = None
        for update in service.respond(session, message):
            if first is None and update.cards:
                first = time.perf_counter() - started
            last = update
        whole.append(time.perf_counter() - started)
        trace = last.trace if last else None
        if trace is None or not trace.ranker_picked:
            continue
        recommendation += 1
        first_cards.append(first or whole[-1])
        if "model_done" in trace.timings_ms:
            model_done.append(trace.timings_ms["model_done"] / 1000)
        shown_by_model = trace.picker == "llm"
        reached += shown_by_model
        notes = [m.group(1) for note in trace.notes if (m := _REJECTION.match(note))]
        all_reasons += shown_by_model and not any(not n.startswith("id ") for n in notes)
        for note in notes:
            rejected[re.split(r"[ :,]", note, maxsplit=1)[0]] += 1
    return {"turns": turns, "recommendation_turns": recommendation,
            "first_cards": percentiles_ms(first_cards), "model_done": percentiles_ms(model_done),
            "whole_turn": percentiles_ms(whole),
            "model_work_on_page_share": round(reached / recommendation, 3) if recommendation else None,
            "all_reasons_by_model_share": round(all_reasons / recommendation, 3) if recommendation else None,
            "rejected": dict(rejected.most_common())}


def run_llm_bench(settings: Settings, *, turns: int = 12, roles: tuple[str, ...] = ("explain", "pick"),
                  runtimes: bool = True, wait_s: float = 900.0) -> dict:
    """The whole LLM bench; `none` reports the no-LLM turn times only."""
    backend = resolve_backend(settings)
    settings = settings.model_copy(update={"llm_enrich_in_background": False})  # turns alone hold the model
    result: dict = {"backend": backend, "model": settings.llm_model, "threads": settings.llm_threads}
    if runtimes and settings.llm_model.endswith(".gguf"):
        result["runtimes"] = compare_runtimes(settings, wait_s)
    handle = build_chat_model(settings)
    handle.wait_ready(wait_s)
    result["mode"] = handle.status().mode
    service = ChatService(settings, handle)
    service.warm_up()
    run_turns(service, 1)  # warm caches (prompt prefix, embedder); not counted
    for role in (roles if handle.model is not None else ("none",)):
        handle.role = role if role != "none" else handle.role
        result[role] = run_turns(service, turns)
    handle.close()
    return result
