"""What the ranker hands to the LLM layer and the UI: candidates with their scores and reasons."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chatbot.items import Item

ReasonKind = Literal[
    "text_match",  # the user's words match the item's text (embedding similarity)
    "liked_similar",  # close to an item the user liked (detail = that item's id)
    "collaborative",  # people who liked the user's items also liked this one (detail = anchor id)
    "genre",  # has a genre the user asked for (detail = genre key)
    "person",  # has a director/actor/brand the user named (detail = name)
    "era",  # in the year range asked for
    "price",  # within / below the price asked for (detail = price text)
    "popular",  # popular with everyone
    "new",  # a new arrival with no history (cold start)
    "mentioned",  # named earlier in the conversation
]


class Reason(BaseModel):
    kind: ReasonKind
    detail: str = ""
    weight: float = 0.0


class Candidate(BaseModel):
    item: Item
    score: float
    reasons: list[Reason] = Field(default_factory=list)
    signals: dict[str, float] = Field(default_factory=dict)  # signal name -> raw value, for the "How it decided" panel
