"""The ReDial protocol: for every recommender turn, rank the whole catalog from the turn's
`context` only and score the `rec` labels. Recall@K counts labels (a turn with two labels
counts twice); NDCG@10 is averaged over turns."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from chatbot.ranking import signals
from chatbot.ranking.dialog_context import DialogReader
from chatbot.ranking.ranker import Ranker
from chatbot.ranking.request import RankRequest

KS = (1, 10, 50)
TOP = max(KS)


class EvalTurn(BaseModel):
    dialog_id: str
    turn_id: int
    context: list[str]
    labels: list[str]  # catalog ids of the `rec` names found in the catalog
    unmatched: int = 0  # `rec` names not in the catalog (still counted as misses)


def to_eval_turns(raw: Sequence[dict], reader: DialogReader) -> list[EvalTurn]:
    """Keep the turns with at least one label; `rec` is read for labels only, never for ranking."""
    turns = []
    for row in raw:
        names = list(row.get("rec") or [])
        labels = [reader.name_to_id[n] for n in names if n in reader.name_to_id]  # repeats count, as published
        unmatched = sum(1 for n in names if n not in reader.name_to_id)
        if labels or unmatched:
            turns.append(EvalTurn(dialog_id=str(row.get("dialog_id", "")), turn_id=int(row.get("turn_id", 0)),
                                  context=list(row.get("context") or []), labels=labels, unmatched=unmatched))
    return turns


class Tally:
    """Accumulates Recall@K and NDCG@10 over turns."""

    def __init__(self) -> None:
        self.hits = {k: 0 for k in KS}
        self.labels = 0
        self.ndcg = 0.0
        self.turns = 0

    def add(self, top_positions: Sequence[int], labels: Sequence[int], n_labels: int) -> None:
        """`labels`: catalog positions of the turn's labels (repeats allowed); `n_labels` also counts
        labels missing from the catalog."""
        top = list(top_positions)[:TOP]
        rank = {p: r for r, p in reversed(list(enumerate(top)))}
        for k in KS:
            self.hits[k] += sum(1 for p in labels if rank.get(p, TOP) < k)
        self.labels += n_labels
        unique = set(labels)
        gains = sum(1.0 / np.log2(r + 2) for r, p in enumerate(top[:10]) if p in unique)
        ideal = sum(1.0 / np.log2(r + 2) for r in range(min(len(unique) + (n_labels - len(labels)), 10)))
        self.ndcg += gains / ideal if ideal else 0.0
        self.turns += 1

    def result(self) -> dict:
        out = {f"recall@{k}": round(self.hits[k] / max(self.labels, 1), 4) for k in KS}
        out["ndcg@10"] = round(self.ndcg / max(self.turns, 1), 4)
        out["turns"] = self.turns
        out["labels"] = self.labels
        return out


def top_of(cand: np.ndarray, scores: np.ndarray, k: int = TOP) -> list[int]:
    if len(cand) == 0:
        return []
    k = min(k, len(cand))
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.lexsort((cand[part], -scores[part]))]
    return cand[order].tolist()


def signal_scorers() -> dict[str, np.ndarray]:
    """One weight vector per signal alone (the `is_*` flags, age bins and context are not rankers)."""
    out = {}
    for n, name in enumerate(signals.SIGNALS):
        if name.startswith(("is_", "age_", "year_unknown", "ctx_")):
            continue
        w = np.zeros(len(signals.SIGNALS), dtype=np.float32)
        w[n] = 1.0
        out[name] = w
    return out


def popularity_weights(ranker: Ranker) -> np.ndarray:
    """The popularity baseline: interaction counts where there are any, else the catalog's field."""
    w = np.zeros(len(signals.SIGNALS), dtype=np.float32)
    table = ranker.table
    for source in signals.SOURCES:
        if table.pop_source[source].any():
            w[signals.INDEX[f"pop_{source}"]] = 1.0
    if not w.any():
        w[signals.INDEX["pop_item"]] = 1.0
    return w


def evaluate(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], baselines: Sequence[str] = (),
             per_signal: bool = False, seed: int = 0) -> dict:
    """Run the full ranker over `turns`; optionally the baselines and each signal alone on the same
    signal matrices."""
    table = ranker.table
    full = Tally()
    extra: dict[str, tuple[np.ndarray, Tally]] = {}
    if "popularity" in baselines:
        extra["popularity"] = (popularity_weights(ranker), Tally())
    if per_signal:
        extra.update({f"signal:{name}": (w, Tally()) for name, w in signal_scorers().items()})
    rand = Tally() if "random" in baselines else None
    rng = np.random.default_rng(seed)
    latencies: list[float] = []
    started = time.perf_counter()
    for turn in turns:
        t0 = time.perf_counter()
        request: RankRequest = reader.read(turn.context)
        cand, feats = ranker.features(request)
        top = top_of(cand, ranker.scores(feats))
        latencies.append((time.perf_counter() - t0) * 1000)
        labels = [table.pos[i] for i in turn.labels]
        n_labels = len(turn.labels) + turn.unmatched
        full.add(top, labels, n_labels)
        for w_extra, tally in extra.values():
            tally.add(top_of(cand, feats @ w_extra), labels, n_labels)
        if rand is not None:
            rand.add(rng.choice(len(table.ids), size=min(TOP, len(table.ids)), replace=False).tolist(),
                     labels, n_labels)
    result = full.result()
    result["seconds"] = round(time.perf_counter() - started, 2)
    if latencies:
        result["ms_per_turn_p50"] = round(float(np.percentile(latencies, 50)), 2)
        result["ms_per_turn_p95"] = round(float(np.percentile(latencies, 95)), 2)
    base = {name: tally.result() for name, (_, tally) in extra.items() if not name.startswith("signal:")}
    if rand is not None:
        base["random"] = rand.result()
    if base:
        result["baselines"] = base
    sig = {name.split(":", 1)[1]: tally.result() for name, (_, tally) in extra.items() if name.startswith("signal:")}
    if sig:
        result["signals"] = sig
    return result
