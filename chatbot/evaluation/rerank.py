"""`eval --rerank llm`: the chat model re-ranks the ranker's top candidates on ReDial turns, scored beside
the ranker alone on the same turns.

Per turn: the ranker's top `TOP_FOR_MODEL` (under the protocol: items already named are never ranked under
`dedup`), then one `pick` call (the same prompt, schema and validation as the chat) over them with the
seeker's last words; the model's validated picks go first, the ranker's order follows. Recall@1/10/50 and
NDCG@10 of both orders on the same turns, with the model's seconds per turn. The model only reorders the
top `TOP_FOR_MODEL`, so Recall@10 and @50 stay the ranker's; Recall@1 and NDCG@10 show whether its choice is better.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from langchain_core.language_models import BaseChatModel

from chatbot.evaluation.redial import TOP, EvalTurn, Tally, add_labels, named_in
from chatbot.llm.picker import PickRequest, pick_and_explain
from chatbot.ranking.dialog_context import DialogReader
from chatbot.ranking.ranker import Ranker

TOP_FOR_MODEL = 10
MODEL_PICKS = 3
SEEKER_WORDS = 3  # the last utterances of the context shown to the model as what the person said


def seeker_message(context: Sequence[str]) -> str:
    """What the model reads as the person's words: the last few utterances of the dialogue."""
    return " / ".join(u.strip() for u in context[-SEEKER_WORDS:] if u and u.strip())[:600] or "-"


def rerank_turns(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], model: BaseChatModel,
                 protocol: str = "all", budget_s: float = 60.0, max_tokens: int = 256) -> dict:
    """The ranker alone and the ranker re-ranked by `model`, on the same turns, under one protocol."""
    pos = ranker.table.pos
    alone, reranked = Tally(), Tally()
    seconds, failures, moved = [], 0, 0
    for turn in turns:
        labels, unmatched = turn.scored(protocol)
        if not labels and not unmatched:
            continue  # a turn whose labels were all named earlier is no dedup turn
        request = reader.read(turn.context)
        if protocol == "dedup":
            request = request.model_copy(update={"exclude_ids": [*request.exclude_ids, *named_in(request)]})
        ranked = ranker.rank(request, k=TOP)
        order = [pos[c.item.id] for c in ranked]
        started = time.monotonic()
        pick = PickRequest(message=seeker_message(turn.context), candidates=ranked[:TOP_FOR_MODEL], k=MODEL_PICKS,
                           role="pick", items={c.item.id: c.item for c in ranked})
        events = list(pick_and_explain(model, pick, started + budget_s, max_tokens=max_tokens))
        seconds.append(time.monotonic() - started)
        outcome = events[-1].outcome
        failures += bool(outcome is None or outcome.failure)
        first = [pos[p.id] for p in (outcome.picks if outcome else [])]
        model_order = list(dict.fromkeys([*first, *order]))
        moved += model_order[:MODEL_PICKS] != order[:MODEL_PICKS]
        add_labels(alone, labels, unmatched, order, pos)
        add_labels(reranked, labels, unmatched, model_order, pos)
    return {"protocol": protocol, "ranker": alone.result(), "ranker_then_llm": reranked.result(),
            "model_seconds_per_turn_p50": round(float(np.median(seconds)), 2) if seconds else None,
            "model_seconds_per_turn_p95": round(float(np.percentile(seconds, 95)), 2) if seconds else None,
            "model_failures": failures, "turns_reordered": moved, "top_for_model": TOP_FOR_MODEL, "model_picks": MODEL_PICKS}
