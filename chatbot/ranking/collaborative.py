"""The collaborative signal: item-item relations and popularity learned from interaction data.

Each interaction source ("ratings" from MovieLens, "dialogue" from chat logs) is learned on its
own: item popularity (users per item) and, per item, its nearest items by shrunk cosine over the
users who interacted with both. The result is stored beside the index (Chroma artifacts), so it
works with an embedded index and with a Chroma server alike. No data, no model: content only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from scipy import sparse

from chatbot.items import Item
from chatbot.ranking.interactions import Interaction, read_many

log = logging.getLogger(__name__)

ARTIFACT_KEY = "collab-v1"
NEIGHBOURS = 100
SHRINK = 2.0
FACTORS = 32  # item embedding size
MIN_USERS_FOR_FACTORS = 2  # an item seen by one user only gets no embedding


class SourceModel(BaseModel):
    """What one interaction source says: users per item and each item's neighbours."""

    users: int = 0
    popularity: dict[str, float] = Field(default_factory=dict)  # item id -> users who interacted
    top_popularity: dict[str, float] = Field(default_factory=dict)  # item id -> users who rated it near the top
    neighbours: dict[str, list[tuple[str, float]]] = Field(default_factory=dict)  # id -> [(id, sim)], best first
    factors: dict[str, list[float]] = Field(default_factory=dict)  # id -> unit item embedding (truncated SVD)


class CollabModel(BaseModel):
    sources: dict[str, SourceModel] = Field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.sources


def learn_source(rows: Sequence[Interaction], known: set[str], neighbours: int = NEIGHBOURS,
                 shrink: float = SHRINK) -> SourceModel:
    """Item-item shrunk cosine over binary user vectors, top `neighbours` per item."""
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    pairs: set[tuple[int, int]] = set()
    ratings = [row.rating for row in rows if row.item_id in known and row.rating > 0]
    high = 0.75 * max(ratings) if ratings else 0.0
    top: dict[str, float] = {}
    for row in rows:
        if row.item_id not in known or row.rating <= 0:
            continue
        if row.rating >= high:
            top[row.item_id] = top.get(row.item_id, 0.0) + 1.0
        u = users.setdefault(row.user_id, len(users))
        i = items.setdefault(row.item_id, len(items))
        pairs.add((u, i))
    if not pairs:
        return SourceModel()
    uu, ii = zip(*pairs)
    matrix = sparse.csr_matrix((np.ones(len(pairs), dtype=np.float32), (uu, ii)), shape=(len(users), len(items)))
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    co = (matrix.T @ matrix).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    id_of = {n: item_id for item_id, n in items.items()}
    result: dict[str, list[tuple[str, float]]] = {}
    for i in range(co.shape[0]):
        start, end = co.indptr[i], co.indptr[i + 1]
        if start == end:
            continue
        cols = co.indices[start:end]
        both = co.data[start:end]
        sims = both / np.sqrt(counts[i] * counts[cols]) * (both / (both + shrink))
        best = np.argsort(-sims)[:neighbours]
        result[id_of[i]] = [(id_of[int(cols[t])], round(float(sims[t]), 5)) for t in best]
    popularity = {id_of[n]: float(c) for n, c in enumerate(counts)}
    factors = item_factors(matrix, counts)
    return SourceModel(users=len(users), popularity=popularity, top_popularity=top, neighbours=result,
                       factors={id_of[n]: [round(float(v), 4) for v in row] for n, row in enumerate(factors)
                                if counts[n] >= MIN_USERS_FOR_FACTORS})


def item_factors(matrix: sparse.csr_matrix, counts: np.ndarray, dim: int = FACTORS) -> np.ndarray:
    """Unit item embeddings from a truncated SVD of the user x item matrix (rows scaled by the user's
    activity, columns by the item's popularity, so neither dominates): items chosen by the same people
    land close together even when they never co-occur often enough for a neighbour list."""
    from scipy.sparse.linalg import svds

    k = min(dim, min(matrix.shape) - 1)
    if k < 2:
        return np.zeros((matrix.shape[1], 0), dtype=np.float32)
    users = np.asarray(matrix.sum(axis=1)).ravel()
    scaled = sparse.diags(1.0 / np.sqrt(np.maximum(users, 1))) @ matrix @ sparse.diags(
        1.0 / np.sqrt(np.maximum(counts, 1)) ** 0.5)
    _, values, vt = svds(scaled.astype(np.float64), k=k, random_state=0)
    vectors = (vt.T * np.sqrt(values)).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.where(norms > 0, vectors / np.maximum(norms, 1e-9), 0.0).astype(np.float32)


def learn(rows: Sequence[Interaction], items: Sequence[Item]) -> CollabModel:
    known = {item.id for item in items}
    by_source: dict[str, list[Interaction]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    model = CollabModel(sources={name: learn_source(part, known) for name, part in by_source.items()})
    for name, source in model.sources.items():
        log.info("interactions %s: %d users, %d items, %d with neighbours", name, source.users,
                 len(source.popularity), len(source.neighbours))
    return model


def learn_from_files(paths: str | Path | Sequence[str | Path], items: Sequence[Item]) -> CollabModel:
    return learn(read_many(paths), items)


def store(index, model: CollabModel) -> None:  # index: chatbot.store.CatalogIndex
    index.artifacts.put_json(ARTIFACT_KEY, model.model_dump())


def load(index) -> CollabModel:
    """The model stored beside the index; an empty one (content only) when there is none."""
    raw = index.artifacts.get_json(ARTIFACT_KEY)
    return CollabModel.model_validate(raw) if raw else CollabModel()


def learn_and_store(index, items: Sequence[Item], paths: str | Path | Sequence[str | Path]) -> dict:
    """For `python -m chatbot index --interactions PATH`: learn, store beside the index, summarise."""
    model = learn_from_files(paths, items)
    store(index, model)
    return {name: {"users": s.users, "items": len(s.popularity), "items_with_neighbours": len(s.neighbours)}
            for name, s in model.sources.items()}
