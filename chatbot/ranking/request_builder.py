"""The one way a ranking request is made, for the chat and for the offline evaluation alike.

The chat's understanding (dialogue/) and the evaluation's ReDial reader each say what the
conversation holds as `ConversationFacts`; `build_request` turns those into the `RankRequest`
the weights were fitted on. Cues read from the seeker's own words (asking for something new, a
decade, "old classics") are found here, once, in English and Chinese, so a signal the weights
rely on is filled whichever side the request comes from. People named in the seeker's words are
matched against the catalog by the ranker (it holds the catalog's names).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from chatbot.filters import Constraints
from chatbot.ranking.request import RankRequest

RECENT = re.compile(r"\b(new|newer|newest|recent|latest|current|this year|came out|in theaters?|coming out)\b"
                    r"|新片|新上映|最新|近期|最近上映|今年", re.I)
DECADE = re.compile(r"\b(?:19)?([2-9]0)'?s\b|(?:19)?([2-9]0)年代")
OLD = re.compile(r"\b(classic|classics|old|older|oldies)\b|老片|经典老|怀旧", re.I)
RECOMMENDED_MEMORY = 20  # the chat's latest suggestions that count as "already suggested"
OLD_UNTIL = 1995  # "old" / "classic" without a decade: released up to this year


class ConversationFacts(BaseModel):
    """What the conversation says, as the chat's understanding or the evaluation's reader saw it.
    Ids are catalog ids, oldest first."""

    liked: list[str] = Field(default_factory=list)
    disliked: list[str] = Field(default_factory=list)
    mentioned: list[str] = Field(default_factory=list)  # named without a clear opinion
    recommended: list[str] = Field(default_factory=list)  # suggested by the recommender side
    rejected: list[str] = Field(default_factory=list)  # suggested, then turned down by the seeker
    recent: list[str] = Field(default_factory=list)  # named in the latest exchange
    genres: list[str] = Field(default_factory=list)  # canonical genre keys
    people: list[str] = Field(default_factory=list)  # names already resolved (an LLM extraction, a reader)
    year_min: int | None = None  # an era already resolved (constraints, a reader)
    year_max: int | None = None
    wants_recent: bool = False
    query_words: list[str] = Field(default_factory=list)  # recent words for retrieval, oldest first
    seeker_words: list[str] = Field(default_factory=list)  # the seeker's own messages (or snippets), oldest first
    constraints: Constraints = Field(default_factory=Constraints)
    exclude: list[str] = Field(default_factory=list)  # never return these
    utterances: int = 0  # messages so far, both sides


def era_of(texts: Sequence[str]) -> tuple[int | None, int | None]:
    """The era the latest of `texts` that names one asks for: a decade, or "old"/"classic"."""
    year_min = year_max = None
    for text in texts:
        decade = DECADE.search(text)
        if decade:
            start = 1900 + int(decade.group(1) or decade.group(2))
            year_min, year_max = start, start + 9
        elif OLD.search(text):
            year_min, year_max = None, OLD_UNTIL
    return year_min, year_max


def wants_recent(texts: Sequence[str]) -> bool:
    return any(RECENT.search(text) for text in texts)


def build_request(facts: ConversationFacts) -> RankRequest:
    """The ranking request for what the conversation says."""
    seeker = [w for w in facts.seeker_words if w]
    year_min, year_max = facts.year_min, facts.year_max
    if year_min is None and year_max is None:
        year_min, year_max = era_of(seeker)
    liked = list(dict.fromkeys(facts.liked))
    disliked = [i for i in dict.fromkeys(facts.disliked) if i not in liked]
    mentioned = [i for i in dict.fromkeys(facts.mentioned) if i not in liked and i not in disliked]
    return RankRequest(
        query_text=" ".join(w for w in facts.query_words if w),
        seeker_text=" ".join(seeker)[-1000:],
        liked_ids=liked, disliked_ids=disliked, mentioned_ids=mentioned,
        recommended_ids=list(dict.fromkeys(facts.recommended)),
        rejected_ids=[i for i in dict.fromkeys(facts.rejected) if i not in liked],
        recent_ids=list(dict.fromkeys(facts.recent)),
        genres=list(dict.fromkeys(facts.genres)),
        people=list(dict.fromkeys(facts.people)),
        year_min=year_min, year_max=year_max,
        wants_recent=facts.wants_recent or wants_recent(seeker),
        constraints=facts.constraints,
        exclude_ids=list(dict.fromkeys(facts.exclude)),
        utterances=facts.utterances,
    )
