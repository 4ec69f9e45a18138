"""Paradigm 3: the LLM picks from the ranker's short list and says why, streamed pick by pick.

Why JSON and not prose: the model writes `{"picks": [{"id", "reason"}], "follow_up"}`. An incremental
scanner finds each pick object as soon as its closing brace arrives; the pick is validated (id among
the candidates, reason fact-checked) and only then streamed to the user. Unvalidated model text never
reaches the user, and the user still sees the answer grow while the model writes. Output with no
usable pick is repaired once; after that, or on timeout/error, the ranker's order with the no-LLM
reasons answers, with a note saying so.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import ChatModel, stream_with_deadline
from chatbot.llm.grounding import FactChecker, leaks_prompt, looks_like_secret, replace_ids
from chatbot.item_text import explain_candidate, price_text, quoted_title
from chatbot.prompts import load_prompt
from chatbot.recommendation import Candidate

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOTES = {
    "timeout": ("The language model did not answer in time, so the no-LLM mode answered this turn.",
                "语言模型没有及时回答，本轮由无 LLM 模式作答。"),
    "error": ("The language model is unavailable right now, so the no-LLM mode answered this turn.",
              "语言模型暂时不可用，本轮由无 LLM 模式作答。"),
    "garbage": ("The language model's answer could not be used, so the no-LLM mode answered this turn.",
                "语言模型的回答无法使用，本轮由无 LLM 模式作答。"),
    "partial": ("The language model stopped early, so the no-LLM mode completed this turn.",
                "语言模型中途停止，本轮由无 LLM 模式补全。"),
}
MAX_REASON_CHARS = 300


class Pick(BaseModel):
    id: str
    reason: str
    source: Literal["llm", "template"] = "llm"


class PickResult(BaseModel):
    picks: list[Pick]
    follow_up: str = ""
    source: Literal["llm", "llm-repaired", "fallback", "no-llm"]
    note: str = ""  # shown to the user when the no-LLM mode answered instead of the model
    dropped: list[str] = Field(default_factory=list)  # what validation removed, for the trace
    timings_ms: dict[str, float] = Field(default_factory=dict)


class PickEvent(BaseModel):
    """`text` is the whole user-visible reply so far; `pick` is set for a new validated pick."""

    type: Literal["pick", "done"]
    text: str
    pick: Pick | None = None
    result: PickResult | None = None


def _right_language(text: str, lang: str) -> bool:
    """Chinese text must hold Chinese; English text may quote a Chinese title but not be mostly Chinese."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 if lang == "zh" else cjk <= sum(ch.isascii() and ch.isalpha() for ch in text)


class _ObjectScanner:
    """Finds complete JSON objects (at any depth) in text that arrives in chunks."""

    def __init__(self) -> None:
        self.buffer = ""
        self._pos = 0
        self._starts: list[int] = []
        self._in_string = False
        self._escape = False

    def feed(self, chunk: str) -> list[dict]:
        self.buffer += chunk
        found = []
        while self._pos < len(self.buffer):
            ch = self.buffer[self._pos]
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self._in_string = False
            elif ch == '"':
                self._in_string = bool(self._starts)
            elif ch == "{":
                self._starts.append(self._pos)
            elif ch == "}" and self._starts:
                start = self._starts.pop()
                try:
                    value = json.loads(self.buffer[start: self._pos + 1])
                    if isinstance(value, dict):
                        found.append(value)
                except ValueError:
                    pass
            self._pos += 1
        return found


