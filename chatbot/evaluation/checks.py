"""The checks of FORMAT.md's table, decided by a program from one turn's outcome.

Each check yields one `CheckResult`; `where` is one check however many fields it has (every field must
hold for every pick).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from chatbot.evaluation.suite import ResolvedTurn, Where
from chatbot.items import Item

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_BRACKETS = re.compile(r"^(.*?)\s*[(（](.+?)[)）]\s*$")


# checks over item lists: (the outcome field they look at, rule(listed ids, that field's ids))
ITEM_RULES: dict[str, tuple[str, Callable[[list[str], list[str]], bool]]] = {
    "picks_subset_of": ("picks", lambda listed, got: all(g in listed for g in got)),
    "first_pick_in": ("picks", lambda listed, got: bool(got) and got[0] in listed),
    "picks_include_any": ("picks", lambda listed, got: any(g in listed for g in got)),
    "picks_exclude": ("picks", lambda listed, got: not set(listed) & set(got)),
    "liked": ("liked", lambda listed, got: set(listed) == set(got)),
    "liked_include": ("liked", lambda listed, got: set(listed) <= set(got)),
    "disliked_include": ("disliked", lambda listed, got: set(listed) <= set(got)),
    "liked_exclude": ("liked", lambda listed, got: not set(listed) & set(got)),
}
COUNT_RULES = {"n_picks": operator.eq, "min_picks": operator.ge, "max_picks": operator.le}


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
            passed, got = self._decide(check, turn, outcome)
            results.append(CheckResult(check=check, passed=passed, expected=self._expected(turn, check), got=got))
        return results

    def _expected(self, turn: ResolvedTurn, check: str) -> str:
        if check in turn.item_ids:
            return self.label(turn.item_ids[check])
        value = getattr(turn.expect, check)
        if isinstance(value, BaseModel):
            return str(value.model_dump(exclude_none=True))
        return str(value)

    def _decide(self, check: str, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        if check in ITEM_RULES:
            looked_at, rule = ITEM_RULES[check]
            got = getattr(outcome, looked_at)
            return rule(turn.item_ids[check], got), f"{looked_at} {self.label(got)}"
        if check in COUNT_RULES:
            passed = COUNT_RULES[check](len(outcome.picks), getattr(turn.expect, check))
            return passed, f"{len(outcome.picks)} picks {self.label(outcome.picks)}"
        return {"where": self._where, "no_repeat": self._no_repeat, "reply_lang": self._reply_lang,
                "reply_mentions_any": self._mentions, "reply_excludes": self._excludes}[check](turn, outcome)

    def _where(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
        misses = []
        for pick in outcome.picks:
            item = self.items.get(pick)
            failed = where_failures(item, turn.expect.where) if item else ["not in the catalog"]
            if failed:
                misses.append(f"{_item_label(item, pick)} fails {', '.join(failed)}")
        return not misses, "; ".join(misses) or f"picks {self.label(outcome.picks)}"

    def _no_repeat(self, turn: ResolvedTurn, outcome: TurnOutcome) -> tuple[bool, str]:
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
