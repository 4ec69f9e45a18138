"""The ReDial protocol: for every recommender turn, rank the whole catalog from the turn's
`context` only and score the `rec` labels. Recall@K counts labels (a turn with two labels
counts twice); NDCG@10 is averaged over turns."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from chatbot.ranking import signals
from chatbot.ranking.dialog_context import DialogReader, find_titles
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
    novel: list[str] = Field(default_factory=list)  # the labels not named earlier in the dialogue (dedup protocol)
    novel_unmatched: int = 0  # `rec` names outside the catalog and not named earlier

    def scored(self, protocol: str) -> tuple[list[str], int]:
        """The labels a protocol scores, and how many of its labels the catalog lacks."""
        return (self.labels, self.unmatched) if protocol == "all" else (self.novel, self.novel_unmatched)


def to_eval_turns(raw: Sequence[dict], reader: DialogReader) -> list[EvalTurn]:
    """Keep the turns with at least one label; `rec` is read for labels only, never for ranking. A label
    counts as named earlier (dropped by the dedup protocol) when the turn's `entity` list or its context
    names it: `entity` decides which labels count, it never reaches the ranker."""
    turns = []
    for row in raw:
        names = list(row.get("rec") or [])
        labels = [reader.name_to_id[n] for n in names if n in reader.name_to_id]  # repeats count, as published
        unmatched = [n for n in names if n not in reader.name_to_id]
        if not labels and not unmatched:
            continue
        context = list(row.get("context") or [])
        entities = {str(e) for e in row.get("entity") or []}
        earlier = {reader.name_to_id[e] for e in entities if e in reader.name_to_id}
        earlier.update(i for text in context for i in find_titles(text or "", reader.name_to_id))
        said = " ".join(context)
        turns.append(EvalTurn(dialog_id=str(row.get("dialog_id", "")), turn_id=int(row.get("turn_id", 0)),
                              context=context, labels=labels, unmatched=len(unmatched),
                              novel=[i for i in labels if i not in earlier],
                              novel_unmatched=sum(1 for n in unmatched if n not in entities and n not in said)))
    return turns


def named_in(request: RankRequest) -> list[str]:
    """What the seeker or the recommender already named: the dedup protocol never ranks these (nor does the chat)."""
    return list(dict.fromkeys([*request.liked_ids, *request.disliked_ids, *request.mentioned_ids,
                               *request.recommended_ids]))


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

    def merge(self, other: Tally) -> None:
        for k in KS:
            self.hits[k] += other.hits[k]
        self.labels += other.labels
        self.ndcg += other.ndcg
        self.turns += other.turns

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


PROTOCOLS = ("all", "dedup")
Scorer = Callable[[np.ndarray], np.ndarray]  # a signal matrix -> one score per row


class Scores:
    """Tallies by (group, name, protocol), over one or many calls of `score_turns` (folds add up)."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str, str], Tally] = {}
        self.latencies: list[float] = []
        self.per_fold: list[dict] = []

    def tally(self, group: str, name: str, protocol: str) -> Tally:
        return self.tallies.setdefault((group, name, protocol), Tally())

    def merge(self, other: Scores) -> None:
        for key, tally in other.tallies.items():
            self.tally(*key).merge(tally)
        self.latencies += other.latencies

    def report(self, protocols: Sequence[str]) -> dict:
        """The first protocol's figures at the top (as before), every protocol under `protocols`."""
        by: dict[str, dict] = {}
        for protocol in protocols:
            out = self.tally("main", "ranker", protocol).result()
            for (group, name, proto), tally in self.tallies.items():
                if group != "main" and proto == protocol:
                    out.setdefault(group, {})[name] = tally.result()
            by[protocol] = out
        result = dict(by[protocols[0]])
        if self.latencies:
            result["ms_per_turn_p50"] = round(float(np.percentile(self.latencies, 50)), 2)
            result["ms_per_turn_p95"] = round(float(np.percentile(self.latencies, 95)), 2)
        result["protocol"] = protocols[0]
        if len(protocols) > 1:
            result["protocols"] = by
        return result


def score_turns(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], baselines: Sequence[str] = (),
                per_signal: bool = False, protocols: Sequence[str] = ("all",), models: dict[str, Scorer] | None = None,
                seed: int = 0) -> Scores:
    """Rank every turn once; score the ranker, the extra `models`, the baselines and (optionally) each
    signal alone on the same signal matrices, under each protocol."""
    table = ranker.table
    scorers: dict[tuple[str, str], Scorer] = {("main", "ranker"): ranker.scores}
    scorers.update({("models", name): fn for name, fn in (models or {}).items()})
    if "popularity" in baselines:
        w_pop = popularity_weights(ranker)
        scorers[("baselines", "popularity")] = lambda f, w=w_pop: f @ w
    if per_signal:
        scorers.update({("signals", name): (lambda f, w=w: f @ w) for name, w in signal_scorers().items()})
    rng = np.random.default_rng(seed)
    out = Scores()
    for turn in turns:
        t0 = time.perf_counter()
        request: RankRequest = reader.read(turn.context)
        cand, feats = ranker.features(request)
        main = ranker.scores(feats)
        out.latencies.append((time.perf_counter() - t0) * 1000)
        keep = _novel_rows(cand, request, table.pos) if "dedup" in protocols else None
        rand = rng.choice(len(table.ids), size=min(TOP, len(table.ids)), replace=False) if "random" in baselines \
            else None
        for key, scorer in scorers.items():
            scores = main if key == ("main", "ranker") else scorer(feats)
            for protocol in protocols:
                _add_turn(out.tally(*key, protocol), turn, protocol, cand, scores, keep, table.pos)
        if rand is not None:
            for protocol in protocols:
                tally = out.tally("baselines", "random", protocol)
                named = {table.pos[i] for i in named_in(request) if i in table.pos} if protocol == "dedup" else set()
                add_labels(tally, *turn.scored(protocol), [p for p in rand.tolist() if p not in named], table.pos)
    return out


def _novel_rows(cand: np.ndarray, request: RankRequest, pos: dict[str, int]) -> np.ndarray:
    named = {pos[i] for i in named_in(request) if i in pos}
    return np.fromiter((p not in named for p in cand.tolist()), dtype=bool, count=len(cand))


def _add_turn(tally: Tally, turn: EvalTurn, protocol: str, cand: np.ndarray, scores: np.ndarray,
              keep: np.ndarray | None, pos: dict[str, int]) -> None:
    if protocol == "all":
        add_labels(tally, *turn.scored(protocol), top_of(cand, scores), pos)
    elif keep is not None:
        add_labels(tally, *turn.scored(protocol), top_of(cand[keep], scores[keep]), pos)


def add_labels(tally: Tally, labels: Sequence[str], unmatched: int, top: list[int], pos: dict[str, int]) -> None:
    if labels or unmatched:  # a turn whose labels were all named earlier is no dedup turn
        tally.add(top, [pos[i] for i in labels], len(labels) + unmatched)


def evaluate(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], baselines: Sequence[str] = (),
             per_signal: bool = False, seed: int = 0, protocols: Sequence[str] = ("all",),
             models: dict[str, Scorer] | None = None) -> dict:
    """Run the full ranker over `turns`; optionally the baselines and each signal alone on the same
    signal matrices."""
    started = time.perf_counter()
    scores = score_turns(ranker, reader, turns, baselines, per_signal, protocols, models, seed)
    result = scores.report(protocols)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
