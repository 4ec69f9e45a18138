"""Deterministic understanding of one user message, in English or Chinese.

`parse_message` finds the catalog items named (TitleMatcher), the user's opinion of each (liked,
disliked, seen, only mentioned, or candidates to choose between), references to what was shown ("the
second one", "前两个"), filter updates (constraint_reader), free-text preferences, and hands the result
to `decide_intent`. Every step is a bounded regex or dictionary pass: linear in the text.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from chatbot.dialogue.constraint_reader import MASK, ConstraintReader
from chatbot.dialogue.answers import best_of
from chatbot.dialogue.cues import (ACCLAIMED, ACTING, THEIR_OTHER_WORKS, COMPARATIVE_FACTS, COMPARATIVE_REF, ASK, CLAUSE_BREAK, COMPARE_AFTER, COMPARE_BEFORE, COMPARE_FROM_AFTER,
                                   AS_THE_NAMED_AFTER, AS_THE_NAMED_BEFORE, COMPARE_FROM_BEFORE, CONNECTOR, DISLIKE, LIKE, MORE, MORE_LIKE, MORE_LIKE_REF,
                                   ORDINAL_EN, PREF_DROP, PREF_EN, PREF_LEAD, PREF_TRAIL, PREF_ZH, QUERY_NOISE,
                                   NOT_YET, REFERENCE, SEEN, SENTENCE_SPLIT, START_OVER, STOP_QUERY, WHAT_IS_IT_LIKE, WHY, ZH_DIGITS)
from chatbot.dialogue.intent import decide_intent
from chatbot.dialogue.message import ConstraintUpdate, FactQuestion, ParseContext, ParsedMessage, Role
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher
from chatbot.items import Item, Lang

MAX_PARSE_CHARS = 20_000  # the service cuts far earlier (Settings.max_message_chars); this is a guard
MAX_PREFERENCE_CHARS = 80
_SEQUEL = re.compile(r"\d{1,2}|[IVX]{1,4}|[二三四五]|第[二三四五2-5][部集季]|续集|part\s*\d|:?\s*part\s+(?:two|three)", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_I = re.IGNORECASE


@dataclass
class _Mention:
    start: int
    end: int
    ids: list[str]
    kind: Literal["title", "reference"]


def detect_language(text: str, fallback: Lang = "en") -> Lang:
    """'zh' when CJK characters outnumber latin words, 'en' when latin words do; else `fallback`."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if cjk == 0 and latin == 0:
        return fallback
    if cjk and latin and min(cjk, latin) / max(cjk, latin) >= 0.34:
        return fallback  # mixed about evenly ("over-ear 的", "something with 李连杰"): the conversation's language
    return "zh" if cjk >= latin else "en"


def parse_message(text: str, titles: TitleMatcher, context: ParseContext | DialogueState,
                  shown_items: Sequence[Item] | None = None, *, today_year: int | None = None) -> ParsedMessage:
    """Understand one (already sanitized) message against what the conversation has shown.
    `shown_items` defaults to the items of `context.last_ids`."""
    if isinstance(context, DialogueState):
        context = context.parse_context()
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    raw = WHAT_IS_IT_LIKE.sub(r"\g<head> about\g<tail>", raw[:MAX_PARSE_CHARS])  # asks about it; likes nothing
    year_now = today_year or _dt.date.today().year
    if shown_items is None:
        shown_items = [item for item in (titles.get(i) for i in context.last_ids) if item is not None]
    return _Parse(raw, titles, context, list(shown_items), year_now).run()


