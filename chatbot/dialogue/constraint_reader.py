"""Reading filter changes out of a message: years, prices, genres, moods, countries, people, tags,
languages and kinds. A mix-in of the parser: it works on the parser's masked copy of the text, so text
one step consumed (a title, a number) is never read again by a later step."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

from chatbot.dialogue.catalog_terms import HEAVY_WORDS, LIGHT_WORDS, SAD_WORDS
from chatbot.dialogue.common_words import COMMON_WORDS, STOPWORDS
from chatbot.dialogue.cues import (GOOD_FILM, LIVE_ACTION, FEATURE_AFTER, FEATURE_BEFORE, CHINESE_REGIONS, FOREIGN, OTHER_PEOPLE, ZH_NUMERAL_AND_REST, ZH_NUMERAL_BEFORE_UNIT, AROUND_PRICE, CHEAPER, CLASSIC_ERA, CLASSIC_ERA_END, CLAUSE_BREAK, CLEAR, CURRENCY_MARK, DECADE_WORDS, LANGUAGES,
                                   LIKE, MOVIE_WORDS, MOVIES_ONLY, NEGATION_BEFORE, NEWER, NOT_REQUIRED, NOT_THIS_KIND, OLDER,
                                   PRICE_PATTERNS, PRICIER, PRODUCTS, TOO_EXPENSIVE, RECENT, REPLY_IN, REQUEST, SERIES, YEAR_PATTERNS,
                                   ZH_DECADES)
from chatbot.dialogue.message import ConstraintUpdate, ParsedMessage
from chatbot.dialogue.reading_rules import fix_word_typos, clashing_fields, combine_tag_groups as _combine, not_a_genre_word as _not_a_genre_word, asked as _asked
from chatbot.dialogue.numbers import count as _count, decade_start as _decade_start, middle as _middle, numbers as _numbers
from chatbot.dialogue.titles import TitleMatcher
from chatbot.filters import Constraints
from chatbot.genres import genre_names
from chatbot.items import Item

MASK = "\u2062"  # stands in for consumed text (titles, references, numbers) so later passes skip it
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_I = re.IGNORECASE


class ConstraintReader:
    """The filter-reading steps; the parser supplies the attributes below."""

    text: str
    masked: list[str]
    titles: TitleMatcher
    shown: list[Item]
    current: Constraints
    year_now: int
    out: ParsedMessage
    update: ConstraintUpdate

    def _mask(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.masked[k] = MASK

    def _masked_text(self) -> str:
        return "".join(self.masked)

    def _consume(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """All matches of `pattern` in the masked text that touch no masked character; masks them."""
        text = self._masked_text()
        found = [m for m in pattern.finditer(text) if MASK not in m.group()]
        for m in found:
            self._mask(m.start(), m.end())
        return found


    def _years(self) -> None:
        for kind, pattern in YEAR_PATTERNS:
            for m in self._consume(pattern):
                numbers = [g for g in m.groups() if g]
                if kind == "range":
                    low, high = sorted(int(n) for n in numbers[:2])
                    self.update.year_min, self.update.year_max = low, high
                elif kind == "last_n":
                    self.update.year_min = self.year_now - _count(numbers[0])
                elif kind == "decade_pair":
                    low, high = sorted(_decade_start(n) for n in numbers[:2])
                    self.update.year_min, self.update.year_max = low, high + 9
                elif kind.startswith("decade"):
                    start = self._decade(m, kind)
                    if start is None:
                        continue
                    if kind == "decade_after":
                        self.update.year_min = start
                    elif kind == "decade_before":
                        self.update.year_max = start - 1
                    else:
                        self.update.year_min, self.update.year_max = start, start + 9
                else:
                    year = int(numbers[0])
                    if kind == "after":
                        self.update.year_min = year + 1
                    elif kind == "since":
                        self.update.year_min = year
                    elif kind == "before":
                        self.update.year_max = year - 1
                    elif kind == "until":
                        self.update.year_max = year
                    else:
                        self.update.year_min = self.update.year_max = year
        named = [self.titles.get(m.item_id) for m in self.titles.find_in_text(self.text)] if not self.shown else []
        years = [item.year for item in (self.shown or named) if item and item.year]  # "like X but newer"
        text = self._masked_text()
        # a critique is relative to what was shown: older/newer than the middle of the last list
        if _asked(OLDER, text) and years and self.update.year_max is None:
            self.update.year_max = min(years) - 1  # older than every one shown
        elif _asked(NEWER, text) and years and self.update.year_min is None:
            self.update.year_min = max(years) + 1
        elif _asked(RECENT, text) and self.update.year_min is None:
            self.update.year_min = self.year_now - 5
        elif _asked(CLASSIC_ERA, text) and self.update.year_max is None and "movie" in self.titles.kinds:
            self.update.year_max = CLASSIC_ERA_END
        if self.update.year_min is not None and self.update.year_max is not None and self.update.year_min > self.update.year_max:
            self.update.year_min, self.update.year_max = self.update.year_max, self.update.year_min

    def _decade(self, m: re.Match[str], kind: str) -> int | None:
        group = next((g for g in m.groups() if g), None)
        if group is None:
            return None
        if kind == "decade_word":
            return DECADE_WORDS[group.lower()]
        if group in ZH_DECADES:
            return ZH_DECADES[group]
        value = int(group)
        if value >= 1000:
            return value
        return 2000 + value if value <= 20 else 1900 + value

    def _prices(self) -> None:
        if not (self.titles.has_prices or CURRENCY_MARK.search(self._masked_text())):
            return
        for m in ZH_NUMERAL_AND_REST.finditer(self._masked_text()):  # 一千五 -> 15百, 两万五 -> 25千: the same length
            lower = {"百": "十", "千": "百", "万": "千"}[m.group(2)]
            for k, ch in enumerate(f"{_count(m.group(1))}{_count(m.group(3))}{lower}"):
                self.masked[m.start() + k] = ch
        for m in ZH_NUMERAL_BEFORE_UNIT.finditer(self._masked_text()):
            self.masked[m.start()] = str(_count(m.group(1)))  # 三百 -> 3百: the same length, so positions hold
        for m in self._consume(AROUND_PRICE):
            values = _numbers(m)
            if values:
                budget = bool(re.search(r"budget|预算", m.group(), _I))
                self.update.price_min = round(values[0] * 0.7, 2)
                self.update.price_max = values[0] if budget else round(values[0] * 1.3, 2)
        for kind, pattern in PRICE_PATTERNS:
            for m in self._consume(pattern):
                values = _numbers(m)
                if not values:
                    continue
                if kind == "range" and len(values) >= 2:
                    low, high = sorted(values[:2])
                    self.update.price_min, self.update.price_max = low, high
                elif kind == "max":
                    self.update.price_max = values[0]
                elif kind == "min":
                    self.update.price_min = values[0]
        prices = [item.price for item in self.shown if item.price is not None]
        text = self._masked_text()
        rejected = [i.price for i in self.shown if i.id in self.out.referenced_ids and i.price is not None]
        if TOO_EXPENSIVE.search(text) and (rejected or prices) and self.update.price_max is None:
            # "第一个太贵了": below that one; "太贵了" about the list: below most of it
            self.update.price_max = round((min(rejected) if rejected else _middle(prices)) - 0.01, 2)
            return
        shown_tags = {t for i in self.shown for t in i.tags}
        other_kind = any(set(f.values) & self.titles.terms.kind_tags - shown_tags for f in self.titles.terms.find_tags(text))
        if self.update.price_max is not None or other_kind:
            pass  # an explicit limit says how much cheaper; "cheaper keyboards" after chairs: not than the chairs
        elif CHEAPER.search(text) and prices:
            self.update.price_max = max(0.0, round(_middle(prices) - 0.01, 2))
            if self.current.price_min is not None and self.update.price_min is None:
                self.update.clear.append("price_min")  # "cheaper" after "around 3000": below, not inside the band
        elif PRICIER.search(text) and prices:
            self.update.price_min = round(_middle(prices, upper=True) + 0.01, 2)
            if self.current.price_max is not None and self.update.price_max is None:
                self.update.clear.append("price_max")  # "more premium": the old cap no longer holds
        low, high = self.update.price_min, self.update.price_max
        if low is not None and high is not None and low > high:
            self.update.price_min, self.update.price_max = high, low

    def _genres(self) -> None:
        if NOT_THIS_KIND.search(self._masked_text()) and self.shown:
            # "not this kind": drop the genre (or category) most of the last list shares
            counts: dict[str, int] = {}
            for item in self.shown:
                for genre in item.genres:
                    counts[genre] = counts.get(genre, 0) + 1
            if counts:
                common = max(counts, key=lambda g: counts[g])
                _append(self.update.genres_exclude, common)
                _remove(self.update.genres_include, common)
                _remove(self.out.preferred_genres, common)
        pattern, lookup = _genre_pattern(self.titles.genres)
        if pattern is None:
            return
        self._genre_typos(lookup)
        text = self._masked_text()
        matches = [m for m in pattern.finditer(text) if MASK not in m.group() and not _not_a_genre_word(text, m)]
        if "product" in self.titles.kinds and len({lookup[m.group().lower()] for m in matches}) > 1:
            # "a phone with a good camera", "手机拍照要好": the camera is a feature of the phone asked for
            matches = [m for m in matches if not (FEATURE_BEFORE.search(text[:m.start()])
                                                  or FEATURE_AFTER.match(text[m.end():]))] or matches
        for m in matches:
            key = lookup[m.group().lower()]
            clause_start = _clause_start(text, m.start())
            before = text[clause_start : m.start()]
            negation = self._negated(text, m.start())
            if NOT_REQUIRED.search(before[-40:]):
                _append(self.update.genres_drop, key)
                _append(self.out.dropped, m.group().lower())
                _append(self.out.dropped, key)
                _remove(self.update.genres_include, key)
                continue
            if negation:
                self._mask(m.start(), m.end())
                _append(self.update.genres_exclude, key)
                _remove(self.update.genres_include, key)
                _remove(self.out.preferred_genres, key)
            elif key in self.update.genres_exclude:
                continue
            elif LIKE.search(before) and not REQUEST.search(before):
                _append(self.out.preferred_genres, key)
            else:
                _append(self.update.genres_include, key)

    def _genre_typos(self, lookup: dict[str, str]) -> None:
        """"horor", "comdy", "thriler": a long word one edit from a genre's name is that genre."""
        text = self._masked_text()
        for m in re.finditer(r"(?<![\w-])[a-z]{5,}(?![\w-])", text, _I):
            word = m.group().lower()
            if word in lookup or word.rstrip("s") in lookup or word in STOPWORDS or word in COMMON_WORDS:
                continue
            close = [name for name in lookup if not _CJK.search(name) and len(name) >= 5 and OSA.distance(word, name) <= 1
                     and word[0] == name[0] and (len(word) != len(name) or sorted(word) == sorted(name))]
            # a dropped, extra or swapped letter after the first ("horor"), not another word ("gamer", "iphones")
            if len(close) == 1:
                key = lookup[close[0]]
                self._mask(m.start(), m.end())
                _append(self.update.genres_exclude if self._negated(text, m.start()) else self.update.genres_include, key)

    def _languages_and_kinds(self) -> None:
        text = self._masked_text()
        live = LIVE_ACTION.search(text)
        if live and "animation" in self.titles.genres:
            if self._negated(text, live.start()):
                _append(self.update.genres_include, "animation")  # "not live action": animated
            else:
                _append(self.update.genres_exclude, "animation")  # "any live-action ones?": not animated
                _remove(self.update.genres_include, "animation")
                _remove(self.out.preferred_genres, "animation")
        if self.titles.languages:
            for pattern, codes in LANGUAGES:
                for m in pattern.finditer(text):
                    before = text[max(0, m.start() - 30) : m.start()]
                    if MASK in m.group() or REPLY_IN.search(before) or NEGATION_BEFORE.search(before[-20:]):
                        continue
                    chosen = [c for c in codes if c in self.titles.languages] or codes[:1]
                    current = self.update.languages or []
                    self.update.languages = current + [c for c in chosen if c not in current]
        kinds = self.titles.kinds
        if len(kinds) > 1:
            if MOVIES_ONLY.search(text):
                self.update.kinds = ["movie"] if "movie" in kinds else sorted(kinds - {"series"})
            else:
                for m in SERIES.finditer(text):
                    before = text[max(0, m.start() - 30) : m.start()]
                    if re.search(r"(?:\bno|\bnot|\bwithout|\bnot\s+any)\s+(?:a|an|the|any)?\s*$|(?:不要|不看|别|不想看)\s*$", before, _I):
                        self.update.kinds = sorted(kinds - {"series"})
                    else:
                        self.update.kinds = ["series"]
                    break
                if self.update.kinds is None and "product" in kinds and PRODUCTS.search(text):
                    self.update.kinds = ["product"]
                if self.update.kinds is None and {"movie", "series"} <= kinds and MOVIE_WORDS.search(text) \
                        and (REQUEST.search(text) or GOOD_FILM.search(text) or self.current.kinds == ["series"]):
                    self.update.kinds = ["movie"]  # "推荐几部国产电影": films, not series

    def _clears(self) -> None:
        text = self._masked_text()
        for pattern, fields in CLEAR:
            if pattern.search(text):
                for name in fields:
                    if name not in self.update.clear:
                        self.update.clear.append(name)  # type: ignore[arg-type]

    def _negated(self, text: str, start: int) -> bool:
        """A negation governs the word at `start` ("不要太虐", "讨厌《泰坦尼克号》那种爱情片", "nothing too dark");
        "I've never seen a Chinese film" is not one."""
        before = re.sub(f"{MASK}+", MASK, text[_clause_start(text, start): start])[-40:]
        found = NEGATION_BEFORE.search(before)
        return bool(found) and not re.search(r"never\s+(?:seen|watched|tried|read)|没(?:有)?看过", before[found.start():], _I)

    def _not_required(self, text: str, start: int) -> bool:
        return bool(NOT_REQUIRED.search(text[_clause_start(text, start): start][-40:]))

    def _people_and_countries(self) -> None:
        terms = self.titles.terms
        text = self._masked_text()
        people: list[str] = []
        for found in terms.find_people(text):
            if MASK in found.text:
                continue
            self._mask(found.start, found.end)
            if self._negated(text, found.start):
                self.update.people_exclude += [n for n in found.values if n not in self.update.people_exclude]
                continue
            joined = re.search(r"(?:\bwith|\balso|\btoo|\band|和|跟|也有|还有|同时)\W*$", text[max(0, found.start - 12): found.start], _I)
            if joined and self.current.people and not people:
                # "with Gong Li" after Zhang Yimou: both must be in it
                self.update.people_all = [n for n in found.values if n not in self.current.people]
                continue
            people += [n for n in found.values if n not in people]
        if people:
            self.update.people = list(dict.fromkeys(people))  # any of them: "李小龙或者李连杰"
        elif OTHER_PEOPLE.search(text):
            self._other_people()
        text = self._masked_text()
        countries: list[str] = []
        refused: list[str] = []
        for found in terms.find_countries(text):
            before = text[max(0, found.start - 30): found.start]
            if MASK in found.text or REPLY_IN.search(before):
                continue
            target = refused if self._negated(text, found.start) else countries
            target += [c for c in found.values if c not in target]
        for found in FOREIGN.finditer(text):  # "要国外的": anywhere but the Chinese-speaking regions
            target = countries if self._negated(text, found.start()) else refused
            target += [c for c in CHINESE_REGIONS if c in terms.country_codes and c not in target]
        if refused and not countries:  # "not Hong Kong": what was allowed (or any), less that
            countries = [c for c in (self.current.countries or sorted(terms.country_codes)) if c not in refused]
        countries = [c for c in countries if c not in refused]
        if countries:
            self.update.countries = countries

    def _new_request_wins(self) -> None:
        """A person or a country named now that no item has together with the old filters ("Tony Leung films"
        after British shows): the old filters it clashes with give way, so the new request is answered."""
        for name in clashing_fields(self.update, self.current, self.titles.items()):
            self.update.clear.append(name)  # type: ignore[arg-type]

    def _other_people(self) -> None:
        """"Similar, but by a different director": the people asked for so far, else the director of the film
        in focus, are excluded."""
        about = [*self.out.referenced_ids, *self.out.liked_ids, *self.out.target_ids, *self.out.mentioned_ids]
        focus = getattr(self.context, "focus_id", None)
        items = [self.titles.get(i) for i in (about or ([focus] if focus else []))]
        names = list(self.current.people) or [n for item in items if item for n in item.people.get("director", [])]
        self.update.people_exclude += [n for n in names if n not in self.update.people_exclude]
        if self.current.people:
            self.update.clear.append("people")

    def _moods_and_tags(self) -> None:
        terms = self.titles.terms
        text = fix_word_typos(self._masked_text(), terms.catalog_tags)  # "waterprof" -> "waterproof"
        for m in HEAVY_WORDS.finditer(text):
            if MASK in m.group():
                continue
            if self._negated(text, m.start()):
                for tag in terms.heavy_tags:
                    _append(self.update.tags_exclude, tag)
                for genre in terms.heavy_genres:
                    _append(self.update.genres_exclude, genre)
            elif "tearjerker" in terms.catalog_tags and SAD_WORDS.fullmatch(m.group()):  # sad, not "dark and twisted"
                _append(self.out.soft_tags, "tearjerker")
        for m in LIGHT_WORDS.finditer(text):
            if not self._negated(text, m.start()):
                for genre in terms.heavy_genres:
                    _append(self.update.genres_exclude, genre)
        products = "product" in self.titles.kinds
        named = list(self.update.genres_include)  # genres or categories the message names itself
        for found in terms.find_mood_genres(text):
            for genre in found.values:
                if self._negated(text, found.start):
                    if genre not in self.update.genres_include:  # "a horror film, not too gory": still horror
                        _append(self.update.genres_exclude, genre)
                elif named and genre not in named:
                    if not products:  # "全家看的动画电影": animation is asked for, family a wish that ranks first
                        _append(self.out.preferred_genres, genre)
                    continue  # "想换个手机，拍照要好": a need of the phone named, not a second category
                elif genre not in self.update.genres_exclude:
                    _append(self.update.genres_include, genre)
        groups: dict[tuple[int, int], list[str]] = {}  # the hard tags each phrase names (alternatives of one word)
        for found in terms.find_tags(text):
            if MASK in found.text:
                continue
            if self._not_required(text, found.start):
                self.update.tags_any = [t for t in (self.update.tags_any or self.current.tags_any)
                                        if t not in found.values]
                self.out.dropped += [t for t in found.values if t not in self.out.dropped]
                continue
            if self._negated(text, found.start):
                for tag in found.values:
                    _append(self.update.tags_exclude, tag)
                continue
            named = [t for t in found.values if products and t in terms.specific_tags]
            group = groups.setdefault((found.start, found.end), [])
            shared = [t for t in group if t in named]  # two readings of one word: what both say, else either
            group[:] = shared if shared else group + [t for t in named if t not in group]
            for tag in found.values:
                _append(self.out.soft_tags, tag)
        hard, narrow = _combine([g for g in groups.values() if g], terms)
        if narrow:
            self.update.tags_any, self.update.tags_and = hard, narrow  # "noise-cancelling headphones": both
        elif hard and self.current.tags_any and not set(hard) & set(self.current.tags_any) \
                and terms.items_tagged(hard) & terms.items_tagged(self.current.tags_any):
            self.update.tags_and = hard  # "要防水的" after speakers: waterproof speakers, not anything waterproof
        elif hard:
            self.update.tags_any = hard




