"""What the ranker is asked: the user's state as the dialogue manager (or the eval reader) sees it.
Built by `request_builder.build_request` on both sides."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chatbot.filters import Constraints


class RankRequest(BaseModel):
    """One ranking request. Ids are catalog item ids; lists are oldest first (the last is the most recent)."""

    query_text: str = ""  # the recent words of the conversation (free text, any language)
    seeker_text: str = ""  # the user's own words (embedded on their own; people named in them are matched)
    liked_ids: list[str] = Field(default_factory=list)  # items the user said they liked
    disliked_ids: list[str] = Field(default_factory=list)  # items the user said they did not like
    mentioned_ids: list[str] = Field(default_factory=list)  # named by the user, no clear opinion
    recommended_ids: list[str] = Field(default_factory=list)  # already suggested by the recommender side
    rejected_ids: list[str] = Field(default_factory=list)  # suggested, then turned down by the user
    recent_ids: list[str] = Field(default_factory=list)  # named in the latest exchange (any of the above)
    genres: list[str] = Field(default_factory=list)  # canonical genre keys asked for
    people: list[str] = Field(default_factory=list)  # director/actor/brand names asked for
    year_min: int | None = None  # era asked for ("80s" -> 1980..1989)
    year_max: int | None = None
    wants_recent: bool = False  # "something new", "latest"
    constraints: Constraints = Field(default_factory=Constraints)  # hard filters
    exclude_ids: list[str] = Field(default_factory=list)  # never return these (shown, disliked)
    utterances: int = 0  # messages in the conversation so far, both sides, this one included