class _Parse(ConstraintReader):
    """One parse; holds the working copy of the text with consumed spans masked."""

    def __init__(self, text: str, titles: TitleMatcher, context: ParseContext, shown: list[Item], year_now: int) -> None:
        self.text = text
        self.titles = titles
        self.context = context
        self.current = context.constraints
        self.shown = shown
        self.year_now = year_now
        self.masked = list(text)
        self.out = ParsedMessage()
        self.update = ConstraintUpdate()
        self.picked_out: list[tuple[int, int]] = []  # spans of "the cheaper one": a reference, not a question

    def run(self) -> ParsedMessage:
        out = self.out
        matches = self.titles.find_in_text(self.text)
        for m in matches:
            self._mask(m.start, m.end)
        out.language = detect_language(self._masked_text().replace(MASK, " "), self.context.language)
        references = self._references()
        mentions = sorted([_Mention(m.start, m.end, [m.item_id], "title") for m in matches] + references,
                          key=lambda m: m.start)
        self._not_found()
        start_over = bool(START_OVER.search(self._masked_text()))
        self._roles(mentions)
        self._people_and_countries()
        their_works = self._their_other_works()
        self._years()
        self._prices()
        self._genres()
        self._moods_and_tags()
        self._languages_and_kinds()
        self._clears()
        self._new_request_wins()
        self._preferences()
        out.constraint_update = self.update
        out.query = self._query()
        out.catalog_words = "product" in self.titles.kinds and bool(self.titles.title_word_hits(out.query))
        out.wants_explanation = bool(WHY.search(self.text))
        out.wants_more = bool(MORE.search(self._masked_text()))
        out.wants_acclaimed = bool(ACCLAIMED.search(self.text))
        decide_intent(out, self._masked_text(), self._said(), self.context, start_over, bool(matches),
                      "product" in self.titles.kinds, self.titles.terms.find_attribute(self.text))
        self._like_a_new_title(out)
        if their_works:
            out.intent = "recommend"  # a new list of that person's films, not a narrowing of the last one
        return out

    def _their_other_works(self) -> bool:
        """"他还拍过什么" after a film: that film's director (its lead, for "演过"), as a fresh request. True when
        the message asked that."""
        m = THEIR_OTHER_WORKS.search(self.text)
        focus = self.context.focus_id or (self.context.last_ids[0] if self.context.last_ids else None)
        item = self.titles.get(focus) if m and focus and not self.update.people else None
        names = item.people.get("cast" if ACTING.search(m.group()) else "director", [])[:1] if item else []
        if names:
            self.update.people = names
            self.out.new_topic = True  # (that film itself was shown, so it is not suggested again)
        return bool(names)

    def _like_a_new_title(self, out: ParsedMessage) -> None:
        """'Anything like Let the Bullets Fly?' after war films: a title named afresh, of none of the genres asked
        for so far, starts a new request (the earlier filters were for the earlier one)."""
        genres = {*self.context.constraints.genres_include, *self.context.preferred_genres}
        if not genres or out.constraint_update.genres_include or not out.likes_a_new_title():
            return
        named = [self.titles.get(i) for i in out.target_ids if i in out.liked_ids and i not in out.referenced_ids]
        if all(item is not None and not genres & set(item.genres) for item in named):
            out.new_topic = True

    def _references(self) -> list[_Mention]:
        found: list[_Mention] = []
        last = self.context.last_ids
        for m in list(COMPARATIVE_REF.finditer(self._masked_text())):  # "the cheaper one": the shown item it picks out
            if re.search(r"\b(?:which|what)\b|哪", self.text[max(0, m.start() - 30): m.start()], _I):
                continue  # "which is the newest one?" asks; it does not point
            self._mask(m.start(), m.end())
            word = (m.group("en") or m.group("zh")).lower()
            fact, direction = COMPARATIVE_FACTS.get(word, COMPARATIVE_FACTS.get(word[:4], ("price", "min")))
            winner = best_of(FactQuestion(fact=fact, direction=direction), self.shown) if len(self.shown) >= 2 else None
            if winner is not None:
                found.append(_Mention(m.start(), m.end(), [winner.id], "reference"))
                self.out.referenced_ids.append(winner.id)
                self.picked_out.append((m.start(), m.end()))
        for m in self._consume(REFERENCE):
            ids: list[str] = []
            position: int | None = None
            if m.group("firstn") or m.group("zhfirstn"):
                word = (m.group("n") or m.group("zhn")).lower()
                count = {"two": 2, "three": 3}.get(word) or ZH_DIGITS.get(word) or int(word)
                ids = list(last[-count:] if (m.group("firstn") or m.group("zhfirstn")).lower() in ("last", "后")
                           else last[:count])
            elif m.group("en") or m.group("en2"):
                position = ORDINAL_EN[(m.group("en") or m.group("en2")).lower()]
            elif m.group("num") or m.group("hash"):
                position = int(m.group("num") or m.group("hash"))
            elif m.group("zh"):
                token = m.group("zh")
                position = int(token) if token.isdigit() else ZH_DIGITS.get(token)
            elif m.group("runner"):
                position = 2  # after "which one?": the pick, then the runner-up
            elif m.group("last") or m.group("zhlast"):
                ids = last[-1:]
            elif m.group("pair") or m.group("zhpair"):
                word = (m.group("pair") or m.group("zhpair")).lower()
                count = 2 if word == "both" or "两" in word else 3 if "three" in word or "三" in word else len(last)
                ids = last[:count]
            elif m.group("that") or m.group("zhthat") or m.group("it"):
                ids = [self.context.focus_id] if self.context.focus_id else last[:1]  # "this one" after a list: its top
            if position is not None and 1 <= position <= len(last):
                ids = [last[position - 1]]
            elif position is not None and last:
                self.out.beyond_list = True
            if ids:
                found.append(_Mention(m.start(), m.end(), ids, "reference"))
                self.out.referenced_ids.extend(i for i in ids if i not in self.out.referenced_ids)
        # "more like that" / "类似这个" point at the focus item
        for m in MORE_LIKE_REF.finditer(self._masked_text()):
            word = (m.group(1) or m.group(2) or "").lower()
            ids = last if word in ("these", "those", "them", "这些") else (
                [self.context.focus_id] if self.context.focus_id else last[:1])
            if ids:
                found.append(_Mention(m.end() - len(word), m.end(), list(ids), "reference"))
                self.out.referenced_ids.extend(i for i in ids if i not in self.out.referenced_ids)
        return found

    def _said(self) -> str:
        """The message with "the cheaper one" read as "it": what it asks is about that item, not its price."""
        text = self.text
        for start, end in reversed(self.picked_out):
            text = text[:start] + ("它" if _CJK.search(text[start:end]) else "it") + text[end:]
        return text

    def _not_found(self) -> None:
        for m in re.finditer(r"[\"“《「]([^\"”》」\n]{2,80})[\"”》」]", self._masked_text()):
            name = m.group(1).strip()
            if name and MASK not in name and not name.isdigit():
                self.out.not_found.append(name)
            elif MASK in name and _SEQUEL.fullmatch(name.replace(MASK, "").strip()):
                self.out.not_found.append(self.text[m.start(1): m.end(1)].strip())  # 《唐人街探案2》: not that one

    def _sentences(self) -> list[tuple[int, int]]:
        text = self._masked_text()
        spans, start = [], 0
        for m in SENTENCE_SPLIT.finditer(text):
            spans.append((start, m.end()))
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def _roles(self, mentions: list[_Mention]) -> None:
        if not mentions:
            return
        text = self._masked_text()
        sentences = self._sentences()
        # group mentions into runs: same sentence, joined only by list connectors
        runs: list[list[_Mention]] = []
        sentence_of: list[tuple[int, int]] = []
        s_index = 0
        for mention in mentions:
            while s_index < len(sentences) - 1 and mention.start >= sentences[s_index][1]:
                s_index += 1
            sentence = sentences[s_index] if sentences else (0, len(text))
            if runs and sentence_of[-1] == sentence and CONNECTOR.match(text[runs[-1][-1].end : mention.start]):
                runs[-1].append(mention)
            else:
                runs.append([mention])
                sentence_of.append(sentence)
        for index, run in enumerate(runs):
            s_start, s_end = sentence_of[index]
            prev_end = runs[index - 1][-1].end if index and sentence_of[index - 1] == sentence_of[index] else s_start
            next_start = (runs[index + 1][0].start if index + 1 < len(runs) and sentence_of[index + 1] == sentence_of[index]
                          else s_end)
            before = text[prev_end : run[0].start]
            if index and sentence_of[index - 1] == sentence_of[index]:
                # cues before a clause break belong to the previous run ("第一个不错，第三个不喜欢")
                breaks = list(CLAUSE_BREAK.finditer(before))
                if breaks:
                    before = before[breaks[-1].start():]
            after = text[run[-1].end : next_start]
            sentence = text[s_start:s_end]
            role = _role(before, after, sentence, text[s_start : run[0].start], len(run))
            alternatives = re.search(r"\bor\b|还是|或者|或", text[run[0].start: run[-1].end], _I)
            if len(run) >= 2 and alternatives and re.search(r"[?？]|吗|呢", sentence) and role != "disliked":
                role = "compare"  # "Should we watch Coco, Spirited Away or Zootopia?"
            if role == "mentioned" and all(m.kind == "reference" for m in run) and _last_cue(before) == "seen":
                role = "seen"
            self._assign(run, role)

    def _assign(self, run: list[_Mention], role: Role) -> None:
        out = self.out
        ids = [i for mention in run for i in mention.ids]
        target = {"liked": out.liked_ids, "disliked": out.disliked_ids, "mentioned": out.mentioned_ids,
                  "compare": out.compare_ids, "ask": out.target_ids, "more_like": out.target_ids,
                  "seen": out.seen_ids}[role]
        for item_id in ids:
            if item_id not in target:
                target.append(item_id)
        if role == "seen":
            out.mentioned_ids += [i for i in ids if i not in out.mentioned_ids]
        if role == "more_like":
            for item_id in ids:
                if item_id not in out.liked_ids:
                    out.liked_ids.append(item_id)

    # -- preferences, query, intent ---------------------------------------------------------------

    def _preferences(self) -> None:
        text = self._masked_text()
        snippets: list[str] = []
        for start, end in self._sentences():
            sentence = text[start:end]
            if COMPARE_AFTER.search(sentence) and (self.out.compare_ids or re.search(r"\bwhich\b|哪", sentence, _I)):
                cut = COMPARE_AFTER.search(sentence)
                sentence = sentence[: cut.start()] if cut else sentence
            for m in PREF_EN.finditer(sentence):
                if DISLIKE.search(sentence[max(0, m.start() - 12) : m.start()]):
                    continue
                snippets.append(m.group(1))
            for m in PREF_ZH.finditer(sentence):
                snippets.append(m.group(1))
        for snippet in snippets:
            cleaned = _clean_snippet(snippet)
            if cleaned and cleaned.lower() not in (p.lower() for p in self.out.preferences):
                self.out.preferences.append(cleaned)
        # keep only the longest of nested snippets ("something funny" vs "funny")
        prefs = self.out.preferences
        self.out.preferences = [p for p in prefs if not any(p != q and p.lower() in q.lower() for q in prefs)][:5]

    def _query(self) -> str:
        if self.out.preferences:
            return "; ".join(self.out.preferences)[:300]
        text = self._masked_text().replace(MASK, " ")
        for pattern in QUERY_NOISE:
            text = pattern.sub(" ", text)
        text = STOP_QUERY.sub(" ", text)
        text = re.sub(r"[^\w\u3400-\u9fff'-]+", " ", text)
        text = re.sub(r"\s+", " ", text).strip()
        return text[:300] if re.search(r"[A-Za-z\u3400-\u9fff]{2,}", text) else ""


