"""The ranker the chat and `python -m chatbot eval` share.

Catalogs up to `dense_limit` items are scored whole (every item gets every signal). Larger ones
are scored over candidates from several generators: the Chroma text query, Chroma "more like the
liked items", collaborative neighbours, the prior (popularity/recency) list, genre and person
matches, and the items named in the dialogue. A linear model with learned weights (weights.json)
combines the signals, plus small learned networks over the same signals (network.py); the
strongest linear contributions become the candidate's reasons.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from chatbot.items import Item
from chatbot.ranking import signals
from chatbot.ranking.collaborative import CollabModel
from chatbot.ranking.network import Network, forward
from chatbot.ranking.trees import Trees, rerank
from chatbot.ranking.request import RankRequest
from chatbot.ranking.candidate import Candidate, Reason

if TYPE_CHECKING:
    from chatbot.store import CatalogIndex

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
DENSE_LIMIT = 20_000
GENERATOR_K = 200
QUERY_CACHE = 10_000
SEEKER_CHARS = 600  # the user's latest words embedded on their own
REFERENCE = 512  # catalog sample that similarity signals are standardised against
PRIOR_SIGNALS = ("pop_ratings", "pop_dialogue", "top_ratings", "top_dialogue", "pop_item", "year_unknown",
                 *(f"age_{lo}_{hi}" for lo, hi in signals.AGE_BINS))
REASON_OF = {"text_sim": "text_match", "seeker_sim": "text_match", "svd_ratings_liked": "collaborative",
             "svd_dialogue_liked": "collaborative", "svd_ratings_recent": "collaborative",
             "svd_dialogue_recent": "collaborative", "liked_max": "liked_similar", "liked_mean": "liked_similar",
             "mentioned_max": "liked_similar", "recent_max": "liked_similar", "cf_ratings_recent": "collaborative",
             "cf_dialogue_recent": "collaborative", "cf_ratings_liked": "collaborative",
             "cf_dialogue_liked": "collaborative", "cf_ratings_rec": "collaborative",
             "cf_dialogue_rec": "collaborative", "cold_text_sim": "text_match", "cold_genre_match": "genre",
             "cold_genre_top": "genre", "cold_top": "popular", "pop_ratings": "popular", "pop_dialogue": "popular",
             "pop_item": "popular", "pop_ratings_cold": "popular", "pop_dialogue_cold": "popular", "top_ratings": "popular", "top_dialogue": "popular", "genre_match": "genre", "genre_pop": "genre", "anchor_genre_pop": "genre", "text_pop": "text_match", "anchor_genre": "genre", "person_match": "person",
             "era_match": "era", "recent_match": "era", "is_liked": "mentioned", "is_mentioned": "mentioned",
             "is_recommended": "mentioned"}


class Weights(BaseModel):
    """Signal weights, the networks whose mean is added to the linear score, and how they were fitted."""

    weights: dict[str, float]
    deep: list[Network] = Field(default_factory=list)
    booster: str = ""  # LightGBM lambdarank trees (text form) re-ranking the linear score's best; "" = none
    meta: dict[str, Any] = Field(default_factory=dict)

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in signals.SIGNALS], dtype=np.float32)


class Scorer:
    """Weights compiled for the signal columns: the linear part plus the mean of the networks."""

    def __init__(self, weights: Weights) -> None:
        self.linear = weights.vector()
        self.networks = [net.compile(signals.SIGNALS) for net in weights.deep]
        self.trees = Trees(weights.booster, signals.SIGNALS) if weights.booster else None

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        out = feats @ self.linear
        if self.networks and len(feats):
            out = out + np.mean([forward(net, feats) for net in self.networks], axis=0)
        if self.trees is not None and len(feats):
            out = rerank(out, feats, self.trees)
        return out


def load_weights(path: str | Path | None = None) -> Weights:
    """The shipped weights (or hand-set defaults when the file is missing)."""
    path = Path(path) if path else WEIGHTS_PATH
    if path.exists():
        return Weights.model_validate(json.loads(path.read_text(encoding="utf-8")))
    log.warning("no ranker weights at %s; using hand-set defaults", path)
    return Weights(weights=signals.default_weights(), meta={"source": "defaults"})


class Ranker:
    """Ranks catalog items for a RankRequest. Build one per catalog and share it (it holds no user state)."""

    def __init__(self, index: CatalogIndex, items: Sequence[Item], collab: CollabModel | None = None,
                 weights: Weights | None = None, dense_limit: int = DENSE_LIMIT) -> None:
        self.index = index
        self.table = signals.ItemTable(items, collab or CollabModel())
        self.dense = len(self.table.ids) <= dense_limit
        self._vectors = np.zeros((len(self.table.ids), index.embedder.dim), dtype=np.float32)
        self._have = np.zeros(len(self.table.ids), dtype=bool)
        self._qcache: dict[str, np.ndarray] = {}
        self._cosines = signals.CosineCache()  # whole-catalog cosines to recent texts and named items
        self._lock = threading.Lock()
        n = len(self.table.ids)
        self._ref = np.sort(np.random.default_rng(0).choice(n, size=min(REFERENCE, n), replace=False)) if n else \
            np.zeros(0, dtype=np.int64)
        self._fetch(range(n) if self.dense else self._ref.tolist())
        self.set_weights(weights or load_weights())

    @classmethod
    def from_index(cls, index: CatalogIndex, items: Sequence[Item], weights: Weights | None = None) -> Ranker:
        """The product ranker: interaction data learned at index time (if any) and the shipped weights."""
        from chatbot.ranking.collaborative import load

        return cls(index, items, collab=load(index), weights=weights)

    # ---- configuration ------------------------------------------------------------------------
    def set_weights(self, weights: Weights) -> None:
        self.weights = weights
        self.scores = Scorer(weights)  # signal matrix -> one score per row
        prior = np.zeros(len(self.table.ids), dtype=np.float32)
        for name in PRIOR_SIGNALS:
            w = weights.weights.get(name, 0.0)
            if not w:
                continue
            if name.startswith("pop_") and name != "pop_item":
                prior += w * self.table.pop_source[name[4:]]
            elif name.startswith("top_"):
                prior += w * self.table.top_source[name[4:]]
            elif name == "pop_item":
                prior += w * self.table.pop_item
            elif name == "year_unknown":
                prior += w * (self.table.age < 0)
            else:
                lo, hi = (int(x) for x in name.split("_")[1:])
                prior += w * ((self.table.age >= lo) & (self.table.age <= hi))
        self._prior_order = np.argsort(-prior, kind="stable")

    def set_collab(self, collab: CollabModel) -> None:
        self.table.set_collab(collab)
        self.set_weights(self.weights)

    # ---- vectors ------------------------------------------------------------------------------
    def _fetch(self, positions: Iterable[int]) -> None:
        missing = [p for p in positions if not self._have[p]]
        for start in range(0, len(missing), 2000):
            chunk = missing[start:start + 2000]
            found = self.index.get_vectors([self.table.ids[p] for p in chunk])
            for p in chunk:
                vec = found.get(self.table.ids[p])
                if vec is not None:
                    self._vectors[p] = vec
                self._have[p] = True

    # ---- ranking ------------------------------------------------------------------------------
    def candidates(self, request: RankRequest, query_vector: np.ndarray | None) -> np.ndarray:
        """Catalog positions to score: all of them for a small catalog, else the generators' union."""
        table = self.table
        if self.dense:
            cand = np.arange(len(table.ids))
        else:
            where = request.constraints.to_where()
            chosen: dict[int, None] = {}

            def add(ids: Sequence[str]) -> None:
                for item_id in ids:
                    p = table.pos.get(item_id)
                    if p is not None:
                        chosen.setdefault(p, None)

            if query_vector is not None:
                add([i for i, _ in self.index.query_vector(query_vector, GENERATOR_K, where)])
            if request.liked_ids:
                add([i for i, _ in self.index.query_like(request.liked_ids, request.disliked_ids,
                                                         k=GENERATOR_K, where=where)])
            anchors = [table.pos[i] for i in [*request.liked_ids, *request.mentioned_ids,
                                               *request.recommended_ids] if i in table.pos]
            for source in signals.SOURCES:
                scores = table.cf_scores(source, anchors)
                if scores is not None:
                    top = np.argpartition(-scores, min(GENERATOR_K, len(scores) - 1))[:GENERATOR_K]
                    chosen.update((int(p), None) for p in top if scores[p] > 0)
            chosen.update((int(p), None) for p in self._prior_order[:GENERATOR_K])
            for genre in request.genres:
                picked = [int(p) for p in self._prior_order[:GENERATOR_K * 20] if genre in table.genres[p]]
                chosen.update((p, None) for p in picked[:GENERATOR_K // 2])
            for person in table.people_asked(request):
                chosen.update((p, None) for p in table.person_items.get(person.lower(), [])[:GENERATOR_K])
            add([*request.liked_ids, *request.mentioned_ids, *request.recommended_ids, *request.disliked_ids])
            cand = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
            self._fetch(cand.tolist())
        excluded = {table.pos[i] for i in request.exclude_ids if i in table.pos}
        constraints = request.constraints
        if excluded or not constraints.is_empty():
            keep = [p for p in cand.tolist() if p not in excluded
                    and (constraints.is_empty() or constraints.accepts(table.items[p]))]
            cand = np.array(keep, dtype=np.int64)
        return cand

    def _query_vector(self, request: RankRequest) -> np.ndarray | None:
        return self.embed_query(request.query_text)

    def embed_query(self, text: str) -> np.ndarray | None:
        """A text's query embedding; a small cache of recent texts (not per-user state: text -> vector)."""
        text = text.strip()
        if not text:
            return None
        with self._lock:
            vec = self._qcache.get(text)
        if vec is None:
            vec = self.index.embedder.embed_query(text)
            with self._lock:
                if len(self._qcache) >= QUERY_CACHE:
                    self._qcache.pop(next(iter(self._qcache)))
                self._qcache[text] = vec
        return vec

    def features(self, request: RankRequest, query_vector: np.ndarray | None = None,
                 only_ids: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(candidate positions, signal matrix) for a request; `only_ids` scores just those items."""
        if query_vector is None:
            query_vector = self._query_vector(request)
        if only_ids is None:
            cand = self.candidates(request, query_vector)
        else:
            cand = np.array([self.table.pos[i] for i in dict.fromkeys(only_ids) if i in self.table.pos], dtype=np.int64)
            self._fetch(cand.tolist())
        anchor_ids = [*request.liked_ids, *request.mentioned_ids, *request.recommended_ids, *request.disliked_ids,
                      *request.rejected_ids]
        positions = [self.table.pos[i] for i in anchor_ids if i in self.table.pos]
        self._fetch(positions)
        anchors = {self.table.ids[p]: self._vectors[p] for p in positions}
        whole = self.dense and only_ids is None and len(cand) == len(self.table.ids)
        vectors = self._vectors if whole else self._vectors[cand]
        seeker_vector = self.embed_query(request.seeker_text[-SEEKER_CHARS:])
        return cand, signals.compute(self.table, request, cand, vectors, query_vector, anchors,
                                     self._vectors[self._ref], seeker_vector, self._cosines if whole else None)

    def rank(self, request: RankRequest, k: int = 10, only_ids: Sequence[str] | None = None) -> list[Candidate]:
        """The top `k` items for the request, best first, each with its signals and reasons.
        `only_ids` ranks just those items (comparing items the user named)."""
        cand, feats = self.features(request, only_ids=only_ids)
        scores = self.scores(feats)
        if len(cand) == 0:
            return []
        top = np.argsort(-scores, kind="stable")[:k]
        return [self._candidate(int(cand[r]), float(scores[r]), feats[r], request) for r in top]

    def _candidate(self, pos: int, score: float, feats: np.ndarray, request: RankRequest) -> Candidate:
        item = self.table.items[pos]
        contrib = feats * self.scores.linear
        reasons: list[Reason] = []
        seen: set[str] = set()
        for n in np.argsort(-contrib):
            name = signals.SIGNALS[n]
            kind = REASON_OF.get(name)
            if contrib[n] <= 0.01 or kind is None or kind in seen:
                continue
            seen.add(kind)
            reasons.append(Reason(kind=kind, detail=self._detail(kind, pos, request), weight=round(float(contrib[n]), 4)))
            if len(reasons) == 3:
                break
        named = {name: round(float(value), 4) for name, value in zip(signals.SIGNALS, feats)
                 if value and not name.startswith("ctx_")}  # the request's context is not about the item
        return Candidate(item=item, score=round(score, 5), reasons=reasons, signals=named)

    def _detail(self, kind: str, pos: int, request: RankRequest) -> str:
        table = self.table
        # the reason text says "which you liked": only liked items may be named as the anchor
        anchors = [i for i in request.liked_ids if i in table.pos]
        if kind == "liked_similar" and anchors:
            vec = self._vectors[pos]
            return max(anchors, key=lambda i: float(self._vectors[table.pos[i]] @ vec))
        if kind == "collaborative" and anchors:
            best, best_sim = "", 0.0
            for source in signals.SOURCES:
                for a in anchors:
                    idx, sims = table.neighbours[source].get(table.pos[a], (np.array([]), np.array([])))
                    hit = np.nonzero(idx == pos)[0]
                    if hit.size and sims[hit[0]] > best_sim:
                        best, best_sim = a, float(sims[hit[0]])
            return best
        if kind == "genre":
            shared = [g for g in request.genres if g in table.genres[pos]]
            return shared[0] if shared else ""
        if kind == "person":
            names = [p for p in table.people_asked(request) if p.lower() in table.people[pos]]
            return names[0] if names else ""
        return ""
