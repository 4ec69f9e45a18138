"""Reading a ReDial-style dialogue context into a RankRequest: which movies the seeker liked,
disliked or merely named, which the recommender already suggested, and the genres, people and
era asked for (through the builder the chat uses too). Titles are matched exactly (ReDial writes them verbatim as the catalog's
`source_name`, e.g. "The Shining (1980)"), which keeps it fast and free of false matches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from chatbot.genres import genre_names
from chatbot.items import Item
from chatbot.ranking.request import RankRequest
from chatbot.ranking.request_builder import ConversationFacts, build_request

MAX_TITLE_WORDS = 16
_NEGATIVE = re.compile(
    r"\b(didn'?t (really )?(like|enjoy|care for|love)|did not (like|enjoy)|not (a|really a|much of a) fan|"
    r"hate[ds]?|hating|dislike[ds]?|boring|awful|terrible|worst|not into|wasn'?t (good|great|a fan)|"
    r"don'?t (really )?like|can'?t stand|too (scary|slow|long|violent)|overrated|not (my|for me))\b", re.I)
_UNSEEN = re.compile(r"\b(haven'?t seen|have not seen|never seen|not seen|haven'?t watched|never watched)\b", re.I)
_TURNED_DOWN = re.compile(r"\b(no|nope|not really|not interested|seen (it|that)|already seen|saw (it|that))\b|"
                          + _NEGATIVE.pattern, re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def find_titles(text: str, name_to_id: dict[str, str]) -> list[str]:
    """Catalog ids whose exact name occurs in `text`, in order (longest match at each word)."""
    return list(_find_titles_cached(text, _Names(name_to_id)))


class _Names:
    """Hashable wrapper so the per-text match cache can key on the name table."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def __hash__(self) -> int:
        return id(self.table)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Names) and other.table is self.table


@lru_cache(maxsize=200_000)
def _find_titles_cached(text: str, names: _Names) -> tuple[str, ...]:
    table = names.table
    tokens = text.split()
    found: list[str] = []
    i = 0
    while i < len(tokens):
        hit = 0
        for n in range(min(MAX_TITLE_WORDS, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + n])
            item_id = table.get(phrase)
            if item_id is None:
                item_id = table.get(phrase.rstrip(".,!?;:\"'…"))
            if item_id is not None:
                found.append(item_id)
                hit = n
                break
        i += hit or 1
    return tuple(found)


class DialogReader:
    """Turns a list of utterances (oldest first, the last one the seeker's) into what the conversation
    says (`facts`) and from that the RankRequest (`read`), through the builder the chat uses too."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.name_to_id: dict[str, str] = {}
        for item in items:
            for name in {item.source_keys.get("source_name", ""), _title_with_year(item)}:
                if name and _safe_title(name):
                    self.name_to_id.setdefault(name, item.id)
        self._genres = {name: key for name, key in genre_names().items() if name.isascii()}
        self._genre_re = re.compile(r"\b(" + "|".join(sorted((re.escape(n) for n in self._genres), key=len,
                                                                reverse=True)) + r")\b", re.I)

    def read(self, context: Sequence[str]) -> RankRequest:
        return build_request(self.facts(context))

    def facts(self, context: Sequence[str]) -> ConversationFacts:
        facts = ConversationFacts(utterances=len(context))
        last = len(context) - 1
        for pos, utterance in enumerate(context):
            if not utterance:
                continue
            if (last - pos) % 2:  # the recommender's
                named = find_titles(utterance, self.name_to_id)
                facts.recommended.extend(named)
                answer = context[pos + 1] if pos + 1 <= last else ""
                if answer and _TURNED_DOWN.search(answer):
                    facts.rejected.extend(named)
                continue
            facts.seeker_words.append(utterance)
            for sentence in _SENTENCE.split(utterance):
                ids = find_titles(sentence, self.name_to_id)
                if ids:
                    target = (facts.disliked if _NEGATIVE.search(sentence)
                              else facts.mentioned if _UNSEEN.search(sentence) else facts.liked)
                    target.extend(ids)
            facts.genres.extend(self._genres[m.group(1).lower()] for m in self._genre_re.finditer(utterance))
        for utterance in context[-2:]:
            facts.recent.extend(find_titles(utterance or "", self.name_to_id))
        query = " ".join(u for u in context[-2:] if u) or " ".join(facts.seeker_words)[-500:]
        facts.query_words = [query]
        return facts


def _title_with_year(item: Item) -> str:
    return f"{item.title} ({item.year})" if item.year else item.title


def _safe_title(name: str) -> bool:
    """Names without a year must be long enough not to match ordinary words ("It", "Up")."""
    return bool(re.search(r"\(\d{4}\)$", name)) or (len(name) >= 8 and " " in name)
