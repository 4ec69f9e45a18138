"""Find catalog items named in free text, in English or Chinese, tolerant of case, punctuation,
years and small typos, without firing on ordinary words.

One pass over the text walks a token trie of every known name (title, title_zh, title + year,
source_keys["source_name"]); a bounded fuzzy pass (rapidfuzz) then looks only at capitalised
spans that the exact pass left unmatched. Both passes are linear in the text length.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from chatbot.dialogue.catalog_terms import CatalogTerms
from chatbot.dialogue.common_words import COMMON_WORDS, INTERJECTIONS, STOPWORDS, ZH_COMMON, ZH_KIND_WORDS
from chatbot.dialogue.product_names import short_product_names
from chatbot.dialogue.tokens import fold_width as _fold_width, is_cjk as _is_cjk, tokenize
from chatbot.genres import genre_names
from chatbot.items import Item

log = logging.getLogger(__name__)

_YEAR_SUFFIX = re.compile(r"\s*\(\s*(\d{4})\s*\)\s*$")
_OPEN_QUOTES = "\"'“‘《「『〈"
_CLOSE_QUOTES = "\"'”’》」』〉"
_SENTENCE_END = ".!?。！？\n;；:："
_MAX_NAME_TOKENS = 24
_MAX_FUZZY_WINDOWS = 48
_FUZZY_CUTOFF = 90.0
_TYPO_CUTOFF = 86.0  # a lower-case word right after "like"/"watched": a title, typed quickly
_OPINION_BEFORE = re.compile(r"\b(?:like|liked|love|loved|enjoyed|watched|seen|saw|than|to|as|of)\s+(?:the\s+)?$", re.I)
_LIST_GLUE = re.compile(r"^[\s、,，/《》「」“”\"]*(?:和|与|跟|及|以及|或|或者|还是)?[\s、,，/《》「」“”\"]*$")


class TitleMatch(BaseModel):
    """One catalog item named in the text: `text[start:end]` is what was matched."""

    item_id: str
    start: int
    end: int
    score: float  # 100 for an exact name, the rapidfuzz ratio for a fuzzy one
    matched: str  # the catalog name that matched
    alternatives: list[str] = []  # other items with the same name (e.g. a remake), best first


@dataclass
class _Entry:
    name: str  # display form of the name
    ids: list[str]  # items with this name, best first
    weak: bool
    cjk: bool


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entry: _Entry | None = None


def _strip_year(name: str) -> tuple[str, int | None]:
    match = _YEAR_SUFFIX.search(name)
    if match:
        return name[: match.start()].strip(), int(match.group(1))
    return name.strip(), None


class TitleMatcher:
    """Names of catalog items, findable in free text. Built once per catalog; read-only after."""

    def __init__(self, items: Sequence[Item]) -> None:
        self._items: dict[str, Item] = {item.id: item for item in items}
        self._root = _Node()
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._common = self._catalog_common_words(items)
        self.genres: frozenset[str] = frozenset(g for item in items for g in item.genres)
        self.kinds: frozenset[str] = frozenset(item.kind for item in items)
        self.languages: frozenset[str] = frozenset(item.language for item in items if item.language)
        self.has_prices: bool = any(item.price is not None for item in items)
        self.terms = CatalogTerms.build(items)  # countries, people, tags and mood words the catalog holds
        self._product_titles = {i.id: f"{i.title} {i.title_zh or ''}".lower() for i in items if i.kind == "product"}
        tag_counts = Counter(t for item in items for t in item.tags)
        self._broad_words = frozenset(w for t, n in tag_counts.items() if n > 4 for w in t.split()) | set(genre_names())
        ranked = sorted(items, key=lambda i: (-(i.popularity or 0.0), -(i.year or 0), i.id))
        for item in ranked:
            for name, with_year in self._names(item):
                self._add(name, item.id, with_year)
        for name, item_id in short_product_names(items, self._generic_words(items)).items():
            if tuple(t for t, _, _ in tokenize(_fold_width(name))) not in self._entries:
                self._add(name, item_id, False)
        # fuzzy choices: strong latin names of at least 6 characters
        self._fuzzy_keys: list[str] = []
        self._fuzzy_entries: list[_Entry] = []
        for key, entry in self._entries.items():
            text = " ".join(key)
            if not entry.cjk and not entry.weak and len(text) >= 6:
                self._fuzzy_keys.append(text)
                self._fuzzy_entries.append(entry)
        log.debug("title matcher: %d items, %d names", len(self._items), len(self._entries))

    # -- building -------------------------------------------------------------------------------

    @staticmethod
    def _names(item: Item) -> Iterable[tuple[str, bool]]:
        title, year = _strip_year(item.title)
        year = item.year or year
        yield title, False
        if year:
            yield f"{title} ({year})", True
        if item.title_zh:
            zh, _ = _strip_year(item.title_zh)
            yield zh, False
            if year:
                yield f"{zh} ({year})", True
        source = item.source_keys.get("source_name")
        if isinstance(source, str) and source.strip():
            bare, source_year = _strip_year(source)
            yield bare, False
            yield source, source_year is not None

    @staticmethod
    def _generic_words(items: Sequence[Item]) -> frozenset[str]:
        """Words that name kinds of things, not one thing: genres/categories, tags, common words."""
        words = set(STOPWORDS | COMMON_WORDS | INTERJECTIONS) | set(genre_names()) | set(ZH_KIND_WORDS)
        for item in items:
            for tag in item.tags:
                words.update(t for t, _, _ in tokenize(tag))
        return frozenset(words)

    @staticmethod
    def _catalog_common_words(items: Sequence[Item]) -> frozenset[str]:
        """Words frequent in the catalog's own descriptions (only for catalogs big enough to tell)."""
        described = [item.description for item in items if item.description]
        if len(described) < 300:
            return frozenset()
        counts: Counter[str] = Counter()
        for text in described:
            counts.update({t for t, _, _ in tokenize(text[:600]) if not _is_cjk(t)})
        floor = max(3, len(described) // 800)
        return frozenset(word for word, n in counts.items() if n >= floor)

    def _is_weak(self, tokens: tuple[str, ...]) -> bool:
        if all(_is_cjk(t) or t.isdigit() for t in tokens) and any(_is_cjk(t) for t in tokens):
            text = "".join(tokens)
            return len(text) <= 1 or text in ZH_COMMON or text in genre_names()
        if len(tokens) == 1 and (tokens[0].isdigit() or len(tokens[0]) < 7):
            return True
        common = STOPWORDS | COMMON_WORDS | self._common
        return all(t in common or t.isdigit() for t in tokens)

    def _add(self, name: str, item_id: str, with_year: bool) -> None:
        tokens = tuple(t for t, _, _ in tokenize(_fold_width(name)))
        if not tokens or len(tokens) > _MAX_NAME_TOKENS:
            return
        entry = self._entries.get(tokens)
        if entry is None:
            cjk = any(_is_cjk(t) for t in tokens)
            entry = _Entry(name=name, ids=[], weak=False if with_year else self._is_weak(tokens), cjk=cjk)
            self._entries[tokens] = entry
            node = self._root
            for token in tokens:
                node = node.children.setdefault(token, _Node())
            node.entry = entry
        if item_id not in entry.ids:
            entry.ids.append(item_id)

    # -- queries --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[Item]:
        return list(self._items.values())

    def get(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def lookup(self, name: str) -> str | None:
        """The item a name (as a user or a dataset writes it) most likely means, or None."""
        tokens = tuple(t for t, _, _ in tokenize(_fold_width(name or "")))[:_MAX_NAME_TOKENS]
        if not tokens:
            return None
        entry = self._entries.get(tokens)
        if entry is None:
            bare, _ = _strip_year(name)
            entry = self._entries.get(tuple(t for t, _, _ in tokenize(_fold_width(bare))))
        if entry is not None:
            return entry.ids[0]
        text = " ".join(tokens)
        if len(text) < 6 or not self._fuzzy_keys:
            return None
        best = process.extractOne(text, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return self._fuzzy_entries[best[2]].ids[0] if best else None

    def title_word_hits(self, text: str, limit: int = 4) -> list[str]:
        """Products whose title holds a word of the message ("电饭煲", "headlamp"): a word naming at most
        `limit` products, so it says what kind of thing is wanted; the best such word's products."""
        words = [w for w in re.findall(r"[a-z][a-z-]{3,}", text.lower())
                 if w not in STOPWORDS and w not in COMMON_WORDS and w not in INTERJECTIONS and w not in self._broad_words]
        for run in re.findall(r"[\u3400-\u9fff]{2,}", text):
            words += [run[k:k + n] for n in (4, 3) for k in range(len(run) - n + 1)]
            core = re.sub(r"^(?:有没有|想要|想买|有|要|买)+", "", re.sub(r"(?:有没有|有吗|有么|吗|呢|吧|的|有)+$", "", run))
            if len(core) == 2:
                words.append(core)  # "口红有吗": a two-character word said on its own
        best: list[str] = []
        for word in words:
            hits = [i for i, title in self._product_titles.items() if word in title]
            if 0 < len(hits) <= limit and (not best or len(hits) < len(best)):
                best = hits
        return best

    def find_in_text(self, text: str) -> list[TitleMatch]:
        """Items named in `text`: non-overlapping, chosen longest/best first, returned in text order."""
        if not text:
            return []
        folded = _fold_width(text)
        tokens = tokenize(folded)
        matches: list[TitleMatch] = []
        covered = [False] * len(tokens)
        i = 0
        while i < len(tokens):
            hit = self._longest_at(folded, tokens, i)
            if hit is None:
                i += 1
                continue
            end_index, entry = hit
            start, end = tokens[i][1], tokens[end_index - 1][2]
            end = self._swallow_year(folded, end)
            matches.append(self._match(entry, start, end, 100.0))
            for k in range(i, end_index):
                covered[k] = True
            i = end_index
        matches.extend(self._fuzzy(folded, tokens, covered))
        matches.extend(self._fuzzy_after_opinion(folded, tokens, covered))
        matches.extend(self._listed_beside(folded, tokens, covered, matches))
        matches.sort(key=lambda m: m.start)
        return matches

    def _listed_beside(self, text: str, tokens: list[tuple[str, int, int]], covered: list[bool],
                       matches: list[TitleMatch]) -> list[TitleMatch]:
        """A weak Chinese title ("活着") listed right beside a title that did match ("霸王别姬和活着")."""
        found: list[TitleMatch] = []
        for i, (token, start, _) in enumerate(tokens):
            if covered[i] or not _is_cjk(token):
                continue
            node, j, hit = self._root, i, None
            while j < len(tokens) and not covered[j] and (child := node.children.get(tokens[j][0])) is not None:
                node, j = child, j + 1
                if node.entry is not None and node.entry.cjk:
                    hit = (j, node.entry)
            if hit is None:
                continue
            end = tokens[hit[0] - 1][2]
            beside = any(_LIST_GLUE.match(text[m.end:start]) or _LIST_GLUE.match(text[end:m.start])
                         for m in [*matches, *found])
            if beside and len(text[start:end]) >= 2:
                found.append(self._match(hit[1], start, end, 100.0))
                for k in range(i, hit[0]):
                    covered[k] = True
        return found

    def _match(self, entry: _Entry, start: int, end: int, score: float) -> TitleMatch:
        return TitleMatch(item_id=entry.ids[0], start=start, end=end, score=score, matched=entry.name,
                          alternatives=entry.ids[1:])

    def _longest_at(self, text: str, tokens: list[tuple[str, int, int]], i: int) -> tuple[int, _Entry] | None:
        node = self._root
        found: list[tuple[int, _Entry]] = []
        j = i
        while j < len(tokens) and j - i < _MAX_NAME_TOKENS:
            child = node.children.get(tokens[j][0])
            if child is None:
                break
            # latin tokens must not continue a word across CJK glue: "2" in "流浪地球2" is fine
            node = child
            j += 1
            if node.entry is not None:
                found.append((j, node.entry))
        for end_index, entry in reversed(found):
            if self._acceptable(text, tokens, i, end_index, entry):
                return end_index, entry
        return None

    def _acceptable(self, text: str, tokens: list[tuple[str, int, int]], i: int, j: int, entry: _Entry) -> bool:
        start, end = tokens[i][1], tokens[j - 1][2]
        if not entry.cjk:
            # a latin name must start and end on word boundaries of the original text
            if start > 0 and text[start - 1].isalnum() and not _is_cjk(text[start - 1]):
                return False
            if end < len(text) and text[end].isalnum() and not _is_cjk(text[end]):
                return False
        if not entry.weak:
            return True
        if _quoted(text, start, end) or _followed_by_year(text, end):
            return True
        if entry.cjk:
            return False
        words = [text[s:e] for _, s, e in tokens[i:j]]
        if j - i == 1 and tokens[i][0] in INTERJECTIONS:
            return False
        if any(w.isdigit() for w in words) and len(words) == 1:
            number = int(words[0]) if len(words[0]) < 7 else 0
            return len(words[0]) >= 4 and number > 2035
        shouting = any(len(w) > 1 and w.isupper() for w in words) and not any(
            len(w) > 1 and w.isupper() for w in entry.name.split())
        if shouting or not words[0][:1].isupper():
            return False
        if not all(w[:1].isupper() or w.lower() in STOPWORDS or w.isdigit() for w in words):
            return False
        if _capitalised_neighbour(text, start, end):
            return False  # part of a longer name: "Paul Walker", "Queen Latifah"
        # a capitalised common word opening a sentence is just a sentence ("Her acting ...")
        if text.strip(" \t\n.!?\"'“”") == text[start:end]:
            return True
        if any(_is_cjk(ch) for ch in text) and words[0][:1].isupper():
            return True  # a capitalised latin name inside a Chinese sentence: "Inception 和 Memento"
        common = STOPWORDS | COMMON_WORDS | self._common
        return not (_sentence_start(text, start) and all(t in common for t, _, _ in tokens[i:j]))

    def _fuzzy(self, text: str, tokens: list[tuple[str, int, int]], covered: list[bool]) -> list[TitleMatch]:
        if not self._fuzzy_keys:
            return []
        out: list[TitleMatch] = []
        windows = 0
        for run_start, run_end in _capitalised_runs(text, tokens, covered):
            i = run_start
            while i < run_end and windows < _MAX_FUZZY_WINDOWS:
                hit = None
                for length in range(min(6, run_end - i), 0, -1):
                    window = tokens[i : i + length]
                    words = [t for t, _, _ in window]
                    if words[0] in STOPWORDS or words[-1] in STOPWORDS:
                        continue
                    phrase = " ".join(words)
                    if len(phrase) < 6 or (length == 1 and phrase in COMMON_WORDS | self._common):
                        continue
                    windows += 1
                    best = process.extractOne(phrase, self._fuzzy_keys, scorer=fuzz.ratio,
                                              score_cutoff=_FUZZY_CUTOFF)
                    if best is not None:
                        hit = (length, best)
                        break
                    if windows >= _MAX_FUZZY_WINDOWS:
                        break
                if hit is None:
                    i += 1
                    continue
                length, (_, score, index) = hit
                start, end = tokens[i][1], tokens[i + length - 1][2]
                out.append(self._match(self._fuzzy_entries[index], start, self._swallow_year(text, end), float(score)))
                i += length
        return out

    def _fuzzy_after_opinion(self, text: str, tokens: list[tuple[str, int, int]], covered: list[bool]) -> list[TitleMatch]:
        """A misspelt title typed in lower case right after an opinion ("like interstelar", "watched inceptoin"):
        one or two long words, close to one strong title."""
        out: list[TitleMatch] = []
        common = STOPWORDS | COMMON_WORDS | INTERJECTIONS | self._common
        for i, (token, start, end) in enumerate(tokens):
            if covered[i] or _is_cjk(token) or len(token) < 7 or token in common or not text[start:end].islower() \
                    or not _OPINION_BEFORE.search(text[max(0, start - 24): start]):
                continue
            for length in (2, 1):
                window = tokens[i:i + length]
                if len(window) < length or any(covered[k] or _is_cjk(t) for k, (t, _, _) in enumerate(window, start=i)):
                    continue
                best = process.extractOne(" ".join(t for t, _, _ in window), self._fuzzy_keys, scorer=fuzz.ratio,
                                          score_cutoff=_TYPO_CUTOFF)
                if best is not None:
                    out.append(self._match(self._fuzzy_entries[best[2]], start, window[-1][2], float(best[1])))
                    for k in range(i, i + length):
                        covered[k] = True
                    break
        return out

    @staticmethod
    def _swallow_year(text: str, end: int) -> int:
        if text[end : end + 1] in (")", "）") and re.search(r"[(（]\s*\d{4}$", text[max(0, end - 8) : end]):
            return end + 1
        match = re.match(r"\s*[(（]\s*\d{4}\s*[)）]", text[end : end + 12])
        return end + match.end() if match else end


def _capitalised_runs(text: str, tokens: list[tuple[str, int, int]], covered: list[bool]) -> list[tuple[int, int]]:
    """Index ranges of uncovered latin tokens that look like a title: capitalised words, with
    lowercase function words allowed inside."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        token, start, _ = tokens[i]
        if covered[i] or _is_cjk(token) or not text[start : start + 1].isupper():
            i += 1
            continue
        j = i + 1
        while j < n and not covered[j] and not _is_cjk(tokens[j][0]):
            word_start = tokens[j][1]
            if re.search(r"[.!?;,，。！？；、]", text[tokens[j - 1][2] : word_start]):
                break
            if text[word_start : word_start + 1].isupper() or tokens[j][0].isdigit():
                j += 1
            elif tokens[j][0] in STOPWORDS and j + 1 < n and text[tokens[j + 1][1] : tokens[j + 1][1] + 1].isupper():
                j += 1
            else:
                break
        # a lone pronoun "I" is not a title run
        if not (j - i == 1 and len(token) <= 2):
            runs.append((i, j))
        i = j
    return runs


def _capitalised_neighbour(text: str, start: int, end: int) -> bool:
    after = re.match(r"[ \t]+([A-Z][a-z]*)", text[end : end + 40])
    if after and after.group(1) != "I":
        return True
    before = re.search(r"([A-Z][a-z]*)[ \t]+$", text[max(0, start - 40) : start])
    return bool(before) and before.group(1) not in ("I", "A", "The") and not _sentence_start(text, start - len(before.group(0)))


def _quoted(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip()[:1]
    return bool(before) and before in _OPEN_QUOTES and bool(after) and after in _CLOSE_QUOTES


def _followed_by_year(text: str, end: int) -> bool:
    return re.match(r"\s*[(（]\s*(18[7-9]\d|19\d\d|20\d\d)\s*[)）]", text[end : end + 12]) is not None


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(" \t\"'“‘*-")
    return not before or before[-1] in _SENTENCE_END