def _role(before: str, after: str, sentence: str, sentence_before: str, size: int = 1) -> Role:
    """The opinion a run of mentions carries, from the cues around it (nearest first)."""
    asks_which = re.search(r"\bwhich\b|哪", before, _I) is not None and re.search(r"[?？]", sentence) is not None
    choose_from = size >= 2 and (COMPARE_FROM_BEFORE.search(before) or COMPARE_FROM_AFTER.match(after))
    if COMPARE_BEFORE.search(before) or asks_which or COMPARE_AFTER.search(after) or choose_from:
        return "compare"
    if re.match(r"^[\s,，》」”\"']*(?:我|I(?:'ve|\s+have)?)?\s*(?:already\s+|也|都|早就|已经)?(?:看过|看了|seen|watched|read|读过|买过)", after, _I) \
            and _first_cue(after) not in ("liked", "disliked"):
        return "seen"
    cue = _last_cue(before)
    if cue is None and AS_THE_NAMED_BEFORE.search(before) and AS_THE_NAMED_AFTER.match(after):
        return "more_like"  # "和《让子弹飞》一样好笑的", "跟《X》那种": something like it
    if cue == "seen" or cue is None:
        following = _first_cue(after)
        if following in ("liked", "disliked", "more_like"):
            return following  # "X was great", "《X》差不多的有吗"
        if cue == "seen":
            whole = _first_cue(sentence)
            return whole if whole in ("liked", "disliked") else "seen"
        if following == "ask" or (ASK.search(sentence_before) and not LIKE.search(sentence_before)):
            return "ask"
        return "mentioned"
    return cue


