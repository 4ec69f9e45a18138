"""Fact checking for model-written text: drop sentences that state what the catalog does not hold.

A text fails when it names a year, a price, a measured number or a person that the item's data (or
the related items it is compared with) does not hold, or when it leaks secrets or the prompt (its lines
or its scaffolding words), or only repeats the request.
Claims are caught by word lists per language (claims.py): an award or prize, a superlative or ranking,
or a target audience passes only when the item's own facts hold the same word. `describes_other`
catches a reason written for one candidate that describes another (its title, people or distinctive words).
Catalog-like ids outside the allowed set are stripped; allowed `[id]` citations become titles.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from collections.abc import Iterable, Mapping, Sequence

from chatbot.genres import GENRES
from chatbot.items import Item
from chatbot.llm.claims import unsupported_claims

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|2100)(?!\d)")
_PRICE = re.compile(
    r"(?:[¥$€£]|\b(?:CNY|RMB|USD|EUR|GBP)\s?)\s*(\d[\d,]*(?:\.\d+)?)"
    r"|(\d[\d,]*(?:\.\d+)?)\s*(?:元|美元|欧元|\s?(?:CNY|RMB|USD|EUR|GBP|yuan|dollars?|euros?)\b)", re.I)
_UNIT = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:hours?\b|hrs?\b|h\b|小时|g\b|grams?\b|克|kg\b|千克|公斤|mAh\b|毫安|GB\b|TB\b|W\b|"
    r"watts?\b|瓦|inch(?:es)?\b|英寸|寸|L\b|litres?\b|liters?\b|升|ml\b|毫升|mm\b|毫米|cm\b|厘米|days?\b|天|"
    r"minutes?\b|min\b|分钟|dB\b|分贝|MP\b|%|Hz\b|km/h|m\b|metres?\b|meters?\b|米|pieces?\b|件|块|款|集|episodes?\b|"
    r"seasons?\b|季|stars?\b|星)", re.I)
_CAPITALISED = re.compile(r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)+")
_ZH_BEFORE_ROLE = re.compile(r"([\u4e00-\u9fff·]{2,5})(?:导演|执导|主演|出演|领衔|编剧|监制|主持)")
_ZH_AFTER_ROLE = re.compile(r"(?:导演|主演|演员|编剧|作者|品牌)(?:是|为|：|:)?\s*(?!的)([\u4e00-\u9fff·]{2,5})")
_BRACKET_ID = re.compile(r"\[([A-Za-z0-9_.:\-]{1,200})\]")
_SLUG = re.compile(r"(?<![\w\-])[a-z0-9]+(?:[-_:.][a-z0-9]+){2,}(?![\w\-])")
_SECRET = re.compile(r"\bsk-[A-Za-z0-9_\-]{12,}|\bBearer\s+\S{8,}|\bhf_[A-Za-z0-9]{16,}", re.I)
_CONFIG_WORDS = re.compile(r"system prompt|my instructions|these instructions|OPENAI_|API[_ ]?KEY|LLM_BACKEND|"
                           r"base[_ ]url|系统提示|提示词|指令内容", re.I)
_COMMON = {
    "the", "a", "an", "if", "this", "it", "its", "you", "your", "for", "with", "and", "or", "but", "fans", "great",
    "perfect", "ideal", "classic", "new", "english", "chinese", "mandarin", "cantonese", "japanese",
    "korean", "french", "american", "british", "european", "asian", "hollywood", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "like", "as", "since", "because", "both", "also",
    "bluetooth", "wi-fi", "wifi", "usb", "usb-c", "anc", "ipx4", "ipx5", "ipx7", "i", "ok", "yes", "no", "why", "what",
    "which", "how", "want", "looking", "try", "enjoy", "if you", "set", "in", "on", "at", "of", "to", "from", "by",
    "close", "people", "matches", "one", "sci-fi", "crowd", "favourite", "favorite", "earth", "space", "war",
}
_COMMON |= {g for key, (en, _zh, _syn) in GENRES.items() for g in (key, en.lower())}


def _numbers(text: str) -> set[float]:
    values = set()
    for whole, frac in _NUMBER.findall(text):
        values.add(float(whole.replace(",", "") + (f".{frac}" if frac else "")))
    return values


def _to_float(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


class FactChecker:
    """Checks text about `item` against the item's data (and `related` items, e.g. liked anchors).

    `extra_text` (the user's own constraints, e.g. "under 200 yuan") may justify numbers, never names.
    """

    def __init__(self, item: Item, related: Iterable[Item] = (), extra_text: str = "") -> None:
        self.items = [item, *related]
        texts = [i.to_text() for i in self.items] + [i.id for i in self.items]
        self.text = "\n".join(texts)
        self.lower = self.text.lower()
        self.numbers = _numbers(self.text) | _numbers(extra_text)
        self.years = {i.year for i in self.items if i.year} | {int(n) for n in self.numbers if n.is_integer()}
        self.prices = {i.price for i in self.items if i.price is not None} | _numbers(extra_text)
        self.words = set(re.findall(r"[\w'’\-]+", self.lower))

    def problems(self, text: str) -> list[str]:
        """Why `text` is not grounded (empty when it is)."""
        found: list[str] = []
        for match in _YEAR.finditer(text):
            if int(match.group(1)) not in self.years:
                found.append(f"year {match.group(1)}")
        for match in _PRICE.finditer(text):
            value = _to_float(match.group(1) or match.group(2) or "")
            if value is not None and not any(abs(value - p) < 0.5 for p in self.prices):
                found.append(f"price {match.group(0).strip()}")
        for match in _UNIT.finditer(text):
            value = _to_float(match.group(1))
            if value is not None and value not in self.numbers:
                found.append(f"number {match.group(0).strip()}")
        for match in _NUMBER.finditer(text):
            raw = match.group(0)
            value = _to_float(raw)
            if value is not None and (len(raw) >= 2 or "." in raw) and value not in self.numbers and \
                    not _YEAR.fullmatch(raw):
                found.append(f"number {raw}")
        found += [f"name {n}" for n in self._unknown_latin_names(text)]
        found += [f"name {n}" for n in self._unknown_chinese_names(text)]
        found += unsupported_claims(text, self.lower)
        if looks_like_secret(text) or _CONFIG_WORDS.search(text):
            found.append("configuration or secret")
        return list(dict.fromkeys(found))

    def ok(self, text: str) -> bool:
        return not self.problems(text)

    def _unknown_latin_names(self, text: str) -> list[str]:
        names = []
        for span in _CAPITALISED.findall(text):
            if span.lower() in self.lower:
                continue
            run: list[str] = []
            for word in span.split():
                word = re.sub(r"['’]s$", "", word)
                known = word.lower() in self.words or word.lower().strip("'’") in _COMMON
                run = [] if known else run + [word]
                if len(run) >= 2:
                    names.append(" ".join(run))
                    break
        return names

    def _unknown_chinese_names(self, text: str) -> list[str]:
        names = []
        for match in _ZH_BEFORE_ROLE.finditer(text):
            name = match.group(1)
            if not any(name[i:] in self.text for i in range(len(name) - 1)):
                names.append(name)
        for match in _ZH_AFTER_ROLE.finditer(text):
            name = match.group(1)
            if not any(name[: i + 2] in self.text for i in range(len(name) - 1)):
                names.append(name)
        return names


def looks_like_secret(text: str, secrets: Sequence[str] = ()) -> bool:
    """True when the text holds an API-key-like token or one of the given secret values."""
    return bool(_SECRET.search(text)) or any(s and len(s) >= 4 and s in text for s in secrets)


def leaks_prompt(text: str, protected: Sequence[str]) -> bool:
    """True when the text repeats a line of one of the protected texts (the system prompt)."""
    lowered = text.lower()
    for source in protected:
        for line in source.splitlines():
            line = line.strip(" -•\t").lower()
            if len(line) >= 20 and line[:40] in lowered:
                return True
    return bool(_CONFIG_WORDS.search(text))


_PROMPT_WORDS = re.compile(
    r"\b(?:liked|disliked|filters|wants|interest tags|director|creator|brand|cast)\s*:|\bcandidates?\b|"
    r"\bthe person\b|\bthis person\b|这个人|已知需求|候选", re.I)


def prompt_words(text: str) -> bool:
    """True when the text carries the prompt's own scaffolding ("liked:", "CANDIDATES", "the person")."""
    return bool(_PROMPT_WORDS.search(text))


def repeats(text: str, source: str, share: float = 0.6) -> bool:
    """True when most of `text` is copied from `source` (a reason that only repeats the request)."""
    a, b = text.lower(), source.lower()
    if not a or not b:
        return False
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= max(6, share * len(a.strip(" .。!！")))


def replace_ids(text: str, titles: Mapping[str, str], catalog_ids: Iterable[str] = ()) -> str:
    """Allowed `[id]` citations become their titles; other bracketed ids and id-like slugs are removed."""
    known = set(catalog_ids)

    def bracket(match: re.Match) -> str:
        return titles.get(match.group(1), "")

    text = _BRACKET_ID.sub(bracket, text)

    def slug(match: re.Match) -> str:
        token = match.group(0)
        if token in titles:
            return titles[token]
        if token in known or any(ch.isdigit() for ch in token):
            return ""
        return token

    text = _SLUG.sub(slug, text)
    for token in known - set(titles):
        if token in text:
            text = text.replace(token, "")
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,.;，。；])", r"\1", text)).strip()


def mend_clipped_titles(text: str, titles: Iterable[str]) -> str:
    """A Chinese title the model wrote without its first character or two ("浪地球2是…" for 流浪地球2) made
    whole again; the cut part must be 4+ characters and most of the title, so ordinary words stay."""
    for title in sorted({t for t in titles if t and re.search(r"[\u4e00-\u9fff]", t)}, key=len, reverse=True):
        for cut in (1, 2):
            part = title[cut:]
            if len(part) < 4 or len(part) < 0.6 * len(title):
                continue
            text = re.sub(rf"(?<!{re.escape(title[cut - 1])}){re.escape(part)}", title, text)
    return text
