"""LLM extraction (structured output), merged into the deterministic parse when a model is configured.

The parser stays the authority: the model can only add what the parser missed, and only what the
message itself holds (a title the user actually wrote and the catalog has, a genre the catalog knows,
a number that appears in the message). Anything else the model says is ignored.
"""

from __future__ import annotations

import json
import logging
import re

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, ValidationError, field_validator

from chatbot.dialogue.parser import ParsedMessage
from chatbot.dialogue.titles import TitleMatcher
from chatbot.errors import LLMError
from chatbot.genres import GENRES, canonical_genre
from chatbot.llm.base import complete_within
from chatbot.prompts import load_prompt

log = logging.getLogger(__name__)

_OBJECT = re.compile(r"\{.*\}", re.S)
MAX_MESSAGE_CHARS = 1500


class Extraction(BaseModel):
    """What the model says the message states."""

    liked: list[str] = Field(default_factory=list)
    disliked: list[str] = Field(default_factory=list)
    genres_wanted: list[str] = Field(default_factory=list)
    genres_unwanted: list[str] = Field(default_factory=list)
    price_max: float | None = None
    year_min: int | None = None
    year_max: int | None = None

    @field_validator("liked", "disliked", "genres_wanted", "genres_unwanted", mode="before")
    @classmethod
    def _strings(cls, value: object) -> list[str]:
        return [str(v)[:120] for v in value][:10] if isinstance(value, list) else []


def extract(model: BaseChatModel, message: str, lang: str, kind: str, timeout_s: float) -> Extraction | None:
    """The model's reading of one message, or None when it did not answer usable JSON in time."""
    prompt = load_prompt("extract", lang)
    catalog = ("商品" if kind == "product" else "影视") if lang == "zh" else ("product" if kind == "product" else "film")
    try:
        answer = complete_within(model.bind(max_tokens=160, temperature=0.0),
                                 prompt.render(message=message[:MAX_MESSAGE_CHARS], catalog=catalog), timeout_s)
        found = _OBJECT.search(answer)
        return Extraction.model_validate(json.loads(found.group(0))) if found else None
    except (LLMError, ValueError, ValidationError) as exc:
        log.info("LLM extraction skipped: %s", type(exc).__name__)
        return None


def merge(extraction: Extraction, message: str, parsed: ParsedMessage, titles: TitleMatcher) -> list[str]:
    """Add to `parsed` what the model found and the parser missed; returns what was added, for the trace."""
    text = message.casefold()
    added: list[str] = []
    opinion = set(parsed.liked_ids) | set(parsed.disliked_ids) | set(parsed.compare_ids)
    for names, target, label in ((extraction.liked, parsed.liked_ids, "liked"),
                                 (extraction.disliked, parsed.disliked_ids, "disliked")):
        for name in names:
            item_id = titles.lookup(name) if name.strip() and name.casefold() in text else None
            if item_id and item_id not in opinion:
                target.append(item_id)
                opinion.add(item_id)
                if item_id in parsed.mentioned_ids:
                    parsed.mentioned_ids.remove(item_id)
                added.append(f"{label} {item_id}")
    update = parsed.constraint_update
    for name in extraction.genres_unwanted:
        genre = canonical_genre(name)
        if genre in GENRES and genre not in update.genres_exclude and genre not in parsed.preferred_genres:
            update.genres_exclude.append(genre)
            added.append(f"no {genre}")
    for name in extraction.genres_wanted:
        genre = canonical_genre(name)
        if genre in GENRES and genre not in parsed.preferred_genres and genre not in update.genres_exclude:
            parsed.preferred_genres.append(genre)
            added.append(f"likes {genre}")
    for field in ("price_max", "year_min", "year_max"):
        value = getattr(extraction, field)
        if value is not None and getattr(update, field) is None and f"{value:g}" in message:
            setattr(update, field, value)
            added.append(f"{field} {value:g}")
    if added and parsed.intent in ("unknown", "small_talk"):
        parsed.intent = "recommend"
    return added


def extract_and_merge(model: BaseChatModel, message: str, parsed: ParsedMessage, titles: TitleMatcher,
                      timeout_s: float, kind: str = "movie") -> list[str]:
    """Run the extraction within `timeout_s` and merge it; never raises. Returns trace notes."""
    if timeout_s < 0.2:
        return []
    extraction = extract(model, message, parsed.language, kind, timeout_s)
    if extraction is None:
        return ["LLM extraction: no usable answer"]
    added = merge(extraction, message, parsed, titles)
    return [f"LLM extraction added: {', '.join(added)}"] if added else []