def _cues(text: str) -> list[tuple[int, Role | Literal["seen"]]]:
    found: list[tuple[int, Role | Literal["seen"]]] = []
    blocked: list[tuple[int, int]] = []
    for m in DISLIKE.finditer(text):
        found.append((m.end(), "disliked"))
        blocked.append((m.start(), m.end()))
    for m in ASK.finditer(text):
        found.append((m.end(), "ask"))
        blocked.append((m.start(), m.end()))
    for m in MORE_LIKE.finditer(text):
        found.append((m.end(), "more_like"))
        blocked.append((m.start(), m.end()))
    for m in LIKE.finditer(text):
        if not any(s <= m.start() < e for s, e in blocked):
            found.append((m.end(), "liked"))
    for m in SEEN.finditer(text):
        if not NOT_YET.search(text[max(0, m.start() - 14): m.start()]):  # "I haven't seen", "还没看过": not seen
            found.append((m.end(), "seen"))
    found.sort(key=lambda c: c[0])
    return found


def _last_cue(text: str) -> Role | Literal["seen"] | None:
    cues = _cues(text)
    if not cues:
        return None
    kind = cues[-1][1]
    if kind == "seen" and any(k in ("liked", "disliked") for _, k in cues[:-1]):
        # "I loved it when I watched X": an earlier opinion in the same stretch still holds
        return next(k for _, k in reversed(cues) if k in ("liked", "disliked"))
    return kind


def _first_cue(text: str) -> Role | Literal["seen"] | None:
    cues = [c for c in _cues(text) if c[1] != "seen"]
    return cues[0][1] if cues else None



def _clean_snippet(snippet: str) -> str:
    text = snippet.replace(MASK, " ").strip(" \t-'\"“”")
    text = re.split(r"\s+(?:but|and\s+(?:i|also)|because|so)\s+|[，、]", text, maxsplit=1)[0]
    for _ in range(3):
        text = PREF_LEAD.sub("", text).strip()
        text = PREF_TRAIL.sub("", text).strip()
    if not text or len(text) > MAX_PREFERENCE_CHARS or PREF_DROP.search(text):
        return ""
    if not re.search(r"[A-Za-z]{3,}|[\u3400-\u9fff]{2,}", text):
        return ""
    return text


