"""The ranker's signals: one column per signal, computed for a set of candidate items at once.

All signals are numbers in about [0, 1]; the learned weights (weights.json) combine them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np

from chatbot.items import Item
from chatbot.ranking.collaborative import CollabModel, SourceModel
from chatbot.ranking.request import RankRequest

SOURCES = ("ratings", "dialogue")  # interaction sources with their own weights; others count as "ratings"
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
AGE_BINS = ((0, 0), (1, 1), (2, 3), (4, 8), (9, 18), (19, 28), (29, 10_000))

SIGNALS: tuple[str, ...] = (
    "text_sim",  # cosine(query text, item)
    "liked_max",  # max cosine to a liked item
    "liked_mean",  # cosine to the mean of the liked items
    "mentioned_max",  # max cosine to an item the user named without an opinion
    "rec_max",  # max cosine to an item the recommender already suggested
    "disliked_max",  # max cosine to a disliked item
    "rejected_max",  # max cosine to an item the recommender suggested and the user turned down
    "seeker_sim",  # cosine(the user's own words, item)
    *(f"cf_{s}_liked" for s in SOURCES),  # collaborative: neighbours of the liked/mentioned items
    *(f"cf_{s}_rec" for s in SOURCES),  # collaborative: neighbours of the recommender's suggestions
    *(f"cf_{s}_recent" for s in SOURCES),  # collaborative: neighbours of the items in the latest exchange
    "recent_max",  # max cosine to an item named in the latest exchange
    *(f"svd_{s}_liked" for s in SOURCES),  # item embeddings from interactions: closeness to the liked/mentioned
    *(f"svd_{s}_recent" for s in SOURCES),  # ... and to the items of the latest exchange
    *(f"pop_{s}" for s in SOURCES),  # popularity in each interaction source
    *(f"top_{s}" for s in SOURCES),  # how often it was rated near the top (ReDial: suggested by a recommender)
    *(f"pop_{s}_cold" for s in SOURCES),  # popularity when the user has named no item yet
    "pop_item",  # the catalog's own popularity field
    *(f"age_{lo}_{hi}" for lo, hi in AGE_BINS),  # recency prior: years before the catalog's newest
    "year_unknown",
    "year_close",  # near the years of the liked items
    "genre_match",  # share of the asked-for genres the item has
    "anchor_genre",  # genre overlap with the liked items
    "person_match",  # has a person the user named
    "era_match",  # in the era asked for
    "recent_match",  # asked for something new and it is new
    "genre_pop",  # genre match x popularity: a popular film of the asked-for genre
    "anchor_genre_pop",  # genre overlap with the liked items x popularity
    "text_pop",  # text match x popularity
    "cold_text_sim",  # text_sim when the user has named no item yet
    "cold_genre_match",  # genre_match when the user has named no item yet
    "cold_top",  # top popularity when the user has named no item yet
    "cold_genre_top",  # genre match x top popularity when the user has named no item yet
    "is_liked",  # the item itself was named in the dialogue, by role
    "is_mentioned",
    "is_disliked",
    "is_recommended",
    # The request's context, the same for every candidate: no effect on a linear score, but the
    # learned non-linear part (weights.json "deep") reads them to weigh the evidence differently
    # early and late in a conversation, with and without named items.
    "ctx_utterances",
    "ctx_has_items",
    "ctx_items",
    "ctx_recommended",
    "ctx_has_disliked",
    "ctx_has_genres",
)
INDEX = {name: n for n, name in enumerate(SIGNALS)}


class ItemTable:
    """Column arrays over the catalog, built once per ranker."""

    def __init__(self, items: Sequence[Item], collab: CollabModel) -> None:
        self.items = list(items)
        self.ids = [item.id for item in self.items]
        self.pos = {item_id: n for n, item_id in enumerate(self.ids)}
        n = len(self.items)
        years = np.array([item.year or 0 for item in self.items], dtype=np.float32)
        self.year = years
        newest = float(years.max()) if n and years.max() > 0 else 2020.0
        self.age = np.where(years > 0, newest - years, -1.0)
        self.genres = [frozenset(item.genres) for item in self.items]
        self.people = [frozenset(p.lower() for names in item.people.values() for p in names) for item in self.items]
        self.person_items: dict[str, list[int]] = {}
        for row, names in enumerate(self.people):
            for name in names:
                self.person_items.setdefault(name, []).append(row)
        self.person_names = {p.lower(): p for item in self.items for names in item.people.values() for p in names
                             if len(p.split()) >= 2}  # lower case -> as the catalog writes it
        vocab = sorted({g for genres in self.genres for g in genres})
        self.genre_col = {g: c for c, g in enumerate(vocab)}
        self.genre_matrix = np.zeros((n, max(len(vocab), 1)), dtype=np.float32)
        for r, genres in enumerate(self.genres):
            for g in genres:
                self.genre_matrix[r, self.genre_col[g]] = 1.0
        pop = np.array([item.popularity or 0.0 for item in self.items], dtype=np.float32)
        self.pop_item = _log_scale(pop)
        self.set_collab(collab)

    def set_collab(self, collab: CollabModel) -> None:
        self.collab = collab
        n = len(self.ids)
        self.pop_source: dict[str, np.ndarray] = {}
        self.top_source: dict[str, np.ndarray] = {}
        self.neighbours: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
        self.factors: dict[str, np.ndarray] = {}
        cache = getattr(self, "_converted", {})
        self._converted: dict[int, tuple] = {}
        for source in SOURCES:
            pop = np.zeros(n, dtype=np.float32)
            top = np.zeros(n, dtype=np.float32)
            table: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            for name, model in collab.sources.items():
                if (name if name in SOURCES else "ratings") != source:
                    continue
                key = id(model)
                hit = cache.get(key)
                if hit is None or hit[0] is not model:
                    hit = (model, *self._convert(model))
                self._converted[key] = hit
                pop += hit[1]
                top += hit[2]
                table.update(hit[3])
                if hit[4].shape[1]:
                    self.factors[source] = hit[4]
            self.pop_source[source] = _log_scale(pop)
            self.top_source[source] = _log_scale(top)
            self.neighbours[source] = table

    def _convert(self, model: SourceModel) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]],
                                                    np.ndarray]:
        """A source's popularity, top popularity, neighbour lists and item embeddings in catalog positions."""
        pop = np.zeros(len(self.ids), dtype=np.float32)
        top = np.zeros(len(self.ids), dtype=np.float32)
        table: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for item_id, count in model.popularity.items():
            if item_id in self.pos:
                pop[self.pos[item_id]] += count
        for item_id, count in model.top_popularity.items():
            if item_id in self.pos:
                top[self.pos[item_id]] += count
        for item_id, pairs in model.neighbours.items():
            if item_id not in self.pos:
                continue
            known = [(self.pos[j], s) for j, s in pairs if j in self.pos]
            if known:
                idx, sims = zip(*known)
                table[self.pos[item_id]] = (np.array(idx, dtype=np.int64), np.array(sims, dtype=np.float32))
        dim = len(next(iter(model.factors.values()))) if model.factors else 0
        factors = np.zeros((len(self.ids), dim), dtype=np.float32)
        for item_id, vector in model.factors.items():
            if item_id in self.pos:
                factors[self.pos[item_id]] = vector
        return pop, top, table, factors

    def people_in(self, text: str) -> list[str]:
        """The catalog's people (names of two or three words) named in `text`, in order."""
        words = _WORD.findall(text.lower())
        found: list[str] = []
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                name = self.person_names.get(" ".join(words[i:i + n]))
                if name and name not in found:
                    found.append(name)
        return found

    def people_asked(self, request: RankRequest) -> list[str]:
        """The people the request names, and those of the catalog named in the user's own words."""
        found = self.people_in(request.seeker_text) if request.seeker_text else []
        return list(dict.fromkeys([*request.people, *found]))

    def cf_scores(self, source: str, anchors: Sequence[int]) -> np.ndarray | None:
        """Sum of neighbour similarities from the anchors, over the whole catalog (recent anchors count more)."""
        table = self.neighbours.get(source) or {}
        hits = [(n, table[a]) for n, a in enumerate(anchors) if a in table]
        if not hits:
            return None
        scores = np.zeros(len(self.ids), dtype=np.float32)
        total = len(anchors)
        for n, (idx, sims) in hits:
            scores[idx] += sims * (0.5 + 0.5 * (n + 1) / total)
        return scores


