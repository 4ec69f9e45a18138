"""The multi-turn dialogue manager: one turn = understand the message, update the session's state,
retrieve and rank (paradigm 1), enrich with selling points and interest tags (paradigm 2), pick and
explain (paradigm 3).

It holds no per-user state: the `ChatSession` (with its `DialogueState`) is passed in every turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from chatbot.config import Settings
from chatbot.dialogue.answers import answer, best_of
from chatbot.dialogue.cards import item_card, user_state_text
from chatbot.dialogue.cues import REPLACE_ONE
from chatbot.dialogue.explain_trace import describe_turn, trace_candidates
from chatbot.dialogue.extraction import extract_and_merge
from chatbot.dialogue.message import ParsedMessage
from chatbot.dialogue.parser import parse_message
from chatbot.dialogue.phrases import describe_constraints, say
from chatbot.dialogue.question_pool import question_pool
from chatbot.dialogue.reasons import ReasonContext, about_text, explain, reason_context, ties_to_liked
from chatbot.dialogue.session import ChatSession
from chatbot.dialogue.state import DialogueState
from langchain_core.language_models import BaseChatModel

from chatbot.engine import CatalogEngine
from chatbot.items import Item, Lang
from chatbot.dialogue.model_step import ModelStep, note_line, render_reply
from chatbot.dialogue.selection import cheapest_fitting_the_rest, past_the_shown, ranked_candidates
from chatbot.llm.budget import TurnBudget
from chatbot.llm.factory import LLMHandle
from chatbot.llm.picker import Pick, PickRequest
from chatbot.llm.selling_points import SellingPointCache, selling_points_for
from chatbot.item_text import interest_tags_from_facts, join_words, price_text, quoted_title, selling_points_from_facts
from chatbot.ranking.request import RankRequest
from chatbot.ranking.request_builder import RECOMMENDED_MEMORY, ConversationFacts, build_request
from chatbot.ranking.candidate import Candidate
from chatbot.sanitize import clean_message, has_words
from chatbot.turn import DecisionTrace, ItemCard, TurnUpdate

log = logging.getLogger(__name__)

MAX_COMPARE = 5
MAX_ABOUT = 3
SMALL_TALK_PHRASE = {"greeting": "greeting", "thanks": "thanks", "bye": "thanks", "other": "small_talk"}


@dataclass
class _Turn:
    """What one turn works with: read once at its start (the model too, so a turn never mixes modes)."""

    engine: CatalogEngine
    session: ChatSession
    text: str  # the cleaned message
    trace: DecisionTrace
    budget: TurnBudget  # how long the model may work on this turn
    model: BaseChatModel | None
    notes: list[str] = field(default_factory=list)  # said before the answer (truncation, titles not found)
    first: bool = False  # the conversation's first turn
    previous: list[str] = field(default_factory=list)  # the list shown before this turn

    @property
    def lang(self) -> Lang:
        return self.session.lang

    @property
    def state(self) -> DialogueState:
        return self.session.state


class DialogueManager:
    """Process-wide and stateless: every turn works on the session it is given."""

    def __init__(self, settings: Settings, llm: LLMHandle, cache: SellingPointCache | None) -> None:
        self.settings = settings
        self.llm = llm
        self.cache = cache

    # -- one turn ---------------------------------------------------------------------------------
    def turn(self, engine: CatalogEngine, session: ChatSession, message: str) -> Iterator[TurnUpdate]:
        started = time.monotonic()
        session.state.language = session.lang
        clean = clean_message(message, self.settings.max_message_chars)
        budget = TurnBudget(self.settings.llm_turn_budget_s, self.settings.llm_extraction_budget_s, started)
        turn = _Turn(engine, session, clean.text, DecisionTrace(llm_mode=self.llm.status().mode), budget,
                     self.llm.model)
        if clean.truncated:
            turn.notes.append(say(session.lang, "truncated", limit=self.settings.max_message_chars))
        if not has_words(clean.text):
            turn.trace.intent = "empty"
            yield self._finish(turn, say(session.lang, "empty", engine.kind), session.cards)
            return
        first_turn = session.state.turn_count == 0
        parsed = parse_message(clean.text, engine.titles, session.state.parse_context())
        turn.trace.timings_ms["parse"] = _ms(started)
        if turn.model is not None and self.settings.llm_extraction and parsed.intent == "unknown" \
                and not parsed.off_topic:  # the parser knows the catalog cannot answer it: no model guess
            # the model reads the message only when the parser found nothing to act on
            turn.trace.notes += extract_and_merge(turn.model, clean.text, parsed, engine.titles,
                                                  budget.extraction_deadline - time.monotonic(), engine.kind)
            turn.trace.timings_ms["extract"] = _ms(started)
        session.lang = parsed.language
        turn.previous = list(session.state.last_candidates)
        session.state.apply(parsed)
        turn.trace.intent = parsed.intent
        turn.first = first_turn
        if parsed.not_found and parsed.intent != "missing":
            turn.notes.append(say(turn.lang, "not_found", names=join_words([f"“{n}”" for n in parsed.not_found],
                                                                           turn.lang)))
        fresh_request = parsed.intent == "start_over" and (not parsed.constraint_update.is_empty() or parsed.liked_ids
                                                           or parsed.preferences)
        if fresh_request:  # "重新来，我想看爱情片": the state was wiped, and this is the new request
            turn.previous, turn.first = [], True
        handler = self._recommend if fresh_request else {
            "start_over": self._start_over,
            "small_talk": self._small_talk,
            "unknown": self._small_talk,
            "ask_about": self._ask_about,
            "compare": self._compare,
            "question": self._question,
            "missing": self._missing,
        }.get(parsed.intent, self._recommend)
        yield from handler(turn, parsed)

    # -- intents ----------------------------------------------------------------------------------
    def _start_over(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        turn.session.picks = []
        yield self._finish(turn, say(turn.lang, "start_over", turn.engine.kind), [])

    def _small_talk(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        key = SMALL_TALK_PHRASE.get(parsed.small_talk or "", "empty" if parsed.intent == "unknown" else "small_talk")
        if parsed.off_topic:
            key = "off_topic"
        elif key == "empty" and not turn.state.last_candidates:
            key = "greeting"
        yield self._finish(turn, say(turn.lang, key, turn.engine.kind), [])  # small talk recommends nothing

    def _ask_about(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        engine, session, lang, trace = turn.engine, turn.session, turn.lang, turn.trace
        targets = [i for i in parsed.target_ids if i in engine.items][:MAX_ABOUT]
        if not targets:
            shown = len(turn.state.last_candidates)
            yield self._finish(turn, say(lang, "only_n_shown" if parsed.beyond_list and shown else "no_reference", n=shown),
                               session.cards)
            return
        shown = {card.item_id: card for card in session.picks}
        if parsed.wants_explanation and len(targets) > 1 and all(t in shown for t in targets):
            why = render_reply([Pick(id=t, reason=shown[t].why) for t in targets],
                               {t: shown[t].title for t in targets}, lang)
            trace.picked, trace.picker = targets, "no-llm"
            yield self._finish(turn, f"{say(lang, 'why_intro')}\n{why}", session.picks)
            return
        candidates = engine.ranker.rank(self._request(turn.state, parsed, exclude=[]), k=len(targets),
                                        only_ids=targets)
        by_id = {c.item.id: c for c in candidates}
        ctx = self._reason_context(turn)
        points = self._selling_points(turn, [engine.items[t] for t in targets])
        blocks, cards = [], []
        for item_id in targets:
            item = engine.items[item_id]
            why = explain(item, ctx, len(blocks), by_id.get(item_id), engine.items)
            blocks.append(about_text(item, lang, points.get(item_id, []), why))
            cards.append(item_card(item, lang, points.get(item_id, []), why))
        self._trace_candidates(turn, candidates)
        trace.picked, trace.picker = targets, "no-llm"
        turn.state.shown_ids += [t for t in targets if t not in turn.state.shown_ids]
        yield self._finish(turn, "\n\n".join(blocks), cards)

    def _compare(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        ids = [i for i in parsed.compare_ids if i in turn.engine.items][:MAX_COMPARE]
        if len(ids) < 2:
            shown = turn.state.last_candidates
            key = "compare_only_one" if len(shown) == 1 and parsed.referenced_ids else "compare_need_two"
            title = quoted_title(turn.engine.items[shown[0]], turn.lang) if key == "compare_only_one" else ""
            yield self._finish(turn, say(turn.lang, key, turn.engine.kind, title=title), turn.session.cards)
            return
        request = self._request(turn.state, parsed, exclude=[])
        request.mentioned_ids = [i for i in request.mentioned_ids if i not in ids]
        turn.trace.query = request.query_text
        started = time.monotonic()
        candidates = turn.engine.ranker.rank(request, k=len(ids), only_ids=ids)
        turn.trace.timings_ms["retrieve"] = _ms(started)
        if parsed.wants_one and len(candidates) >= 2:
            yield from self._choose_one(turn, candidates)
            return
        yield from self._pick(turn, candidates, len(candidates), say(turn.lang, "intro_compare"))

    def _choose_one(self, turn: _Turn, candidates: list[Candidate], keep_choice: Sequence[str] = ()
                    ) -> Iterator[TurnUpdate]:
        """'Which of A, B and C?': one pick with its reasons, then the runner-up; the card shows the pick. The
        ranker chooses (a small model chooses worse); with a model, it words the two reasons."""
        engine, lang = turn.engine, turn.lang
        ctx = self._reason_context(turn)
        self._trace_candidates(turn, candidates)
        fits = turn.state.constraints.accepts  # "not too heavy": those that fit what was asked come first
        candidates = sorted(candidates, key=lambda c: (not fits(c.item), -ties_to_liked(c.item, ctx)))  # stable
        ranker = [Pick(id=c.item.id, reason=explain(c.item, ctx, n, c, engine.items))
                  for n, c in enumerate(candidates[:2])]
        best = candidates[0].item
        points = self._selling_points(turn, [best])
        turn.state.record_shown([c.item.id for c in candidates])
        turn.state.focus_id = best.id
        turn.state.choice_ids = list(keep_choice) or [c.item.id for c in candidates]
        turn.trace.picker, turn.trace.picked, turn.trace.ranker_picked = "no-llm", [best.id], [best.id]
        turn.trace.timings_ms["first_cards"] = _ms(turn.budget.started)

        def reply(picks: list[Pick]) -> tuple[str, list[ItemCard]]:
            first, second = (engine.items[p.id] for p in picks[:2])
            text = "\n".join([say(lang, "choose_one", title=quoted_title(first, lang), why=picks[0].reason),
                              say(lang, "runner_up", title=quoted_title(second, lang), why=picks[1].reason)])
            return text, [item_card(first, lang, points.get(first.id, []), picks[0].reason)]

        picks, note = ranker, ""
        for picks, note in self._model_step(turn, candidates[:2], ranker, role="explain"):
            text, cards = reply(picks)
            yield TurnUpdate(text=text, cards=cards, lang=lang, thinking=True)
        text, cards = reply(picks)
        turn.session.picks = cards
        yield self._finish(turn, text + (f"\n\n{note_line(note, lang)}" if note else ""), cards)

    def _question(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        """A question about shown items, answered from the catalog; the cards stay as they are."""
        items = [turn.engine.items[i] for i in parsed.target_ids if i in turn.engine.items][:MAX_COMPARE]
        items = question_pool(parsed, items, turn.state.constraints, turn.engine.items, turn.engine.titles.terms)
        if not items or parsed.question is None:
            yield self._finish(turn, say(turn.lang, "no_reference"), turn.session.cards)
            return
        winner = best_of(parsed.question, items)
        subjects = [winner] if winner is not None else items[:MAX_COMPARE]
        turn.trace.picker, turn.trace.picked = "no-llm", [i.id for i in subjects]
        shown = {card.item_id: card for card in turn.session.cards}
        cards = [shown.get(i.id) or item_card(i, turn.lang, [], "") for i in subjects]
        if winner is not None:
            turn.state.focus_id = winner.id
        yield self._finish(turn, answer(parsed.question, items, turn.lang), cards)

    def _missing(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        """An item the catalog lacks: say so, then the closest things it has (by the name's meaning)."""
        lang = turn.lang
        head = say(lang, "missing", name=f"“{parsed.missing}”")
        request = RankRequest(query_text=parsed.missing, exclude_ids=list(turn.state.disliked_ids))
        candidates = turn.engine.ranker.rank(request, k=MAX_ABOUT)
        if not candidates:
            yield self._finish(turn, head, turn.session.cards)
            return
        shared = set.intersection(*(set(c.item.tags) for c in candidates)) & turn.engine.titles.terms.kind_tags
        if shared:  # "the closest thing?" next: more of the kind these alternatives are (earbuds for AirPods)
            turn.state.constraints = turn.state.constraints.model_copy(update={"tags_any": sorted(shared)})
        yield from self._pick(turn, candidates, MAX_ABOUT, f"{head}\n{say(lang, 'missing_alternatives')}")

    def _beyond(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate] | None:
        """'Anything lighter?' / '有没有大一点的': the same kind of thing past the lightest (biggest...) item shown,
        or a plain 'nothing is'; None when the catalog does not measure what was shown that way."""
        want, lang = parsed.beyond, turn.lang
        found = past_the_shown(turn.engine, turn.state, turn.previous, want, lang)
        if found is None:
            return None
        best, value, pool = found
        title, key = quoted_title(best, lang), f"{want.fact}_{want.direction}"
        if not pool:
            return iter([self._finish(turn, say(lang, f"nothing_beyond_{key}", title=title, value=value), turn.session.cards)])
        candidates = turn.engine.ranker.rank(self._request(turn.state, parsed, exclude=[]),
                                             k=self.settings.recommendations_per_turn, only_ids=pool)
        return self._pick(turn, candidates, len(candidates), say(lang, f"beyond_{key}", title=title, value=value))

    def _recommend(self, turn: _Turn, parsed: ParsedMessage) -> Iterator[TurnUpdate]:
        engine, state, lang = turn.engine, turn.state, turn.lang
        beyond = self._beyond(turn, parsed) if parsed.beyond is not None else None
        if beyond is not None:
            yield from beyond
            return
        remaining = [] if parsed.intent != "refine" or parsed.new_topic or parsed.liked_ids else \
            state.choice_left(turn.engine.items, parsed.wants_more and not (parsed.seen_ids or parsed.disliked_ids
                                                                             or parsed.replace_one))
        if remaining:
            # a critique right after "which of A, B and C": choose again among those still in the running
            candidates = engine.ranker.rank(self._request(state, parsed, exclude=[]), k=len(remaining), only_ids=remaining)
            if len(candidates) >= 2:
                yield from self._choose_one(turn, candidates, keep_choice=remaining)
                return
            if candidates:
                yield from self._pick(turn, candidates, 1, say(lang, "intro_replace"))
                return
        if parsed.liked_ids or parsed.preferred_genres or parsed.preferences or parsed.intent == "recommend":
            self._interest_tags(turn)
        targets = parsed.target_ids if parsed.intent == "more_like" else []
        seen = [*state.shown_ids, *state.liked_ids, *state.disliked_ids, *state.mentioned_ids, *state.seen_ids, *targets]
        request = self._request(state, parsed, exclude=seen, anchors=targets)
        turn.trace.query = request.query_text
        started = time.monotonic()
        wanted = 1 if parsed.replace_one or parsed.just_one else self.settings.recommendations_per_turn
        narrowing = parsed.intent == "refine" and not (parsed.wants_more or parsed.replace_one) \
            and not parsed.constraint_update.is_empty()
        named_only = parsed.catalog_words and parsed.constraint_update.is_empty() and not parsed.soft_tags
        candidates = ranked_candidates(engine, request, state, wanted, max(self.settings.candidates_for_llm, wanted),
                                       narrowing, named_only, parsed.wants_acclaimed)
        turn.trace.timings_ms["retrieve"] = _ms(started)
        if not candidates:
            unfiltered = engine.ranker.rank(request.model_copy(update={"exclude_ids": []}), k=1)
            key = "nothing_left" if unfiltered else "none_fit"
            gone = {*state.seen_ids, *state.disliked_ids}  # what is left on screen is what still fits, unless a new
            cards = [c for c in turn.session.picks if c.item_id not in gone] \
                if unfiltered and not REPLACE_ONE.search(turn.text) else []  # "换一部": a new one was asked for
            text = say(lang, key, engine.kind, filters=describe_constraints(state.constraints, lang))
            cheapest = None if unfiltered else cheapest_fitting_the_rest(engine, state.constraints)
            if cheapest is not None:
                text += ("" if lang == "zh" else " ") + say(lang, "cheapest_fit", title=quoted_title(cheapest, lang),
                                                            price=price_text(cheapest))
            yield self._finish(turn, text, cards)
            return
        intro = say(lang, self._intro_key(turn, parsed))
        if len(candidates) < wanted:
            intro = f"{say(lang, 'fewer', engine.kind, n=len(candidates))}\n{intro}"
        yield from self._pick(turn, candidates, wanted, intro)

    @staticmethod
    def _intro_key(turn: _Turn, parsed: ParsedMessage) -> str:
        if turn.first or parsed.new_topic or not turn.previous:
            return "intro_first"
        if parsed.replace_one:
            return "intro_replace"
        return "intro_refine" if parsed.intent in ("refine", "more_like") else "intro_first"

    @staticmethod
    def _reason_context(turn: _Turn) -> ReasonContext:
        return reason_context(turn.state, turn.engine.items, turn.lang, turn.previous)

    # -- the three paradigms ----------------------------------------------------------------------
    def _request(self, state: DialogueState, parsed: ParsedMessage, exclude: Sequence[str],
                 anchors: Sequence[str] = ()) -> RankRequest:
        """Paradigm 1's input: what the conversation says, made into a request by the same builder the
        ranker's weights were fitted through (people and "something new" are read from the user's words)."""
        query = parsed.query or state.last_query
        # "anything like <a title named in this message>?": that title leads, not the earlier likes and mentions
        fresh = bool(anchors) and (parsed.new_topic or parsed.likes_a_new_title())
        tags = [] if fresh else state.interest_tags[-3:]
        words = list(dict.fromkeys(w for w in [query, *state.preferences[-3:], *tags] if w))
        constraints = state.constraints
        return build_request(ConversationFacts(
            liked=list(anchors) if fresh else [i for i in state.liked_ids if i not in anchors] + list(anchors),
            disliked=list(state.disliked_ids),
            mentioned=[] if fresh else list(state.mentioned_ids),
            recommended=[] if fresh else list(dict.fromkeys([*state.shown_ids[-RECOMMENDED_MEMORY:],
                                                              *state.last_candidates])),
            rejected=list(state.last_candidates) if parsed.wants_more else [],
            recent=list(anchors) or parsed.liked_ids + parsed.mentioned_ids,
            genres=[*state.preferred_genres, *constraints.genres_include],
            people=list(constraints.people),
            year_min=constraints.year_min,
            year_max=constraints.year_max,
            query_words=[" ".join(words)],
            seeker_words=list(dict.fromkeys(w for w in [*state.preferences[-3:], query] if w)),
            constraints=constraints,
            exclude=list(exclude),
            utterances=2 if fresh else 2 * state.turn_count,
        ))

    def _interest_tags(self, turn: _Turn) -> None:
        """Paradigm 2 for the user: a few tags from the liked items' facts, shown and used by the ranker
        (no model call while the person waits)."""
        state = turn.state
        liked = [turn.engine.items[i] for i in state.liked_ids if i in turn.engine.items]
        state.add_interest_tags(interest_tags_from_facts(liked, turn.lang, state.preferred_genres,
                                                         state.constraints.price_max is not None))

    def _selling_points(self, turn: _Turn, items: Sequence[Item]) -> dict[str, list[str]]:
        """Paradigm 2 for items: the catalog's, else cached (written offline by `enrich`), else from facts."""
        found = selling_points_for(items, self.cache, self.llm.model_id, turn.lang)
        points = {i.id: found[i.id].points if i.id in found else selling_points_from_facts(i, turn.lang) for i in items}
        turn.trace.selling_points_source.update({i.id: found[i.id].source if i.id in found else "template"
                                                 for i in items})
        return points

    def _pick(self, turn: _Turn, candidates: list[Candidate], k: int, intro: str) -> Iterator[TurnUpdate]:
        """Paradigm 3: the ranker's answer at once; then, with a model, its pick or explanation streams in and
        replaces the cards' order and reasons in place. If it fails, the ranker's answer stays."""
        engine, session, lang, trace = turn.engine, turn.session, turn.lang, turn.trace
        self._trace_candidates(turn, candidates)
        points = self._selling_points(turn, [c.item for c in candidates])
        ctx = self._reason_context(turn)
        ranker = [Pick(id=c.item.id, reason=explain(c.item, ctx, n, c, engine.items))
                  for n, c in enumerate(candidates[:k])]
        trace.ranker_picked = [p.id for p in ranker]
        titles = {c.item.id: c.item.display_title(lang) for c in candidates}
        head = "\n\n".join([*turn.notes, intro])

        def cards(picks: list[Pick]) -> list[ItemCard]:
            return [item_card(engine.items[p.id], lang, points.get(p.id, []), p.reason) for p in picks]

        picks, note = ranker, ""
        trace.picker, trace.timings_ms["first_cards"] = "no-llm", _ms(turn.budget.started)
        for picks, note in self._model_step(turn, candidates, ranker, role=self.llm.role, k=k, points=points):
            yield TurnUpdate(text=f"{head}\n\n{render_reply(picks, titles, lang)}", cards=cards(picks),
                             lang=lang, thinking=True)
        reply = f"{render_reply(picks, titles, lang, note)}\n\n{say(lang, 'follow_up_' + engine.kind)}"
        shown = cards(picks)
        turn.state.record_shown([p.id for p in picks])
        session.picks = shown
        trace.picked = [p.id for p in picks]
        yield self._finish(turn, reply, shown, head=intro)

    def _model_step(self, turn: _Turn, candidates: list[Candidate], ranker: list[Pick], role: str, k: int = 0,
                    points: dict[str, list[str]] | None = None) -> Iterator[tuple[list[Pick], str]]:
        """With a model, what the page shows while it works (ModelStep.shown); without one, nothing."""
        if turn.model is None:
            return
        points = points if points is not None else self._selling_points(turn, [c.item for c in candidates])
        k = k or len(ranker)
        request = PickRequest(message=turn.text[:600], wants=user_state_text(turn.engine, turn.state, turn.lang),
                              candidates=candidates, lang=turn.lang, role=role, items=turn.engine.items,
                              k=min(k, self.settings.llm_explain_top) if role == "explain" else k,
                              liked_ids=list(turn.state.liked_ids), secrets=self.llm.secrets,
                              selling_points={i: p for i, p in points.items()
                                              if turn.trace.selling_points_source.get(i) != "template"})
        step = ModelStep(self.llm, turn.model, self.settings.llm_max_new_tokens)
        yield from step.shown(request, ranker, turn.budget, turn.trace)

    # -- output -----------------------------------------------------------------------------------
    def _finish(self, turn: _Turn, answer: str, cards: list[ItemCard], head: str = "") -> TurnUpdate:
        """The turn's last update: notes, head and answer; the trace completed; the session updated."""
        reply = "\n\n".join(p for p in [*turn.notes, head, answer] if p)
        session, state, trace = turn.session, turn.state, turn.trace
        trace.filters = state.constraints.to_where()
        trace.liked = [self._title(turn.engine, i, session.lang) for i in state.liked_ids]
        trace.disliked = [self._title(turn.engine, i, session.lang) for i in state.disliked_ids]
        trace.user_tags = list(state.interest_tags[-6:])
        describe_turn(trace, state.constraints.model_dump(), state.card_feedback, turn.engine.items, session.lang,
                      len(turn.engine.items), turn.engine.ranker.dense)
        session.cards = list(cards)
        session.remember(turn.text, reply)
        return TurnUpdate(text=reply, cards=cards, trace=trace, lang=session.lang, done=True)

    @staticmethod
    def _trace_candidates(turn: _Turn, candidates: Sequence[Candidate]) -> None:
        trace_candidates(turn.trace, candidates, turn.lang, turn.engine.ranker.weights.weights,
                         turn.engine.items, turn.state.liked_ids)

    @staticmethod
    def _title(engine: CatalogEngine, item_id: str, lang: str) -> str:
        item = engine.items.get(item_id)
        return item.display_title(lang) if item else item_id


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)

