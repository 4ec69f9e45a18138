"""Paradigm 3: one model call per turn over the ranker's short list, as structured output, validated.

Roles: `pick` (the model chooses among the ranker's top candidates and says why) and `explain` (the ranker
has chosen; the model writes the reasons). Candidates are shown under one-letter ids. The answer is
constrained where the runtime allows it (llama.cpp, OpenAI-compatible servers and, through
lm-format-enforcer, transformers take a JSON schema: the ids as an enum, a reason in the asked language
and of bounded length); LangChain's partial JSON parser reads it while it streams, and each pick is
validated as soon as it is complete: the id must be a candidate, and the reason must pass the fact check
(grounding.py, claims.py), be in the right language, be whole (a reason cut by the bound keeps its
complete sentences or clauses), name no other candidate or liked item as its subject, claim nothing of
the person they did not say, not merely repeat the request or the prompt, leak nothing. Nothing
unvalidated leaves this module. On timeout, error or garbage the outcome says so and the caller keeps the
ranker's answer.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable
from langchain_core.utils.json import parse_json_markdown, parse_partial_json
from pydantic import BaseModel, ConfigDict, Field

from chatbot.errors import LLMError, PromptError
from chatbot.items import Item, Lang
from chatbot.llm.base import stream_within
from chatbot.llm.claims import describes_liked, describes_other, false_comparison, person_claims
from chatbot.llm.grounding import (FactChecker, leaks_prompt, looks_like_secret, mend_clipped_titles, prompt_words, repeats,
                                   replace_ids)
from chatbot.prompts import load_prompt
from chatbot.ranking.candidate import Candidate

log = logging.getLogger(__name__)

Role = Literal["pick", "explain"]
Failure = Literal["", "timeout", "error", "garbage", "busy"]
MAX_REASON_CHARS = {"en": 110, "zh": 40}  # one short sentence: fewer tokens to decode on a CPU
MIN_REASON_CHARS = 6
ABOUT_CHARS = {"en": 95, "zh": 30}  # the candidate's one line of story, shorter than a reason
LABELS = "abcdefghijklmnopqrstuvwxyz"  # the candidates' ids in the prompt: one token each, not a catalog slug
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (中文)"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_GARBLED = re.compile(r"[\ufffd\x00-\x08\x0b-\x1f\x7f]")  # undecodable bytes, control characters
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)")


class Pick(BaseModel):
    id: str
    reason: str = ""  # empty when the model's reason was rejected (the caller writes one from facts)
    personal: bool = False  # the reason ties the item to the person (names a title they liked)


class PickOutcome(BaseModel):
    role: Role
    picks: list[Pick] = Field(default_factory=list)  # valid ids in the model's order
    rejected: list[str] = Field(default_factory=list)  # what validation removed, and why
    failure: Failure = ""
    timings_ms: dict[str, float] = Field(default_factory=dict)  # first_token, done

    @property
    def reasons(self) -> int:
        """How many of the model's reasons passed the check."""
        return sum(bool(p.reason) for p in self.picks)


class PickEvent(BaseModel):
    """The validated picks so far; `outcome` is set on the last event."""

    picks: list[Pick]
    outcome: PickOutcome | None = None


class PickRequest(BaseModel):
    """What the model is shown: the person's message, what we know, and the candidates (ranker's order)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    message: str
    wants: str = "-"
    candidates: list[Candidate]
    lang: Lang = "en"
    k: int = 3
    role: Role = "explain"
    items: Mapping[str, Item] = Field(default_factory=dict)  # the catalog: liked anchors a reason may cite
    liked_ids: list[str] = Field(default_factory=list)  # what the person said they liked (a reason may cite it)
    selling_points: Mapping[str, Sequence[str]] = Field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def offered_ids(self) -> list[str]:
        return [c.item.id for c in self.offered]

    def labels(self) -> dict[str, str]:
        """The prompt's short id of each offered candidate -> its catalog id."""
        return {label: c.item.id for label, c in zip(LABELS, self.offered)}

    @property
    def offered(self) -> list[Candidate]:
        """The candidates in the prompt: the top k to explain, or the whole short list to pick from."""
        return self.candidates[: self.k] if self.role == "explain" else self.candidates