class _Validator:
    """Turns raw model objects into validated picks for one turn."""

    def __init__(self, candidates: Sequence[Candidate], lang: str, k: int, items: Mapping[str, Item],
                 user_state: str, protected: Sequence[str], secrets: Sequence[str]) -> None:
        self.by_id = {c.item.id: c for c in candidates}
        self.lang, self.k, self.items = lang, k, items
        self.user_state, self.protected, self.secrets = user_state, protected, secrets
        self.titles = {c.item.id: quoted_title(c.item, lang) for c in candidates}
        anchors = {r.detail for c in candidates for r in c.reasons if r.detail in items}
        # liked anchors may be cited by title in a reason; only candidates may be picked
        self.cite_titles = {**{a: quoted_title(items[a], lang) for a in anchors}, **self.titles}
        self.catalog_ids = set(items) | set(self.by_id)
        self.picks: list[Pick] = []
        self.dropped: list[str] = []
        self.follow_up = ""

    def take(self, obj: dict) -> Pick | None:
        if isinstance(obj.get("follow_up"), str):
            self.follow_up = self.clean_follow_up(obj["follow_up"])
        raw_id = obj.get("id")
        if raw_id is None:
            return None
        item_id = str(raw_id).strip().strip("[]")
        if item_id not in self.by_id:
            self.dropped.append("a pick with an id outside the candidates was dropped")
            return None
        if any(p.id == item_id for p in self.picks) or len(self.picks) >= self.k:
            return None
        pick = Pick(id=item_id, **self.clean_reason(item_id, obj.get("reason")))
        self.picks.append(pick)
        return pick

    def template_reason(self, item_id: str) -> str:
        return explain_candidate(self.by_id[item_id], self.lang, self.items)

    def clean_reason(self, item_id: str, raw: object) -> dict:
        candidate = self.by_id[item_id]
        text = replace_ids(raw.strip(), self.cite_titles, self.catalog_ids) if isinstance(raw, str) else ""
        related = [self.items[r.detail] for r in candidate.reasons if r.detail in self.items]
        problems = FactChecker(candidate.item, related, self.user_state).problems(text) if text else ["empty"]
        if text and not _right_language(text, self.lang):
            problems.append("wrong language")
        if text and (leaks_prompt(text, self.protected) or looks_like_secret(text, self.secrets)):
            problems.append("prompt or secret")
        if len(text) > MAX_REASON_CHARS:
            problems.append("too long")
        if problems:
            self.dropped.append(f"reason for {item_id} replaced ({', '.join(problems)})")
            return {"reason": self.template_reason(item_id), "source": "template"}
        return {"reason": text, "source": "llm"}

    def clean_follow_up(self, raw: str) -> str:
        text = replace_ids(raw.strip(), self.titles, self.catalog_ids)
        if not text or len(text) > 200 or not self.by_id:
            return ""
        first, *rest = self.by_id.values()
        checker = FactChecker(first.item, [c.item for c in rest], self.user_state)
        if checker.problems(text) or leaks_prompt(text, self.protected) or looks_like_secret(text, self.secrets):
            self.dropped.append("follow-up question dropped")
            return ""
        return text

    def fill(self) -> int:
        """Complete the picks up to k from the ranker's order with no-LLM reasons; returns how many."""
        added = 0
        for item_id in self.by_id:
            if len(self.picks) >= self.k:
                break
            if all(p.id != item_id for p in self.picks):
                self.picks.append(Pick(id=item_id, reason=self.template_reason(item_id), source="template"))
                added += 1
        return added


def describe_candidates(candidates: Sequence[Candidate], lang: str, items: Mapping[str, Item],
                        selling_points: Mapping[str, Sequence[str]] | None = None) -> str:
    """The candidate list as the prompt shows it: one block per item, cited by [id]."""
    blocks = []
    for candidate in candidates:
        item = candidate.item
        facts = [item.kind] + ([str(item.year)] if item.year else []) + ([price_text(item)] if item.price else [])
        lines = [f"[{item.id}] {item.display_title(lang)} ({', '.join(facts)})"]
        if item.genres:
            lines.append("genres: " + ", ".join(item.genres))
        for role, names in item.people.items():
            if names:
                lines.append(f"{role}: " + ", ".join(names[:3]))
        points = (selling_points or {}).get(item.id) or []
        if points:
            lines.append("selling points: " + "; ".join(points))
        description = item.display_description(lang)
        if description:
            lines.append("description: " + description[:300])
        why = explain_candidate(candidate, lang, items)
        if why:
            lines.append("why the ranker chose it: " + why)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_reply(picks: Sequence[Pick], titles: Mapping[str, str], lang: str, follow_up: str = "",
                 note: str = "") -> str:
    """The user-visible answer: one numbered line per pick, then the follow-up question and the note."""
    sep = "：" if lang == "zh" else ": "
    lines = [f"{n}. {titles.get(p.id, p.id)}{sep}{p.reason}" for n, p in enumerate(picks, 1)]
    if follow_up:
        lines += ["", follow_up]
    if note:
        lines += ["", f"({note})" if lang != "zh" else f"（{note}）"]
    return "\n".join(lines)


