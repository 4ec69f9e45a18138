"""Play conversation suites through the chat service the app uses and score every check.

Each conversation gets a fresh session; each turn is played exactly as the UI plays it (all streamed
updates consumed). "Picks" are the cards of the turn's final update; the time to the first update that
carries cards is what a person waits before seeing anything. The summary's fields are FORMAT.md's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from chatbot.benchmarks.stats import percentiles_ms
from chatbot.evaluation.checks import CheckResult, TurnJudge, TurnOutcome
from chatbot.evaluation.suite import ResolvedConversation, SuiteLoader
from chatbot.service import ChatService

log = logging.getLogger(__name__)

# trace.picker -> the word the summary counts (the decision panel's "picked by")
PICKER_WORDS = {"no-llm": "ranker", "fallback": "fallback", "llm": "llm", "llm-repaired": "llm-repaired"}
SLOWEST_KEPT = 5  # the slowest turns, named in the human report
CHECK_ORDER = ("picks_subset_of", "first_pick_in", "picks_include_any", "picks_exclude", "n_picks", "min_picks",
               "max_picks", "where", "no_repeat", "reply_lang", "reply_mentions_any", "reply_excludes", "liked",
               "liked_include", "disliked_include", "liked_exclude")


class Failure(BaseModel):
    conversation: str
    turn: int
    check: str
    expected: str
    got: str


class FailureDetail(Failure):
    """A failure with what the person wrote and where, for reports (not part of the JSON summary)."""

    suite: str
    lang: str
    user: str


class Count(BaseModel):
    checks: int = 0
    passed: int = 0

    def add(self, passed: bool) -> None:
        self.checks += 1
        self.passed += int(passed)


class Summary(BaseModel):
    """FORMAT.md's summary line, field for field."""

    suites: list[str]
    conversations: int
    turns: int
    checks: int
    passed: int
    pass_rate: float
    by_check: dict[str, Count]
    by_lang: dict[str, Count]
    llm: str
    turn_ms_p50: float
    turn_ms_p95: float
    first_cards_ms_p50: float
    first_cards_ms_p95: float
    picker_sources: dict[str, int]
    failures: list[Failure]


class PlayedTurn(BaseModel):
    outcome: TurnOutcome
    turn_s: float
    first_cards_s: float | None = None
    picker: str = ""


class SuiteRun(BaseModel):
    """Everything one run measured; `summary()` gives the JSON line."""

    suites: list[str]
    llm: str
    conversations: int = 0
    turns: int = 0
    by_check: dict[str, Count] = Field(default_factory=dict)
    by_lang: dict[str, Count] = Field(default_factory=dict)
    turn_s: list[float] = Field(default_factory=list)
    first_cards_s: list[float] = Field(default_factory=list)
    picker_sources: dict[str, int] = Field(default_factory=lambda: {"ranker": 0, "llm": 0, "fallback": 0})
    failures: list[FailureDetail] = Field(default_factory=list)
    slowest: list[tuple[float, str, int, str]] = Field(default_factory=list)  # (ms, conversation, turn, user)

    def record(self, conv: ResolvedConversation, number: int, played: PlayedTurn, results: list[CheckResult],
               user: str) -> None:
        self.turns += 1
        self.turn_s.append(played.turn_s)
        self.slowest = sorted([*self.slowest, (round(played.turn_s * 1000, 1), conv.id, number, user)],
                              reverse=True)[:SLOWEST_KEPT]
        if played.first_cards_s is not None:
            self.first_cards_s.append(played.first_cards_s)
        if played.outcome.picks and played.picker:
            word = PICKER_WORDS.get(played.picker, played.picker)
            self.picker_sources[word] = self.picker_sources.get(word, 0) + 1
        for result in results:
            self.by_check.setdefault(result.check, Count()).add(result.passed)
            self.by_lang.setdefault(conv.lang, Count()).add(result.passed)
            if not result.passed:
                self.failures.append(FailureDetail(conversation=conv.id, turn=number, suite=conv.suite, lang=conv.lang,
                                                   user=user, **result.model_dump()))

    def summary(self) -> Summary:
        checks = sum(c.checks for c in self.by_check.values())
        passed = sum(c.passed for c in self.by_check.values())
        turn_ms, cards_ms = percentiles_ms(self.turn_s), percentiles_ms(self.first_cards_s)
        order = {name: i for i, name in enumerate(CHECK_ORDER)}
        return Summary(
            suites=self.suites, conversations=self.conversations, turns=self.turns, checks=checks, passed=passed,
            pass_rate=round(passed / checks, 4) if checks else 0.0,
            by_check=dict(sorted(self.by_check.items(), key=lambda kv: order.get(kv[0], len(order)))),
            by_lang=dict(sorted(self.by_lang.items())), llm=self.llm,
            turn_ms_p50=turn_ms["p50_ms"], turn_ms_p95=turn_ms["p95_ms"],
            first_cards_ms_p50=cards_ms["p50_ms"], first_cards_ms_p95=cards_ms["p95_ms"],
            picker_sources=self.picker_sources,
            failures=[Failure(**f.model_dump(include=set(Failure.model_fields))) for f in self.failures],
        )


def llm_word(service: ChatService) -> str:
    """'none' in the no-LLM mode, else the active backend in the status line's words."""
    status = service.llm.status()
    return "none" if status.state == "off" else status.mode


def play_turn(service: ChatService, session, message: str) -> PlayedTurn:
    """One turn as the UI plays it: every streamed update consumed, the final one kept."""
    started = time.perf_counter()
    first_cards, final = None, None
    try:
        for update in service.respond(session, message):
            if first_cards is None and update.cards:
                first_cards = time.perf_counter() - started
            final = update
    except Exception as exc:  # a crashing turn fails its checks; the suite goes on
        log.exception("turn failed: %r", message)
        return PlayedTurn(outcome=TurnOutcome(error=f"{type(exc).__name__}: {exc}"),
                          turn_s=time.perf_counter() - started)
    elapsed = time.perf_counter() - started
    if final is None:
        return PlayedTurn(outcome=TurnOutcome(error="the service yielded no update"), turn_s=elapsed)
    outcome = TurnOutcome(picks=[card.item_id for card in final.cards], reply=final.text,
                          liked=list(session.state.liked_ids), disliked=list(session.state.disliked_ids))
    picker = final.trace.picker if final.trace else ""
    return PlayedTurn(outcome=outcome, turn_s=elapsed, first_cards_s=first_cards, picker=picker)


def run_conversations(service: ChatService, loader: SuiteLoader, conversations: Sequence[ResolvedConversation],
                      suites: Sequence[str], progress: Callable[[str], None] | None = None) -> SuiteRun:
    """Play every conversation (a fresh session each) and score its checks."""
    for catalog in dict.fromkeys(c.catalog for c in conversations):
        service.engines.get(catalog)  # index once before timing anything
    run = SuiteRun(suites=list(suites), llm=llm_word(service))
    judges = {c.catalog: TurnJudge(loader.refs(c.catalog).items) for c in conversations}
    for count, conv in enumerate(conversations, start=1):
        session = service.new_session(conv.catalog, conv.lang)
        earlier: list[str] = []
        for number, turn in enumerate(conv.turns, start=1):
            played = play_turn(service, session, turn.user)
            played.outcome.earlier_picks = list(earlier)
            results = judges[conv.catalog].judge(turn, played.outcome)
            run.record(conv, number, played, results, turn.user)
            earlier += [p for p in played.outcome.picks if p not in earlier]
        run.conversations += 1
        if progress and count % 10 == 0:
            progress(f"{count}/{len(conversations)} conversations played")
    return run
