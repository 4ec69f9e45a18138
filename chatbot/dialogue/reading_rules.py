"""Small rules of reading a request: tag phrases that must hold together, a genre's name used as a verb or a
place, an era allowed rather than asked for, and old filters that give way to a new request they clash with."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import OSA

from chatbot.dialogue.catalog_terms import CatalogTerms
from chatbot.dialogue.common_words import COMMON_WORDS, STOPWORDS
from chatbot.dialogue.cues import TOLERATED_AFTER, TOLERATED_BEFORE
from chatbot.dialogue.message import ConstraintField, ConstraintUpdate
from chatbot.filters import Constraints
from chatbot.items import Item

_I = re.IGNORECASE
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CLEARABLE: tuple[ConstraintField, ...] = ("countries", "people", "people_all", "kinds", "languages", "year_min", "year_max",
                                          "genres_include", "tags_any", "tags_and")


def combine_tag_groups(groups: list[list[str]], terms: CatalogTerms) -> tuple[list[str], list[str]]:
    """Several tag phrases in one message: the tags two phrases share ("commuting headphones" -> noise
    cancelling); else both required when items carry both ("noise cancelling" + "headphones"); else either."""
    hard: list[str] = []
    narrow: list[str] = []
    for group in groups:
        if not hard:
            hard = list(group)
        elif shared := [t for t in hard if t in group]:
            hard = shared
        elif narrow and (kept := [t for t in narrow if t in group]):
            narrow = kept
        elif not narrow and terms.items_tagged(hard) & terms.items_tagged(group):
            narrow = list(group)
        else:
            hard += [t for t in group if t not in hard]
    return hard, narrow


# "book me a flight", "book a table": a genre's name used as a verb; "work from home", "at home": a place
_VERB_AFTER = re.compile(r"\s+(?:me|us|him|her|them|a|an|my|our|your)\b", _I)
_PLACE_BEFORE = re.compile(r"\b(?:from|at)\s+(?:my\s+|our\s+)?$", _I)


def asked(cue: re.Pattern[str], text: str) -> bool:
    """`cue` is in `text` as a wish, not as something merely allowed ("老片子也没关系", "I don't mind old films")."""
    return any(not TOLERATED_AFTER.search(text[m.end():]) and not TOLERATED_BEFORE.search(text[:m.start()])
               for m in cue.finditer(text))


def not_a_genre_word(text: str, m: re.Match[str]) -> bool:
    word = m.group()
    if _CJK.search(word):
        return False
    if word.lower() == "action" and re.search(r"\blive[-\s]?$", text[max(0, m.start() - 6): m.start()], _I):
        return True  # "live-action": filmed with actors, not the action genre
    return bool(_VERB_AFTER.match(text, m.end()) and not word.lower().endswith("s")) or bool(
        _PLACE_BEFORE.search(text[max(0, m.start() - 12): m.start()]))


def fix_word_typos(text: str, vocabulary: frozenset[str]) -> str:
    """Long words one dropped, extra or swapped letter (after the first) from a one-word vocabulary entry, spelt
    as that entry: "waterprof" -> "waterproof". Ordinary words are left alone."""
    words = [w for w in vocabulary if w.isalpha() and len(w) >= 6]

    def fix(m: re.Match[str]) -> str:
        word = m.group().lower()
        if word in vocabulary or word.rstrip("s") in vocabulary or word in STOPWORDS or word in COMMON_WORDS:
            return m.group()
        close = [w for w in words if w[0] == word[0] and OSA.distance(word, w) <= 1
                 and (len(w) != len(word) or sorted(w) == sorted(word))]
        return close[0] if len(close) == 1 else m.group()

    return re.sub(r"(?<![\w-])[A-Za-z]{6,}(?![\w-])", fix, text)


def clashing_fields(update: ConstraintUpdate, current: Constraints, items: Sequence[Item]) -> list[ConstraintField]:
    """The old filters to drop when a person or a country named now fits no item together with them but does alone."""
    if not (update.people or update.countries):
        return []
    if any(update.apply_to(current).accepts(i) for i in items) or not any(update.apply_to(Constraints()).accepts(i) for i in items):
        return []
    return [name for name in _CLEARABLE if getattr(current, name) and not getattr(update, name, None)
            and name not in update.clear]
