"""The checks of FORMAT.md's table, decided by a program from one turn's outcome.

Each check yields one `CheckResult`; `where` is one check however many fields it has (every field must
hold for every pick).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from chatbot.evaluation.suite import ResolvedTurn, Where
from chatbot.items import Item

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_BRACKETS = re.compile(r"^(.*?)\s*[(（](.+?)[)）]\s*$")


class TurnOutcome(BaseModel):
    """What a person saw after one turn, and what the bot believes about them."""

    picks: list[str] = Field(default_factory=list)  # ids of the final update's cards, in order
    reply: str = ""
    liked: list[str] = Field(default_factory=list)
    disliked: list[str] = Field(default_factory=list)
    earlier_picks: list[str] = Field(default_factory=list)  # picks of the earlier turns of the conversation
    error: str = ""  # the turn raised: every check of it fails


class CheckResult(BaseModel):
    check: str
    passed: bool
    expected: str
    got: str


def reply_language(text: str) -> str:
    """'zh' when most letters are CJK, else 'en'. A Latin word counts as one letter, as a CJK character is
    about a word: brand names and English titles inside a Chinese reply do not make it English."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN_WORD.findall(text))
    return "zh" if cjk > latin else "en"


def name_forms(name: str) -> set[str]:
    """A person's name as a whole and each part outside and inside brackets: 'Wong Kar-wai (王家卫)' ->
    {'wong kar-wai (王家卫)', 'wong kar-wai', '王家卫'}."""
    whole = " ".join(name.casefold().split())
    forms = {whole}
    split = _BRACKETS.match(whole)
    if split:
        forms |= {split.group(1).strip(), split.group(2).strip()}
    return {f for f in forms if f}


def _lower(values: list[str] | None) -> set[str]:
    return {v.strip().casefold() for v in values or []}


def where_failures(item: Item, where: Where) -> list[str]:
    """The fields of `where` that `item` does not satisfy (empty when it satisfies all)."""
    failed = []
    genres, tags = _lower(item.genres), _lower(item.tags)
    if where.genres_any is not None and not genres & _lower(where.genres_any):
        failed.append("genres_any")
    if where.genres_none is not None and genres & _lower(where.genres_none):
        failed.append("genres_none")
    country = str(item.attributes.get("country", "")).casefold()
    if where.country_in is not None and country not in _lower(where.country_in):
        failed.append("country_in")
    if where.language_in is not None and (item.language or "").casefold() not in _lower(where.language_in):
        failed.append("language_in")
    if where.kind_in is not None and item.kind not in _lower(where.kind_in):
        failed.append("kind_in")
    if where.year_min is not None and (item.year is None or item.year < where.year_min):
        failed.append("year_min")
    if where.year_max is not None and (item.year is None or item.year > where.year_max):
        failed.append("year_max")
    if where.price_min is not None and (item.price is None or item.price < where.price_min):
        failed.append("price_min")
    if where.price_max is not None and (item.price is None or item.price > where.price_max):
        failed.append("price_max")
    if where.people_any is not None:
        wanted = set().union(*(name_forms(n) for n in where.people_any)) if where.people_any else set()
        names = set().union(*(name_forms(n) for names in item.people.values() for n in names))
        if not wanted & names:
            failed.append("people_any")
    if where.tags_any is not None and not tags & _lower(where.tags_any):
        failed.append("tags_any")
    return failed


def _item_label(item: Item | None, item_id: str) -> str:
    if item is None:
        return item_id
    year = f" ({item.year})" if item.year else ""
    zh = f" / {item.title_zh}" if item.title_zh and item.title_zh != item.title else ""
    return f"{item.title}{zh}{year}"


