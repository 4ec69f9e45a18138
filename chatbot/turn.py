"""What one chat turn hands to the UI: streamed text, item cards, and the "How it decided" trace."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ItemCard(BaseModel):
    """One recommended item as the UI shows it. All text is plain text: the UI escapes it."""

    item_id: str
    title: str
    subtitle: str = ""  # year and kind, or price
    tags: list[str] = Field(default_factory=list)
    selling_points: list[str] = Field(default_factory=list)
    why: str = ""  # why it fits this user


class CandidateTrace(BaseModel):
    item_id: str
    title: str
    score: float
    signals: dict[str, float] = Field(default_factory=dict)


class DecisionTrace(BaseModel):
    """How the turn was decided, per paradigm; shown to stakeholders. Never holds secrets."""

    intent: str = ""
    # paradigm 1: retrieval and ranking
    query: str = ""
    filters: dict | None = None
    liked: list[str] = Field(default_factory=list)  # titles, in the reply language
    disliked: list[str] = Field(default_factory=list)  # titles
    candidates: list[CandidateTrace] = Field(default_factory=list)
    # paradigm 2: text features
    selling_points_source: dict[str, str] = Field(default_factory=dict)  # item id -> "cache" | "llm" | "template"
    user_tags: list[str] = Field(default_factory=list)
    # paradigm 3: pick and explain
    picker: str = ""  # "llm" | "llm-repaired" | "fallback" | "no-llm"
    picked: list[str] = Field(default_factory=list)
    ranker_picked: list[str] = Field(default_factory=list)  # the ranker's own order, before any model step
    model_role: str = ""  # "" (no model) | "pick" (the model chose and explained) | "explain" (it explained the ranker's choice)
    llm_mode: str = ""  # the active backend, in plain words
    notes: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class TurnUpdate(BaseModel):
    """Yielded while a turn runs: `text` is the reply so far; the last update has done=True."""

    text: str
    cards: list[ItemCard] = Field(default_factory=list)
    trace: DecisionTrace | None = None
    lang: Literal["en", "zh"] = "en"
    thinking: bool = False  # the model is still working: cards and text may change in a later update
    done: bool = False