def _log_scale(values: np.ndarray) -> np.ndarray:
    values = np.log1p(np.maximum(values, 0))
    top = float(values.max()) if values.size else 0.0
    return (values / top).astype(np.float32) if top > 0 else np.zeros_like(values, dtype=np.float32)


class _Context:
    """One request's inputs to the signal functions: the candidates, their vectors, the anchors."""

    def __init__(self, table: ItemTable, request: RankRequest, cand: np.ndarray, cand_vectors: np.ndarray,
                 query_vector: np.ndarray | None, anchor_vectors: dict[str, np.ndarray],
                 ref_vectors: np.ndarray | None, seeker_vector: np.ndarray | None,
                 cache: CosineCache | None) -> None:
        self.table, self.request, self.cand, self.cache = table, request, cand, cache
        self.vectors, self.query_vector, self.anchor_vectors = cand_vectors, query_vector, anchor_vectors
        self.seeker_vector = seeker_vector
        if ref_vectors is None:
            ref_vectors = np.zeros((0, cand_vectors.shape[1] if cand_vectors.ndim == 2 else 1), dtype=np.float32)
        self.ref = ref_vectors
        pos = table.pos
        self.positive = [pos[i] for i in [*request.liked_ids, *request.mentioned_ids] if i in pos]
        self.recs = [pos[i] for i in request.recommended_ids if i in pos]
        self.recent = [pos[i] for i in request.recent_ids if i in pos and i not in request.disliked_ids]

    def standard(self, values: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """Cosines standardised against a fixed reference sample of the catalog, so their spread means
        the same for every request and for both the whole-catalog and the candidate paths."""
        std = float(ref.std()) if ref.size > 1 else 0.0
        return np.clip((values - float(ref.mean())) / max(std, 1e-3), -4.0, 8.0) if ref.size else values

    def cosines(self, key: str, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cosine of each candidate, of each reference item) to `vector`, from the cache when it has them."""
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is None:
            hit = (self.vectors @ vector, self.ref @ vector)
            if self.cache is not None:
                self.cache.put(key, hit)
        return hit

    def similarity(self, key: str, vector: np.ndarray) -> np.ndarray:
        return self.standard(*self.cosines(key, vector))

    def closeness(self, ids: Sequence[str]) -> np.ndarray | None:
        """Standardised max cosine of each candidate to the items `ids` (None when none has a vector)."""
        pairs = [self.cosines(f"item:{i}", self.anchor_vectors[i]) for i in ids if i in self.anchor_vectors]
        if not pairs:
            return None
        if len(pairs) == 1:
            return self.standard(*pairs[0])
        return self.standard(np.max([p[0] for p in pairs], axis=0), np.max([p[1] for p in pairs], axis=0))

    def stacked(self, ids: Sequence[str]) -> np.ndarray | None:
        vecs = [self.anchor_vectors[i] for i in ids if i in self.anchor_vectors]
        return np.stack(vecs).T if vecs else None


class CosineCache:
    """Cosines of the whole catalog to a text or an item, kept for the next requests (a bounded
    process-wide cache keyed by text or item id; no user state). Only for whole-catalog scoring."""

    def __init__(self, limit: int = 4000) -> None:
        self.limit = limit
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        return self._data.get(key)

    def put(self, key: str, value: tuple[np.ndarray, np.ndarray]) -> None:
        with self._lock:
            while len(self._data) >= self.limit:
                self._data.pop(next(iter(self._data)))
            self._data[key] = value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def compute(table: ItemTable, request: RankRequest, cand: np.ndarray, cand_vectors: np.ndarray,
            query_vector: np.ndarray | None, anchor_vectors: dict[str, np.ndarray],
            ref_vectors: np.ndarray | None = None, seeker_vector: np.ndarray | None = None,
            cache: CosineCache | None = None) -> np.ndarray:
    """The signal matrix (len(cand) x len(SIGNALS)) for candidate positions `cand`; `cache` only when
    `cand` is the whole catalog in order."""
    out = np.zeros((len(cand), len(SIGNALS)), dtype=np.float32)
    if len(cand) == 0:
        return out
    ctx = _Context(table, request, cand, cand_vectors, query_vector, anchor_vectors, ref_vectors, seeker_vector,
                   cache)
    for part in (_similarity, _collaborative, _item_embeddings, _years, _asked_for, _combined, _named,
                 _conversation):
        part(ctx, out)
    return out


def _similarity(ctx: _Context, out: np.ndarray) -> None:
    """Embedding similarity to the query text and to the items named in the dialogue."""
    request = ctx.request
    if ctx.query_vector is not None:
        out[:, INDEX["text_sim"]] = ctx.similarity(f"query:{request.query_text}", ctx.query_vector)
    if ctx.seeker_vector is not None:
        out[:, INDEX["seeker_sim"]] = ctx.similarity(f"seeker:{request.seeker_text}", ctx.seeker_vector)
    liked = ctx.stacked(request.liked_ids)
    if liked is not None:
        out[:, INDEX["liked_max"]] = ctx.closeness(request.liked_ids)
        profile = liked.mean(axis=1)
        profile = profile / max(float(np.linalg.norm(profile)), 1e-6)
        out[:, INDEX["liked_mean"]] = ctx.standard(ctx.vectors @ profile, ctx.ref @ profile)
    for name, ids in (("mentioned_max", request.mentioned_ids), ("rec_max", request.recommended_ids),
                      ("recent_max", [i for i in request.recent_ids if i not in request.disliked_ids]),
                      ("disliked_max", request.disliked_ids), ("rejected_max", request.rejected_ids)):
        values = ctx.closeness(ids)
        if values is not None:
            out[:, INDEX[name]] = values


def _collaborative(ctx: _Context, out: np.ndarray) -> None:
    """Neighbours of the named items in each interaction source, and each source's popularity."""
    table, cand = ctx.table, ctx.cand
    for source in SOURCES:
        for suffix, anchors in (("liked", ctx.positive), ("rec", ctx.recs), ("recent", ctx.recent)):
            scores = table.cf_scores(source, anchors)
            if scores is not None:
                out[:, INDEX[f"cf_{source}_{suffix}"]] = np.log1p(scores[cand])
        out[:, INDEX[f"pop_{source}"]] = table.pop_source[source][cand]
        out[:, INDEX[f"top_{source}"]] = table.top_source[source][cand]
        if not ctx.positive:
            out[:, INDEX[f"pop_{source}_cold"]] = out[:, INDEX[f"pop_{source}"]]
    out[:, INDEX["pop_item"]] = table.pop_item[cand]


def _item_embeddings(ctx: _Context, out: np.ndarray) -> None:
    """Closeness in each interaction source's item embedding to the named and the latest items."""
    for source, factors in ctx.table.factors.items():
        cand_f = factors[ctx.cand]
        for suffix, anchors in (("liked", ctx.positive), ("recent", ctx.recent)):
            known = [p for p in anchors if factors[p].any()]
            if known:
                profile = factors[known].mean(axis=0)
                profile = profile / max(float(np.linalg.norm(profile)), 1e-6)
                out[:, INDEX[f"svd_{source}_{suffix}"]] = cand_f @ profile


def _years(ctx: _Context, out: np.ndarray) -> None:
    """The recency prior (age bins) and closeness to the years of the named items."""
    table, cand = ctx.table, ctx.cand
    age = table.age[cand]
    for lo, hi in AGE_BINS:
        out[:, INDEX[f"age_{lo}_{hi}"]] = (age >= lo) & (age <= hi)
    out[:, INDEX["year_unknown"]] = age < 0
    years = table.year[cand]
    anchor_years = [table.year[p] for p in ctx.positive if table.year[p] > 0]
    if anchor_years:
        mean_year = float(np.mean(anchor_years))
        out[:, INDEX["year_close"]] = np.where(years > 0, np.exp(-np.abs(years - mean_year) / 8.0), 0.0)


def _asked_for(ctx: _Context, out: np.ndarray) -> None:
    """Genres, people, era and newness asked for; genre overlap with the named items."""
    table, request, cand = ctx.table, ctx.request, ctx.cand
    wanted = [table.genre_col[g] for g in request.genres if g in table.genre_col]
    if wanted:
        out[:, INDEX["genre_match"]] = table.genre_matrix[cand][:, wanted].sum(axis=1) / len(wanted)
    if ctx.positive:
        g_sub = table.genre_matrix[cand]
        sizes = g_sub.sum(axis=1)
        total = np.zeros(len(cand), dtype=np.float32)
        for p in ctx.positive:
            anchor = table.genre_matrix[p]
            inter = g_sub @ anchor
            union = sizes + anchor.sum() - inter
            total += np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        out[:, INDEX["anchor_genre"]] = total / len(ctx.positive)
    people = table.people_asked(request)
    if people:
        marks = np.zeros(len(table.ids), dtype=np.float32)
        for person in people:
            marks[table.person_items.get(person.lower(), [])] = 1.0
        out[:, INDEX["person_match"]] = marks[cand]
    years, age = table.year[cand], table.age[cand]
    if request.year_min is not None or request.year_max is not None:
        lo = request.year_min or 0
        hi = request.year_max or 10_000
        out[:, INDEX["era_match"]] = (years >= lo) & (years <= hi) & (years > 0)
    if request.wants_recent:
        out[:, INDEX["recent_match"]] = (age >= 0) & (age <= 2)


def _combined(ctx: _Context, out: np.ndarray) -> None:
    """Products of a match and popularity, and the cold-start copies (no item named yet)."""
    pop_any = np.max([out[:, INDEX[f"pop_{source}"]] for source in SOURCES], axis=0)
    out[:, INDEX["genre_pop"]] = out[:, INDEX["genre_match"]] * pop_any
    out[:, INDEX["anchor_genre_pop"]] = out[:, INDEX["anchor_genre"]] * pop_any
    out[:, INDEX["text_pop"]] = np.maximum(out[:, INDEX["text_sim"]], 0.0) * pop_any
    if not ctx.positive:
        top_any = np.max([ctx.table.top_source[source][ctx.cand] for source in SOURCES], axis=0)
        out[:, INDEX["cold_text_sim"]] = out[:, INDEX["text_sim"]]
        out[:, INDEX["cold_genre_match"]] = out[:, INDEX["genre_match"]]
        out[:, INDEX["cold_top"]] = top_any
        out[:, INDEX["cold_genre_top"]] = out[:, INDEX["genre_match"]] * top_any


def _named(ctx: _Context, out: np.ndarray) -> None:
    """Whether the item itself was named in the dialogue, by role."""
    request, pos = ctx.request, ctx.table.pos
    for name, ids in (("is_liked", request.liked_ids), ("is_mentioned", request.mentioned_ids),
                      ("is_disliked", request.disliked_ids), ("is_recommended", request.recommended_ids)):
        marks_at = [pos[i] for i in ids if i in pos]
        if marks_at:
            marks = np.zeros(len(ctx.table.ids), dtype=np.float32)
            marks[marks_at] = 1.0
            out[:, INDEX[name]] = marks[ctx.cand]


def _conversation(ctx: _Context, out: np.ndarray) -> None:
    """The request's context, the same for every candidate (read by the non-linear part)."""
    request = ctx.request
    named = len(request.liked_ids) + len(request.mentioned_ids)
    context = {"ctx_utterances": np.log1p(request.utterances) / 3, "ctx_has_items": named > 0,
               "ctx_items": np.log1p(named) / 2, "ctx_recommended": np.log1p(len(request.recommended_ids)) / 2,
               "ctx_has_disliked": bool(request.disliked_ids), "ctx_has_genres": bool(request.genres)}
    for name, value in context.items():
        out[:, INDEX[name]] = float(value)


def default_weights() -> dict[str, float]:
    """Hand-set starting weights (used when weights.json is missing)."""
    w = {name: 0.0 for name in SIGNALS}
    w.update(text_sim=1.0, liked_max=1.0, liked_mean=0.5, cf_ratings_liked=0.5, cf_dialogue_liked=0.5,
             pop_ratings=0.3, pop_dialogue=0.5, pop_item=0.3, genre_match=0.3, person_match=0.3, era_match=0.2,
             is_liked=-2.0, is_disliked=-3.0, is_recommended=-1.0, is_mentioned=-1.0)
    return w
