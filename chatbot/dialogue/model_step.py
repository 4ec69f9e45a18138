"""The model's step in a recommendation turn, after the ranker's answer is already on the page.

One model call per turn (chatbot.llm.picker) over the ranker's short list. While it streams, validated
picks replace the cards' order (role `pick`) or reasons (role `explain`) in place; when it is slow, wrong
or down, the ranker's answer stays, with a short note. The model is used by one turn at a time on a CPU
(`LLMHandle.slots`): a turn that cannot get it within its budget keeps the ranker's answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from chatbot.llm.budget import TurnBudget
from chatbot.llm.factory import LLMHandle
from chatbot.llm.picker import Pick, PickOutcome, PickRequest, pick_and_explain
from chatbot.turn import DecisionTrace

NOTES = {
    "timeout": ("The language model did not finish in time, so the ranker's answer stays.",
                "语言模型没有及时完成，保留排序器的推荐。"),
    "error": ("The language model is unavailable right now, so the ranker's answer stays.",
              "语言模型暂时不可用，保留排序器的推荐。"),
    "garbage": ("The language model's answer could not be used, so the ranker's answer stays.",
                "语言模型的回答无法使用，保留排序器的推荐。"),
    "rejected": ("The language model's reasons did not pass the fact check, so the ranker's reasons stay.",
                 "语言模型写的理由没有通过事实核查，保留排序器的理由。"),
    "busy": ("The language model was busy with other conversations, so the ranker's answer stays.",
             "语言模型正忙于其他对话，保留排序器的推荐。"),
}


def fallback_note(failure: str, lang: str) -> str:
    return NOTES[failure][lang == "zh"] if failure in NOTES else ""


def note_line(note: str, lang: str) -> str:
    """A note under the answer (why the ranker's answer stayed), in brackets."""
    return f"（{note}）" if lang == "zh" else f"({note})"


def render_reply(picks: Sequence[Pick], titles: Mapping[str, str], lang: str, note: str = "") -> str:
    """The user-visible answer: one numbered line per pick, then the note."""
    sep = "：" if lang == "zh" else ": "
    lines = [f"{n}. {titles.get(p.id, p.id)}{sep}{p.reason}" for n, p in enumerate(picks, 1)]
    if note:
        lines += ["", note_line(note, lang)]
    return "\n".join(lines)


def merge(ranker: Sequence[Pick], model_picks: Sequence[Pick], role: str, k: int) -> list[Pick]:
    """What the page shows: the model's validated work over the ranker's answer. A rejected reason (empty)
    keeps the ranker's fact-built reason; a model sentence that does not speak to the person (a small model
    often retells the item's story) follows the ranker's reason instead of replacing it. In `pick`, the
    model's order comes first, the ranker's fills up."""
    facts = {p.id: p.reason for p in ranker}
    written = {p.id: p for p in model_picks if p.reason}

    def reason(item_id: str) -> str:
        model, ranked = written.get(item_id), facts.get(item_id, "")
        if model is None:
            return ranked
        if model.personal or not ranked:
            return model.reason
        return f"{ranked}{'' if ranked.endswith(('。', '！', '；')) else ' '}{model.reason}"

    order = [p.id for p in ranker] if role == "explain" else \
        list(dict.fromkeys([*(p.id for p in model_picks), *(p.id for p in ranker)]))
    return [Pick(id=i, reason=reason(i)) for i in order[:k]]


@dataclass
class ModelStep:
    """Runs the model over one turn's candidates; yields what the page should show, then the outcome."""

    llm: LLMHandle
    model: BaseChatModel
    max_tokens: int

    def run(self, request: PickRequest, ranker: Sequence[Pick], budget: TurnBudget
            ) -> Iterator[tuple[list[Pick], PickOutcome | None]]:
        with self.llm.turn_slot(budget.slot_wait()) as got:
            if not got:
                yield list(ranker), PickOutcome(role=request.role, failure="busy", rejected=["model busy"])
                return
            for event in pick_and_explain(self.model, request, budget.model_deadline, max_tokens=self.max_tokens,
                                          describe_error=self.llm.describe_error):
                yield merge(ranker, event.picks, request.role, len(ranker)), event.outcome

    def shown(self, request: PickRequest, ranker: Sequence[Pick], budget: TurnBudget, trace: DecisionTrace
              ) -> Iterator[tuple[list[Pick], str]]:
        """What the page shows, update by update: the ranker's picks at once, then the model's validated work
        merged in; the last pair stays, with a note when the ranker's answer stayed. The trace is completed."""
        yield list(ranker), ""
        for picks, outcome in self.run(request, ranker, budget):
            if outcome is None:
                yield picks, ""
            else:
                record(trace, outcome, budget)
                why = outcome.failure or ("rejected" if outcome.picks else "garbage")  # picks kept, reasons all failed
                yield picks, "" if outcome.reasons else fallback_note(why, request.lang)


def record(trace: DecisionTrace, outcome: PickOutcome, budget: TurnBudget) -> None:
    """The model's part of the decision trace: role, what was rejected and why, timings from the turn's start."""
    trace.model_role = outcome.role
    trace.picker = "llm" if outcome.reasons else "fallback"
    trace.notes += [f"model: {why}" for why in outcome.rejected]
    done = trace.timings_ms["model_done"] = budget.elapsed_ms()
    if "first_token" in outcome.timings_ms:
        generating = outcome.timings_ms.get("done", 0.0) - outcome.timings_ms["first_token"]
        trace.timings_ms["model_first_token"] = round(done - generating, 1)