def reason_pattern(lang: str) -> str:
    """The reason's language and length by construction: Chinese starts with a Chinese character (or 《);
    English holds none. No quote or backslash (no escapes to decode)."""
    most = MAX_REASON_CHARS[lang]
    if lang == "zh":
        return f'^[\u4e00-\u9fff《][^"\\\\]{{{MIN_REASON_CHARS - 1},{most - 1}}}$'
    return f'^[^\u4e00-\u9fff"\\\\]{{{MIN_REASON_CHARS},{most}}}$'


def answer_schema(ids: Sequence[str], k: int, lang: Lang) -> dict:
    """JSON schema of the answer: ids from the candidates only, reasons in the language, bounded in length."""
    pick = {"type": "object", "additionalProperties": False, "required": ["id", "reason"],
            "properties": {"id": {"type": "string", "enum": list(ids)},
                           "reason": {"type": "string", "minLength": MIN_REASON_CHARS,
                                      "maxLength": MAX_REASON_CHARS[lang], "pattern": reason_pattern(lang)}}}
    return {"type": "object", "additionalProperties": False, "required": ["picks"],
            "properties": {"picks": {"type": "array", "items": pick, "minItems": 1, "maxItems": k}}}


def constrained(model: BaseChatModel, schema: dict, max_tokens: int) -> Runnable:
    """The model bound to the schema (OpenAI-style `response_format`, which llama.cpp also takes); servers
    that refuse a JSON schema (HTTP 400) fall back to plain JSON mode, via LangChain's `with_fallbacks`."""
    strict = model.bind(max_tokens=max_tokens, temperature=0.0, response_format={
        "type": "json_schema", "json_schema": {"name": "picks", "schema": schema}})
    loose = model.bind(max_tokens=max_tokens, temperature=0.0, response_format={"type": "json_object"})
    try:
        from openai import BadRequestError
    except ImportError:  # pragma: no cover - openai is a dependency
        return strict
    return strict.with_fallbacks([loose], exceptions_to_handle=(BadRequestError,))