class TurnJudge:
    """Decides the checks of one turn against the catalog's items."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items
        self._decide = self._deciders()

    def label(self, ids: list[str]) -> str:
        return "[" + ", ".join(_item_label(self.items.get(i), i) for i in ids) + "]"

    def judge(self, turn: ResolvedTurn, outcome: TurnOutcome) -> list[CheckResult]:
        if turn.expect is None:
            return []
        results = []
        for check in turn.expect.given():
            if outcome.error:
                results.append(CheckResult(check=check, passed=False, expected=self._expected(turn, check),
                                           got=f"the turn failed: {outcome.error}"))
                continue
            passed, got = self._decide[check](turn, outcome)
            results.append(CheckResult(check=check, passed=passed, expected=self._expected(turn, check), got=got))
        return results

    def _expected(self, turn: ResolvedTurn, check: str) -> str:
        if check in turn.item_ids:
            return self.label(turn.item_ids[check])
        value = getattr(turn.expect, check)
        if isinstance(value, BaseModel):
            return str(value.model_dump(exclude_none=True))
        return str(value)

    def _deciders(self) -> dict[str, Callable[[ResolvedTurn, TurnOutcome], tuple[bool, str]]]:
        return {
            "picks_subset_of": lambda t, o: self._picks(o, all(p in t.item_ids["picks_subset_of"] for p in o.picks)),
            "first_pick_in": lambda t, o: self._picks(o, bool(o.picks) and o.picks[0] in t.item_ids["first_pick_in"]),
            "picks_include_any": lambda t, o: self._picks(o, any(p in t.item_ids["picks_include_any"] for p in o.picks)),
            "picks_exclude": lambda t, o: self._picks(o, not any(p in t.item_ids["picks_exclude"] for p in o.picks)),
            "n_picks": lambda t, o: (len(o.picks) == t.expect.n_picks, f"{len(o.picks)} picks {self.label(o.picks)}"),
            "min_picks": lambda t, o: (len(o.picks) >= t.expect.min_picks, f"{len(o.picks)} picks {self.label(o.picks)}"),
            "max_picks": lambda t, o: (len(o.picks) <= t.expect.max_picks, f"{len(o.picks)} picks {self.label(o.picks)}"),
            "where": self._where,
            "no_repeat": self._no_repeat,
            "reply_lang": self._reply_lang,
            "reply_mentions_any": self._mentions,
            "reply_excludes": self._excludes,
            "liked": lambda t, o: self._state(o.liked, set(o.liked) == set(t.item_ids["liked"]), "liked"),
            "liked_include": lambda t, o: self._state(o.liked, set(t.item_ids["liked_include"]) <= set(o.liked), "liked"),
            "disliked_include": lambda t, o: self._state(o.disliked, set(t.item_ids["disliked_include"]) <= set(o.disliked),
                                                         "disliked"),
            "liked_exclude": lambda t, o: self._state(o.liked, not set(t.item_ids["liked_exclude"]) & set(o.liked), "liked"),
        }

    def _picks(self, outcome: TurnOutcome, passed: bool) -> tuple[bool, str]:
        return passed, f"picks {self.label(outcome.picks)}"

    def _state(self, ids: list[str], passed: bool, what: str) -> tuple[bool, str]:
        return passed, f"{what} {self.label(ids)}"

    def _where(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        misses = []
        for pick in outcome.picks:
            item = self.items.get(pick)
            failed = where_failures(item, turn.expect.where) if item else ["not in the catalog"]
            if failed:
                misses.append(f"{_item_label(item, pick)} fails {', '.join(failed)}")
        return not misses, "; ".join(misses) or f"picks {self.label(outcome.picks)}"

    def _no_repeat(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        if not turn.expect.no_repeat:
            return True, "not asked"
        again = [p for p in outcome.picks if p in outcome.earlier_picks]
        return not again, f"shown again {self.label(again)}" if again else f"picks {self.label(outcome.picks)}"

    def _reply_lang(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        lang = reply_language(outcome.reply)
        return lang == turn.expect.reply_lang, f"{lang}: {_excerpt(outcome.reply)}"

    def _mentions(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        reply = outcome.reply.casefold()
        passed = any(text.casefold() in reply for texts in turn.mentions for text in texts)
        return passed, _excerpt(outcome.reply)

    def _excludes(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        reply = outcome.reply.casefold()
        found = [s for s in turn.expect.reply_excludes or [] if s.casefold() in reply]
        return not found, f"contains {found}: {_excerpt(outcome.reply)}" if found else _excerpt(outcome.reply)


def _excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
