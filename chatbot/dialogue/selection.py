"""Small, pure adjustments of the ranker's list that belong to the conversation, not to the ranker."""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.ranking.candidate import Candidate


def soft_tag_first(candidates: Sequence[Candidate], tags: Sequence[str]) -> list[Candidate]:
    """Items carrying more of the moods/themes asked for come first; the ranker's order breaks ties."""
    wanted = set(tags)
    if not wanted:
        return list(candidates)
    return sorted(candidates, key=lambda c: -len(wanted & set(c.item.tags)))