def _ended(text: str) -> str:
    """`text` ending a sentence: a full stop in its script when it has none."""
    text = text.rstrip(" ,;，；")
    return text if text[-1:] in ".!?。！？" else text + ("。" if _CJK.search(text[-1:]) else ".")


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence; when longer than `limit`, its clauses that fit (a small model copies this line,
    and a copy longer than the reason's bound would be cut)."""
    sentence = re.split(r"(?<=[.!?。！？])\s*", text.strip(), maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = max(sentence.rfind(mark, 0, limit) for mark in (", ", "，", "; ", "；"))
    return _ended(sentence[:cut]) if cut > limit // 3 else ""


def describe_candidates(request: PickRequest) -> str:
    """The compact candidate list: one line each (short id, title, year, genres or category, price, people,
    tags, one line of story or selling point)."""
    lines = []
    for label, candidate in zip(LABELS, request.offered):
        item = candidate.item
        facts = [str(item.year)] if item.year else []
        facts += [", ".join(item.genres[:3])] if item.genres else []
        if item.price is not None:
            facts.append(f"{item.price:g} {item.currency or ''}".strip())
        for role, names in list(item.people.items())[:1]:  # director or brand: what a reason may name
            if names:
                facts.append(f"{role}: {', '.join(names[:2])}")
        facts += [", ".join(item.tags[:3])] if item.tags and request.lang == "en" else []
        about = (request.selling_points.get(item.id) or [""])[0] or \
            _first_sentence(item.display_description(request.lang), ABOUT_CHARS[request.lang])
        lines.append(f"[{label}] {item.display_title(request.lang)} ({'; '.join(facts)}) - {about}")
    return "\n".join(lines)


def without_scaffolding(text: str) -> str:
    """The text without clauses that copy the prompt's labels ("..., filters: only animation.")."""
    clauses = re.split(r"(?<=[,;，；])\s*", text)
    kept = [c for c in clauses if not prompt_words(c)]
    if len(kept) == len(clauses) or not kept:
        return text
    return _ended(" ".join(kept))


def complete_sentences(text: str, limit: int) -> str:
    """`text` when the schema's length bound did not cut it (short, or ending a sentence); else its complete
    sentences, else its complete clauses when they hold at least half of it, or "" (cut off)."""
    text = text.strip()
    if len(text) < 0.8 * limit or _SENTENCE_END.search(text[-1:]):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if ends and ends[-1] >= MIN_REASON_CHARS * 3:
        return text[: ends[-1]]
    clause = max(text.rfind(mark) for mark in (", ", "; ", "，", "；"))  # else its complete clauses
    if clause >= limit // 2:
        return _ended(text[:clause])
    return ""


def lists_facts(text: str) -> bool:
    """Four or more comma-separated bits, all but the first of one to three words: the candidate's line copied,
    not a sentence."""
    parts = [p.strip() for p in re.split(r"[,，、;；]", text.rstrip(".。!！")) if p.strip()]
    return len(parts) >= 4 and all(len(p) <= 6 if _CJK.search(p) else len(p.split()) <= 3 for p in parts[1:])


def _right_language(text: str, lang: str) -> bool:
    """Chinese text must hold Chinese; English text may quote a Chinese title but not be mostly Chinese."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 if lang == "zh" else cjk <= sum(ch.isascii() and ch.isalpha() for ch in text)


class _Validator:
    """Turns the model's raw picks into validated ones, for one turn."""

    def __init__(self, request: PickRequest, protected: Sequence[str]) -> None:
        self.request = request
        self.by_id = {c.item.id: c for c in request.offered}
        self.labels = request.labels()
        self.liked = [request.items[i] for i in request.liked_ids if i in request.items]
        self.liked_titles = [t for i in self.liked for t in (i.title, i.title_zh) if t]
        anchors = {r.detail for c in request.offered for r in c.reasons if r.detail in request.items}
        anchors |= {i.id for i in self.liked}
        # a reason may cite a liked anchor or a candidate by [id]: the citation becomes its title
        self.titles = {**{a: request.items[a].display_title(request.lang) for a in anchors},
                       **{i: c.item.display_title(request.lang) for i, c in self.by_id.items()},
                       **{label: self.by_id[i].item.display_title(request.lang) for label, i in self.labels.items()}}
        self.protected = protected
        self.picks: list[Pick] = []
        self.rejected: list[str] = []
        self.seen = 0

    def take(self, raw_picks: list, complete: bool) -> bool:
        """Validate the picks not seen yet (all when `complete`, else all but the last, still streaming)."""
        upto = len(raw_picks) if complete else len(raw_picks) - 1
        added = False
        for raw in raw_picks[self.seen: max(self.seen, upto)]:
            added |= self._one(raw)
        self.seen = max(self.seen, upto)
        return added

    def _one(self, raw: object) -> bool:
        if not isinstance(raw, dict):
            self.rejected.append("a pick that is not an object")
            return False
        raw_id = str(raw.get("id", "")).strip().strip("[]")
        item_id = self.labels.get(raw_id, raw_id)
        if item_id not in self.by_id:
            self.rejected.append("id not among the candidates")  # the trace never names an outside item
            return False
        if any(p.id == item_id for p in self.picks) or len(self.picks) >= self.request.k:
            return False
        written = raw.get("reason")
        text = self.clean(written)
        problems = ["cut off"] if isinstance(written, str) and written.strip() and not text else \
            self.problems(item_id, text)
        if problems:
            self.rejected.append(f"reason for {item_id}: {', '.join(problems)}")
        reason = "" if problems else text
        self.picks.append(Pick(id=item_id, reason=reason, personal=bool(reason) and self.personal(reason)))
        return True

    def personal(self, text: str) -> bool:
        """Does the reason tie the item to this person: does it name a title they liked? (Sharing a word with
        their message is no tie: a small model often just echoes "a sci-fi film" back.)"""
        lowered = text.lower()
        return any(t.lower() in lowered for t in self.liked_titles)

    def clean(self, raw: object) -> str:
        catalog_ids = set(self.request.items) | set(self.by_id)
        if not isinstance(raw, str):
            return ""
        text = without_scaffolding(complete_sentences(raw, MAX_REASON_CHARS[self.request.lang]))
        return mend_clipped_titles(replace_ids(text, self.titles, catalog_ids), self.titles.values())

    def problems(self, item_id: str, text: str) -> list[str]:
        """Why the cleaned reason `text` written for `item_id` cannot be shown (empty when it can)."""
        lang = self.request.lang
        if len(text) < MIN_REASON_CHARS:
            return ["empty"]
        if _GARBLED.search(text):
            return ["garbled"]
        candidate = self.by_id[item_id]
        related = [self.request.items[r.detail] for r in candidate.reasons if r.detail in self.request.items]
        found = FactChecker(candidate.item, [*related, *self.liked],  # their numbers: said now or earlier
                            f"{self.request.message} {self.request.wants}").problems(text)
        other = describes_other(text, candidate.item, [c.item for c in self.request.candidates],
                                self.liked_titles) or \
            describes_liked(text, self.liked)
        if other:
            found.append(f"describes {other}")
        wrong = false_comparison(text, self.liked)
        if wrong:
            found.append(f"compares falsely ({wrong})")
        if describes_liked(text, [candidate.item]):
            found.append("says what it is, not why it fits")  # "YOLO is a comedy…", "流浪地球2是一部科幻片…"
        if lists_facts(text):
            found.append("a list of facts")  # "…Headphones, 499 CNY, noise cancelling, over-ear, wireless."
        found += person_claims(text, self.request.message, self.liked)
        if not _right_language(text, lang):
            found.append("wrong language")
        if leaks_prompt(text, self.protected) or looks_like_secret(text, self.request.secrets) or \
                prompt_words(text):
            found.append("prompt or secret")
        if repeats(text, self.request.message):
            found.append("repeats the request")
        if len(text) > MAX_REASON_CHARS[lang]:
            found.append("too long")
        return found


def _parse(text: str, complete: bool) -> list:
    """The `picks` list of the answer so far (partial JSON while streaming)."""
    try:
        value = parse_json_markdown(text) if complete else parse_partial_json(text)
    except (ValueError, json.JSONDecodeError):
        value = None
    if isinstance(value, dict) and isinstance(value.get("picks"), list):
        return value["picks"]
    return []


def pick_and_explain(model: BaseChatModel, request: PickRequest, deadline: float, *, max_tokens: int = 256,
                     describe_error: Callable[[Exception], LLMError] | None = None) -> Iterator[PickEvent]:
    """Stream validated picks, then one event with the outcome. Never raises; never yields an id outside
    the candidates or a reason that fails the check."""
    started = time.monotonic()
    outcome = PickOutcome(role=request.role)
    try:
        prompt = load_prompt(request.role, request.lang)
        messages = prompt.render(message=request.message or "-", wants=request.wants or "-",
                                 candidates=describe_candidates(request), k=min(request.k, len(request.offered)),
                                 language=LANGUAGE_NAMES[request.lang])
    except PromptError as exc:
        log.error("picker prompt failed: %s", exc)
        outcome.failure = "error"
        yield PickEvent(picks=[], outcome=outcome)
        return
    validator = _Validator(request, [prompt.system, request.wants])
    schema = answer_schema(list(validator.labels), request.k, request.lang)
    text = ""
    try:
        for chunk in stream_within(constrained(model, schema, max_tokens), messages, deadline, describe_error):
            if not text:
                outcome.timings_ms["first_token"] = round((time.monotonic() - started) * 1000, 1)
            text += chunk
            closed = text.rstrip().rstrip(",").endswith("}")  # the last pick so far is complete
            if validator.take(_parse(text, complete=False), complete=closed):
                yield PickEvent(picks=list(validator.picks))
        validator.take(_parse(text, complete=True), complete=True)
        if not validator.picks:
            outcome.failure = "garbage"
            validator.rejected.append(f"no usable pick in {len(text)} characters")
    except LLMError as exc:
        outcome.failure = "timeout" if str(exc).startswith("timeout") else "error"
        validator.rejected.append(str(exc)[:120] if outcome.failure == "timeout" else f"error: {str(exc)[:120]}")
        log.warning("picker: model failed (%s); %d picks kept", exc, len(validator.picks))
    outcome.picks, outcome.rejected = validator.picks, validator.rejected
    outcome.timings_ms["done"] = round((time.monotonic() - started) * 1000, 1)
    yield PickEvent(picks=list(validator.picks), outcome=outcome)


def prefill(model: BaseChatModel, role: Role) -> None:
    """Have the runtime read the turn prompt's system part once (llama.cpp keeps it in the chat slot's cache),
    so that the first person's turn does not wait for it. Failures are only logged."""
    try:
        messages = load_prompt(role, "en").render(message="-", wants="-", candidates="-", k=1, language="English")
        model.bind(max_tokens=1, temperature=0.0).invoke(messages)
    except Exception as exc:  # a warm-up, never fatal
        log.info("prompt prefill skipped: %s", type(exc).__name__)
