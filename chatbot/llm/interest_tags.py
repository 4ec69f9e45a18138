"""Paradigm 2: a few interest tags ("grand sci-fi", "value for money") from the conversation so far."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import ChatModel, complete_within
from chatbot.llm.grounding import leaks_prompt, looks_like_secret
from chatbot.item_text import interest_tags_from_facts
from chatbot.prompts import load_prompt

log = logging.getLogger(__name__)

_SPLIT = re.compile(r"[,，、;；\n]+")
_ID_LIKE = re.compile(r"[\[\]{}<>]|https?://|\w+-\w+-\w+")


class InterestTags(BaseModel):
    tags: list[str]
    source: Literal["llm", "template"]


def parse_tags(text: str, lang: str = "en", max_tags: int = 4) -> list[str]:
    """Short tags from a model answer; anything long, id-like or secret-like is dropped."""
    tags = []
    limit = 12 if lang == "zh" else 32
    for raw in _SPLIT.split(text.replace("Tags:", "").replace("标签：", "")):
        tag = raw.strip().strip("-•*\"'“”。.").strip()
        if not tag or len(tag) > limit or _ID_LIKE.search(tag) or looks_like_secret(tag):
            continue
        if lang != "zh":
            tag = tag.lower()
        if tag not in tags:
            tags.append(tag)
    return tags[:max_tags]


def interest_tags(model: ChatModel | None, dialogue: str, liked: Sequence[Item], lang: str = "en", *,
                  stated_genres: Sequence[str] = (), budget: bool = False, timeout_s: float = 5.0,
                  max_tags: int = 4) -> InterestTags:
    """Tags from the model when it answers usably within `timeout_s`, else from catalog facts. Never raises."""
    fallback = InterestTags(tags=interest_tags_from_facts(liked, lang, stated_genres, budget, max_tags),
                            source="template")
    if model is None or not dialogue.strip():
        return fallback
    prompt = load_prompt("interest_tags", lang)
    liked_text = "\n".join(f"- {item.display_title(lang)} ({', '.join(item.genres)})" for item in liked) or "-"
    try:
        answer = complete_within(model, prompt.render(dialogue=dialogue, liked=liked_text), timeout_s,
                                 max_new_tokens=48, temperature=0.2)
    except LLMError as exc:
        log.info("interest tags fell back to templates: %s", exc)
        return fallback
    tags = [t for t in parse_tags(answer, lang, max_tags) if not leaks_prompt(t, [prompt.system])]
    return InterestTags(tags=tags, source="llm") if tags else fallback
