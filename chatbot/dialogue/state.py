"""Per-session dialogue state: what the user liked, disliked, asked for and was shown.

The state travels in the caller's session object (never a module global) and changes only
through `apply` (one parsed message) and `record_shown` (what the manager displayed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from chatbot.dialogue.message import ParseContext, ParsedMessage
from chatbot.filters import Constraints
from chatbot.items import Item, Lang

MAX_PREFERENCES = 20
MAX_TAGS = 30
MAX_SHOWN = 2000
FeedbackAction = Literal["like", "dislike", "seen", "not_interested"]


def _add(target: list[str], values: list[str], limit: int | None = None) -> None:
    for value in values:
        if value not in target:
            target.append(value)
    if limit is not None and len(target) > limit:
        del target[: len(target) - limit]


def _remove(target: list[str], values: list[str]) -> None:
    drop = set(values)
    target[:] = [v for v in target if v not in drop]


class DialogueState(BaseModel):
    """Everything the dialogue manager remembers about one conversation."""

    liked_ids: list[str] = Field(default_factory=list)
    disliked_ids: list[str] = Field(default_factory=list)
    mentioned_ids: list[str] = Field(default_factory=list)  # named without a stated opinion
    preferences: list[str] = Field(default_factory=list)  # free-text snippets: "grand science fiction"
    preferred_genres: list[str] = Field(default_factory=list)  # soft genre likes (not filters)
    constraints: Constraints = Field(default_factory=Constraints)
    shown_ids: list[str] = Field(default_factory=list)  # every item displayed, all turns
    last_candidates: list[str] = Field(default_factory=list)  # ids in display order, last turn
    focus_id: str | None = None  # the item last talked about on its own ("that one")
    interest_tags: list[str] = Field(default_factory=list)
    seen_ids: list[str] = Field(default_factory=list)  # "I've seen it": never recommended again
    choice_ids: list[str] = Field(default_factory=list)  # the named items of the last "which of A, B, C?"
    soft_tags: list[str] = Field(default_factory=list)  # moods and themes of the current request (ranked first)
    language: Lang = "en"
    turn_count: int = 0
    last_query: str = ""
    card_feedback: dict[str, str] = Field(default_factory=dict)  # item id -> FeedbackAction, from the card buttons

    def reset(self, keep_language: bool = True) -> None:
        """Forget everything (start over); the reply language stays unless told otherwise."""
        language = self.language
        fresh = DialogueState()
        for name in type(self).model_fields:
            setattr(self, name, getattr(fresh, name))
        if keep_language:
            self.language = language

    def parse_context(self) -> ParseContext:
        """What the parser reads from this conversation."""
        return ParseContext(last_ids=tuple(self.last_candidates), focus_id=self.focus_id, language=self.language,
                            constraints=self.constraints, turn_count=self.turn_count,
                            preferred_genres=tuple(self.preferred_genres))

    def new_topic(self) -> None:
        """A fresh request: the earlier filters, wishes and moods no longer apply (likes and history stay)."""
        self.constraints = Constraints()
        self.preferences, self.preferred_genres, self.soft_tags = [], [], []
        self.last_query = ""

    def choice_left(self, items: Mapping[str, Item], wants_new: bool) -> list[str]:
        """After "which of A, B and C?": the named items still in the running (not seen, not rejected),
        those that fit the filters first; empty when there was no such choice or new items are wanted."""
        if not self.choice_ids or wants_new:
            return []
        gone = {*self.seen_ids, *self.disliked_ids}
        left = [i for i in self.choice_ids if i not in gone and i in items]
        return [i for i in left if self.constraints.accepts(items[i])] or left

    def drop_wishes(self, words: list[str]) -> None:
        """Wishes the person no longer holds ("doesn't have to be for hiking"): moods, genres, earlier words."""
        lowered = [w.lower() for w in words]
        self.soft_tags = [t for t in self.soft_tags if t not in lowered]
        self.preferred_genres = [g for g in self.preferred_genres if g not in lowered]
        self.preferences = [p for p in self.preferences if not any(w in p.lower() for w in lowered)]
        self.interest_tags = [t for t in self.interest_tags if not any(w in t for w in lowered)]
        if any(w in self.last_query.lower() for w in lowered):
            self.last_query = ""

    def apply(self, parsed: ParsedMessage) -> None:
        """Fold one parsed message into the state."""
        if parsed.intent == "start_over":
            self.reset()
        elif parsed.new_topic:
            self.new_topic()
        elif parsed.likes_a_new_title():
            self.soft_tags = []  # the moods asked for before were for the earlier request
        self.turn_count += 1
        _add(self.seen_ids, parsed.seen_ids, MAX_SHOWN)
        if parsed.soft_tags:
            self.soft_tags = list(parsed.soft_tags)
        if parsed.dropped:
            self.drop_wishes(parsed.dropped)
        if parsed.language:
            self.language = parsed.language
        _remove(self.disliked_ids, parsed.liked_ids)
        _remove(self.mentioned_ids, parsed.liked_ids)
        _add(self.liked_ids, parsed.liked_ids)
        _remove(self.liked_ids, parsed.disliked_ids)
        _remove(self.mentioned_ids, parsed.disliked_ids)
        _add(self.disliked_ids, parsed.disliked_ids)
        opinion = set(self.liked_ids) | set(self.disliked_ids)
        _add(self.mentioned_ids, [i for i in [*parsed.mentioned_ids, *parsed.compare_ids] if i not in opinion])
        _add(self.preferences, parsed.preferences, MAX_PREFERENCES)
        _add(self.preferred_genres, parsed.preferred_genres)
        _remove(self.preferred_genres, parsed.constraint_update.genres_exclude)
        _add(self.interest_tags, parsed.preferred_genres, MAX_TAGS)
        self.constraints = parsed.constraint_update.apply_to(self.constraints)
        focus = parsed.focus_ids()
        if len(focus) == 1:
            self.focus_id = focus[0]
        if parsed.query:
            self.last_query = parsed.query
        if parsed.catalog_words and parsed.query:
            _add(self.preferences, [parsed.query], MAX_PREFERENCES)  # "想要个吸尘器": the kind stays wanted

    def record_shown(self, ids: list[str]) -> None:
        """What the manager displayed this turn, in display order (a new list ends an earlier choice)."""
        self.choice_ids = []
        self.last_candidates = list(dict.fromkeys(ids))
        _add(self.shown_ids, self.last_candidates, MAX_SHOWN)
        if len(self.last_candidates) == 1:
            self.focus_id = self.last_candidates[0]

    def add_interest_tags(self, tags: list[str]) -> None:
        """Tags written by the LLM (paradigm 2) or the manager."""
        _add(self.interest_tags, [t.strip().lower() for t in tags if t and t.strip()], MAX_TAGS)

    def feedback(self, item_id: str, action: FeedbackAction) -> None:
        """A card button, read as its words would be: 👍 "I loved it" (liked), 👎 "not that one"
        (disliked), "seen it" (known, not to be suggested again) and "not interested" (hidden, no taste)."""
        if action == "like":
            _remove(self.disliked_ids, [item_id])
            _remove(self.mentioned_ids, [item_id])
            _add(self.liked_ids, [item_id])
        elif action == "dislike":
            _remove(self.liked_ids, [item_id])
            _remove(self.mentioned_ids, [item_id])
            _add(self.disliked_ids, [item_id])
        elif action == "seen":
            if item_id not in self.liked_ids and item_id not in self.disliked_ids:
                _add(self.mentioned_ids, [item_id])
        _add(self.shown_ids, [item_id], MAX_SHOWN)  # every action keeps it out of later suggestions
        self.card_feedback[item_id] = action
        self.focus_id = item_id