def pick_and_explain(model: ChatModel | None, dialogue: str, user_state: str, candidates: Sequence[Candidate],
                     lang: str = "en", k: int = 3, budget_s: float = 20.0, *,
                     items: Mapping[str, Item] | None = None,
                     selling_points: Mapping[str, Sequence[str]] | None = None, max_new_tokens: int = 384,
                     temperature: float = 0.2, secrets: Sequence[str] = ()) -> Iterator[PickEvent]:
    """Stream validated picks from `candidates`, then one `done` event with the PickResult. Never raises;
    never yields an item outside `candidates` or a reason that fails the fact check."""
    started = time.monotonic()
    deadline = started + budget_s
    lang = "zh" if lang == "zh" else "en"
    items = dict(items or {})
    candidates = list(candidates)
    k = max(0, min(k, len(candidates)))
    prompt = load_prompt("pick", lang)
    validator = _Validator(candidates, lang, k, items, user_state, [prompt.system], secrets)
    titles = validator.titles
    timings: dict[str, float] = {}

    def finish(source: str, note_key: str = "") -> PickEvent:
        note = _NOTES[note_key][lang == "zh"] if note_key else ""
        result = PickResult(picks=validator.picks, follow_up=validator.follow_up, source=source, note=note,
                            dropped=validator.dropped,
                            timings_ms={**timings, "pick": round((time.monotonic() - started) * 1000, 1)})
        return PickEvent(type="done", result=result,
                         text=render_reply(result.picks, titles, lang, result.follow_up, note))

    if model is None or k == 0:
        validator.fill()
        yield finish("no-llm")
        return
    messages = prompt.render(dialogue=dialogue or "-", user_state=user_state or "-", k=k,
                             candidates=describe_candidates(candidates, lang, items, selling_points))
    scanner = _ObjectScanner()
    failure = ""
    try:
        first = True
        for chunk in stream_with_deadline(model, messages, deadline, max_new_tokens, temperature):
            if first:
                timings["first_chunk"] = round((time.monotonic() - started) * 1000, 1)
                first = False
            for obj in scanner.feed(chunk):
                pick = validator.take(obj)
                if pick:
                    yield PickEvent(type="pick", pick=pick, text=render_reply(validator.picks, titles, lang))
    except LLMError as exc:
        failure = "timeout" if "timeout" in str(exc) or "did not answer" in str(exc) else "error"
        log.warning("picker: model %s failed (%s); %d picks kept", model.name, exc, len(validator.picks))
    if failure:
        if validator.picks:
            added = validator.fill()
            yield finish("fallback" if added else "llm", "partial" if added else "")
        else:
            validator.fill()
            yield finish("fallback", failure)
        return
    if validator.picks:
        validator.fill()
        yield finish("llm")
        return
    # nothing usable: one repair attempt, then the ranker's order
    answer = scanner.buffer.strip()
    validator.dropped.append(f"the answer held no valid pick ({len(answer)} characters)")
    repair = load_prompt("repair", lang)
    error = "empty answer" if not answer else "no pick with an allowed id in valid JSON"
    repair_messages = repair.render(answer=answer[:1500] or "(empty)", error=error, k=k,
                                    ids=", ".join(f"[{c.item.id}]" for c in candidates))
    validator.protected = [prompt.system, repair.system]
    try:
        if deadline - time.monotonic() > 0.2:
            repaired = _ObjectScanner()
            for chunk in stream_with_deadline(model, repair_messages, deadline, max_new_tokens, 0.0):
                for obj in repaired.feed(chunk):
                    pick = validator.take(obj)
                    if pick:
                        yield PickEvent(type="pick", pick=pick, text=render_reply(validator.picks, titles, lang))
    except LLMError as exc:
        log.warning("picker: repair failed (%s)", exc)
    if validator.picks:
        validator.fill()
        yield finish("llm-repaired")
        return
    validator.fill()
    yield finish("fallback", "garbage" if deadline > time.monotonic() else "timeout")
