"""Reading a ReDial-style dialogue context into a RankRequest: which movies the seeker liked,
disliked or merely named, which the recommender already suggested, and the genres, people and
era asked for. Titles are matched exactly (ReDial writes them verbatim as the catalog's
`source_name`, e.g. "The Shining (1980)"), which keeps it fast and free of false matches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from chatbot.genres import genre_names
from chatbot.items import Item
from chatbot.ranking.request import RankRequest

MAX_TITLE_WORDS = 16
_NEGATIVE = re.compile(
    r"\b(didn'?t (really )?(like|enjoy|care for|love)|did not (like|enjoy)|not (a|really a|much of a) fan|"
    r"hate[ds]?|hating|dislike[ds]?|boring|awful|terrible|worst|not into|wasn'?t (good|great|a fan)|"
    r"don'?t (really )?like|can'?t stand|too (scary|slow|long|violent)|overrated|not (my|for me))\b", re.I)
_UNSEEN = re.compile(r"\b(haven'?t seen|have not seen|never seen|not seen|haven'?t watched|never watched)\b", re.I)
_RECENT = re.compile(r"\b(new|newer|newest|recent|latest|current|this year|came out|in theaters?|coming out)\b", re.I)
_DECADE = re.compile(r"\b(?:19)?([2-9]0)'?s\b")
_OLD = re.compile(r"\b(classic|classics|old|older|oldies)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


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
    """Turns a list of utterances (oldest first, the last one the seeker's) into a RankRequest."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.name_to_id: dict[str, str] = {}
        for item in items:
            for name in {str(item.attributes.get("source_name") or ""), _title_with_year(item)}:
                if name and _safe_title(name):
                    self.name_to_id.setdefault(name, item.id)
        self._genres = {name: key for name, key in genre_names().items() if name.isascii()}
        self._genre_re = re.compile(r"\b(" + "|".join(sorted((re.escape(n) for n in self._genres), key=len,
                                                                reverse=True)) + r")\b", re.I)
        people: dict[str, str] = {}
        for item in items:
            for names in item.people.values():
                for person in names:
                    if len(person.split()) >= 2:
                        people.setdefault(person.lower(), person)
        self._people = people

    def read(self, context: Sequence[str]) -> RankRequest:
        liked: list[str] = []
        disliked: list[str] = []
        mentioned: list[str] = []
        recommended: list[str] = []
        genres: list[str] = []
        people: list[str] = []
        year_min = year_max = None
        wants_recent = False
        last = len(context) - 1
        for pos, utterance in enumerate(context):
            if not utterance:
                continue
            seeker = (last - pos) % 2 == 0
            if not seeker:
                for item_id in find_titles(utterance, self.name_to_id):
                    _add(recommended, item_id)
                continue
            for sentence in _SENTENCE.split(utterance):
                ids = find_titles(sentence, self.name_to_id)
                if not ids:
                    continue
                target = disliked if _NEGATIVE.search(sentence) else mentioned if _UNSEEN.search(sentence) else liked
                for item_id in ids:
                    _add(target, item_id)
            for match in self._genre_re.finditer(utterance):
                _add(genres, self._genres[match.group(1).lower()])
            people.extend(p for p in self._find_people(utterance) if p not in people)
            decade = _DECADE.search(utterance)
            if decade:
                start = 1900 + int(decade.group(1))
                year_min, year_max = start, start + 9
            elif _OLD.search(utterance):
                year_min, year_max = None, 1995
            if _RECENT.search(utterance):
                wants_recent = True
        recent: list[str] = []
        for utterance in context[-2:]:
            for item_id in find_titles(utterance or "", self.name_to_id):
                _add(recent, item_id)
        seeker_text = " ".join(context[pos] for pos in range(len(context)) if (last - pos) % 2 == 0)
        query = " ".join(u for u in context[-2:] if u) or seeker_text[-500:]
        return RankRequest(query_text=query, liked_ids=liked, disliked_ids=[i for i in disliked if i not in liked],
                           mentioned_ids=[i for i in mentioned if i not in liked and i not in disliked],
                           recommended_ids=recommended, recent_ids=recent, genres=genres, people=people, year_min=year_min,
                           year_max=year_max, wants_recent=wants_recent, utterances=len(context))

    def _find_people(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        found: list[str] = []
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                person = self._people.get(" ".join(words[i:i + n]))
                if person and person not in found:
                    found.append(person)
        return found


def _title_with_year(item: Item) -> str:
    return f"{item.title} ({item.year})" if item.year else item.title


def _safe_title(name: str) -> bool:
    """Names without a year must be long enough not to match ordinary words ("It", "Up")."""
    return bool(re.search(r"\(\d{4}\)$", name)) or (len(name) >= 8 and " " in name)


def _add(bucket: list[str], item_id: str) -> None:
    if item_id not in bucket:
        bucket.append(item_id)
