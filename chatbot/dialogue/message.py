"""What one message says, as types: the parsed message and the filter changes it asks for.

`DialogueState` folds these in; the parser produces them; nothing here parses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from chatbot.filters import Constraints
from chatbot.items import Lang

Intent = Literal["recommend", "refine", "ask_about", "compare", "more_like", "start_over", "small_talk",
                 "question", "missing", "unknown"]
ConstraintField = Literal["kinds", "genres_include", "genres_exclude", "year_min", "year_max", "price_min",
                          "price_max", "languages", "countries", "people", "people_all", "people_exclude", "tags_any", "tags_and",
                          "tags_exclude"]
Role = Literal["liked", "disliked", "mentioned", "compare", "ask", "more_like", "seen"]
Fact = Literal["price", "weight", "battery", "year", "runtime", "people", "colour", "feature", "size", "attribute",
               "children"]
Direction = Literal["min", "max", "which"]


@dataclass(frozen=True)
class ParseContext:
    """What the parser needs from the conversation: what was shown, what is in focus, the filters so far."""

    last_ids: tuple[str, ...] = ()  # the last list, in display order
    focus_id: str | None = None  # the item last talked about on its own ("that one")
    language: Lang = "en"  # the language so far (a message with no words keeps it)
    constraints: Constraints = field(default_factory=Constraints)
    turn_count: int = 0
    preferred_genres: tuple[str, ...] = ()  # genres asked for softly ("爱看战争片")


class FactQuestion(BaseModel):
    """A question about items already shown: 'which is cheaper', 'who directed it', 'does it come in black'."""

    fact: Fact
    direction: Direction = "which"  # min: cheapest/lightest/oldest/shortest; max: the opposite; which: tell each
    value: str = ""  # colour/feature: the word asked about ("black", "降噪"); attribute: its key ("ram_gb")
    kinds: list[str] = Field(default_factory=list)  # tags the question names ("最便宜的笔记本": laptop)


class ConstraintUpdate(BaseModel):
    """Changes to the session's hard filters. None / empty means 'leave as is'."""

    kinds: list[str] | None = None
    languages: list[str] | None = None
    genres_include: list[str] = Field(default_factory=list)  # added
    genres_exclude: list[str] = Field(default_factory=list)  # added
    year_min: int | None = None
    year_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    countries: list[str] | None = None  # replaces
    people: list[str] | None = None  # replaces
    people_exclude: list[str] = Field(default_factory=list)  # added
    people_all: list[str] | None = None  # replaces
    tags_any: list[str] | None = None  # replaces
    tags_and: list[str] | None = None  # replaces: a second tag requirement narrowing the first
    tags_exclude: list[str] = Field(default_factory=list)  # added
    genres_drop: list[str] = Field(default_factory=list)  # "doesn't have to be for hiking": no longer required
    clear: list[ConstraintField] = Field(default_factory=list)  # cleared before the rest is applied

    def is_empty(self) -> bool:
        return self == ConstraintUpdate()

    def apply_to(self, current: Constraints) -> Constraints:
        """The constraints after this update; always consistent (min <= max, no genre both ways)."""
        data = current.model_dump()
        fresh = Constraints().model_dump()
        for name in self.clear:
            data[name] = fresh[name]
        if self.kinds is not None:
            data["kinds"] = list(self.kinds)
        if self.tags_any is not None and self.tags_and is None:
            data["tags_and"] = []  # a new tag topic ends the narrowing of the old one
        for name in ("languages", "countries", "people", "people_all", "tags_any", "tags_and"):
            if getattr(self, name) is not None:
                data[name] = list(getattr(self, name))
        data["tags_exclude"] += [t for t in self.tags_exclude if t not in data["tags_exclude"]]
        data["people_exclude"] += [p for p in self.people_exclude if p not in data["people_exclude"]]
        data["people"] = [p for p in data["people"] if p not in data["people_exclude"]]
        data["tags_any"] = [t for t in data["tags_any"] if t not in data["tags_exclude"]]
        data["genres_include"] = [g for g in data["genres_include"] if g not in self.genres_drop]
        for genre in self.genres_include:
            data["genres_exclude"] = [g for g in data["genres_exclude"] if g != genre]
            if genre not in data["genres_include"]:
                data["genres_include"].append(genre)
        for genre in self.genres_exclude:
            data["genres_include"] = [g for g in data["genres_include"] if g != genre]
            if genre not in data["genres_exclude"]:
                data["genres_exclude"].append(genre)
        for low, high in (("year_min", "year_max"), ("price_min", "price_max")):
            new_low, new_high = getattr(self, low), getattr(self, high)
            if new_low is not None:
                data[low] = new_low
            if new_high is not None:
                data[high] = new_high
            if data[low] is not None and data[high] is not None and data[low] > data[high]:
                if new_low is not None and new_high is not None:
                    data[low], data[high] = data[high], data[low]
                elif new_low is not None:
                    data[high] = None  # the newer statement wins
                else:
                    data[low] = None
        for name in ("price_min", "price_max"):
            if data[name] is not None and data[name] < 0:
                data[name] = 0.0
        return Constraints(**data)