def _clause_start(text: str, position: int) -> int:
    start = max(0, position - 80)
    last = None
    for m in CLAUSE_BREAK.finditer(text, start, position):
        last = m.end()
    return last if last is not None else start


@lru_cache(maxsize=32)
def _genre_pattern(catalog_genres: frozenset[str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    names = {name: key for name, key in genre_names().items() if not catalog_genres or key in catalog_genres}
    if not names:
        return None, {}
    parts = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
        parts.append(escaped if _CJK.search(name) else rf"(?<![\w-]){escaped}(?:s|es)?(?![\w-])")
    lookup = dict(names)
    # the matched text may differ in spacing/hyphens ("sci fi"); map through a normaliser
    pattern = re.compile("|".join(parts), _I)
    return pattern, _FuzzyKeyDict(lookup)


class _FuzzyKeyDict(dict):
    """Genre lookup that tolerates the spacing/hyphen variants the pattern accepts."""

    def __missing__(self, key: str) -> str:
        squashed = re.sub(r"[\s-]+", "", key)
        for plain in (key[:-1], key[:-2]):
            if plain in self:
                return self[plain]
        for name, value in self.items():
            if re.sub(r"[\s-]+", "", name) == squashed:
                return value
        return key


def _append(target: list[str], value: str) -> None:
    if value not in target:
        target.append(value)


def _remove(target: list[str], value: str) -> None:
    if value in target:
        target.remove(value)
