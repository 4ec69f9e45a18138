"""What one chat turn hands to the UI: streamed text, item cards, and the "How it decided" trace."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chatbot.items import Lang


class ItemCard(BaseModel):
    """One recommended item as the UI shows it. All text is plain text: the UI escapes it."""

    item_id: str
    title: str
    subtitle: str = ""  # year and kind, or price
    tags: list[str] = Field(default_factory=list)
    selling_points: list[str] = Field(default_factory=list)
    why: str = ""  # why it fits this user
    image_url: str = ""  # the catalog's picture (http/https, validated on load); the browser fetches it


class Contribution(BaseModel):
    """One plain-words reason in a candidate's score: the ranker's weight x signal, summed by kind."""

    kind: str  # see chatbot.dialogue.explain_trace.KIND_OF: "liked_similar", "collaborative", "genre", ...
    value: float  # its share of the score (negative: it counted against the item)
    anchor_titles: dict[str, str] = Field(default_factory=dict)  # lang -> title of the liked item it refers to
    genre: str = ""  # the genre key it matched, for kind "genre"


class CandidateTrace(BaseModel):
    item_id: str
    title: str
    score: float
    signals: dict[str, float] = Field(default_factory=dict)
    contributions: list[Contribution] = Field(default_factory=list)  # biggest first, for the decision chart


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
    # for the stakeholder view (chatbot/dialogue/explain_trace.py)
    constraints: dict = Field(default_factory=dict)  # chatbot.filters.Constraints as data, to put in words
    catalog_size: int = 0
    whole_catalog: bool = True  # every item scored (small catalog) or candidates from several searches
    feedback: dict[str, str] = Field(default_factory=dict)  # title -> "like" | "dislike" | "seen" | "not_interested"


class TurnUpdate(BaseModel):
    """Yielded while a turn runs: `text` is the reply so far; the last update has done=True."""

    text: str
    cards: list[ItemCard] = Field(default_factory=list)
    trace: DecisionTrace | None = None
    lang: Lang = "en"
    thinking: bool = False  # the model is still working: cards and text may change in a later update
    done: bool = False