class ParsedMessage(BaseModel):
    """What one message says, resolved against the catalog and the session's last list."""

    intent: Intent = "unknown"
    language: Lang = "en"
    liked_ids: list[str] = Field(default_factory=list)
    disliked_ids: list[str] = Field(default_factory=list)
    mentioned_ids: list[str] = Field(default_factory=list)  # named without an opinion
    compare_ids: list[str] = Field(default_factory=list)  # candidates to choose between, in order
    target_ids: list[str] = Field(default_factory=list)  # what ask_about / more_like is about
    referenced_ids: list[str] = Field(default_factory=list)  # resolved "the second one" etc.
    seen_ids: list[str] = Field(default_factory=list)  # "I've seen the second one": never show again
    not_found: list[str] = Field(default_factory=list)  # quoted names that are not in the catalog
    constraint_update: ConstraintUpdate = Field(default_factory=ConstraintUpdate)
    preferences: list[str] = Field(default_factory=list)  # "grand science fiction"
    preferred_genres: list[str] = Field(default_factory=list)  # soft genre likes
    wants_explanation: bool = False  # "why?", "为什么"
    wants_more: bool = False  # "something else", "换一批"
    wants_acclaimed: bool = False  # "要评分高的", "top rated": the best-loved of what fits first
    small_talk: Literal["greeting", "thanks", "bye", "other"] | None = None
    query: str = ""  # free text left for retrieval
    soft_tags: list[str] = Field(default_factory=list)  # moods and themes asked for: ranked first, not required
    question: FactQuestion | None = None  # a question about shown items, answered from the catalog's facts
    beyond: FactQuestion | None = None  # "anything lighter?": items past the shown ones on a measured fact
    missing: str = ""  # "Do you have AirPods?": a named thing the catalog does not hold
    wants_one: bool = False  # "recommend one", "which one", "推荐一部": one pick and a runner-up
    just_one: bool = False  # "just one movie for tonight", "只要一部": a list of one
    replace_one: bool = False  # "another one please", "换一部": one new item instead of a new list
    dropped: list[str] = Field(default_factory=list)  # "doesn't have to be for hiking": wishes no longer held
    new_topic: bool = False  # a fresh request: earlier filters no longer apply
    off_topic: bool = False  # nothing the catalog can help with ("what's the weather?")
    beyond_list: bool = False  # "the third one" when fewer were shown
    catalog_words: bool = False  # the free text names a kind of thing the catalog's titles hold ("电饭煲有吗")

    def likes_a_new_title(self) -> bool:
        """"Anything like <a title named in this message>?": that title, not the earlier talk, says what is wanted."""
        return self.intent == "more_like" and any(t in self.liked_ids and t not in self.referenced_ids
                                                  for t in self.target_ids)

    def focus_ids(self) -> list[str]:
        """The items this message is about, for 'that one' in the next turn."""
        return self.target_ids or self.compare_ids or self.referenced_ids or (
            self.liked_ids + self.disliked_ids + self.mentioned_ids)


