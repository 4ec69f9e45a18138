"""The LLM layer: one chat-model interface, three backends (transformers, openai, none), and the
paradigm 2 and 3 features built on it (selling points, interest tags, pick and explain).

Names are imported lazily so that `chatbot.prompts` and this package can import each other's parts.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ChatMessage": "base", "ChatModel": "base",
    "NO_LLM_MODE": "factory", "LLMHandle": "factory", "LLMStatus": "factory", "build_chat_model": "factory",
    "InterestTags": "interest_tags", "interest_tags": "interest_tags",
    "Pick": "picker", "PickEvent": "picker", "PickResult": "picker", "pick_and_explain": "picker",
    "render_reply": "picker",
    "SellingPointCache": "selling_points", "SellingPoints": "selling_points", "SellingPointWriter": "selling_points",
    "enrich_items": "selling_points", "open_cache": "selling_points", "selling_points_for": "selling_points",
    "explain_candidate": "templates", "interest_tags_from_facts": "templates", "selling_points_from_facts": "templates",
    "run_llm_bench": "bench",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'chatbot.llm' has no attribute {name!r}")
    return getattr(importlib.import_module(f"chatbot.llm.{_EXPORTS[name]}"), name)
