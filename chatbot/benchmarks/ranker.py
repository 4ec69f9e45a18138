"""`python -m chatbot bench ranker`: what one turn of the full ranker costs (ms p50/p95), at the
catalog's size (whole-catalog scoring) and grown to N items (candidate generators over Chroma),
beside the linear part alone in the same run.

The grown catalog copies the ReDial catalog's items under new ids with their real vectors slightly
perturbed (embedding 100k texts would measure the embedder, not the ranker); the collaborative
data and the dialogue turns are real. Query embedding is included in the per-turn time.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.embedders import Embedder, get_embedder
from chatbot.items import Item

log = logging.getLogger(__name__)

REDIAL = PROJECT_ROOT.parent / "shared" / "data" / "redial"
MOVIELENS = PROJECT_ROOT.parent / "shared" / "data" / "movielens"


class _CopyEmbedder(Embedder):
    """Passages: the base item's real vector plus a little noise (looked up by the copy's text).
    Queries: the real embedder."""

    def __init__(self, real: Embedder, vectors: dict[str, np.ndarray], seed: int = 0) -> None:
        self.real, self.vectors = real, vectors
        self.name, self.dim = f"copies-of:{real.name}", real.dim
        self.rng = np.random.default_rng(seed)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        fallback = next(iter(self.vectors.values()))
        base = np.stack([self.vectors.get(text.split("\n", 1)[0].rsplit(" #", 1)[0], fallback) for text in texts])
        noisy = base + self.rng.normal(scale=0.15 / np.sqrt(self.dim), size=base.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.embed_queries(texts)


def _grow(items: Sequence[Item], n: int) -> list[Item]:
    grown = list(items)
    copy = 1
    while len(grown) < n:
        for item in items:
            if len(grown) >= n:
                break
            grown.append(item.model_copy(update={"id": f"{item.id}-c{copy}", "title": f"{item.title} #{copy}"}))
        copy += 1
    return grown


def _time_turns(ranker, reader, turns, k: int = 50) -> dict:
    times = []
    for turn in turns:
        t0 = time.perf_counter()
        ranker.rank(reader.read(turn.context), k=k)
        times.append((time.perf_counter() - t0) * 1000)
    return {"turns": len(times), "ms_p50": round(float(np.percentile(times, 50)), 2),
            "ms_p95": round(float(np.percentile(times, 95)), 2)}


def _time_models(ranker, reader, turns) -> dict:
    """The full ranker's per-turn cost, and beside it the linear part alone (networks dropped), each
    pass with an empty query cache so both include the query embedding."""
    from chatbot.ranking.ranker import Weights

    shipped = ranker.weights
    timed = {}
    for name, weights in (("linear_only", Weights(weights=shipped.weights)), ("full", shipped)):
        ranker.set_weights(weights)
        ranker._qcache.clear()
        ranker._cosines.clear()
        timed[name] = _time_turns(ranker, reader, turns)
    ranker.set_weights(shipped)
    return {**timed["full"], "linear_only": timed["linear_only"]}


def run_ranker_bench(settings: Settings, sizes: Sequence[int], turns: int = 200) -> dict:
    from chatbot.config import Settings as _Settings
    from chatbot.loaders import load_catalog
    from chatbot.ranking import collaborative
    from chatbot.ranking.dialog_context import DialogReader
    from chatbot.evaluation.redial import to_eval_turns
    from chatbot.ranking.interactions import import_movielens, read_dialogs
    from chatbot.ranking.ranker import Ranker
    from chatbot.store import open_index

    items = load_catalog(REDIAL / "id2info.json").items
    real = get_embedder(settings)
    index = open_index(settings, "id2info", real)
    index.sync(items, batch_size=settings.embed_batch_size, progress=True)
    rows = import_movielens(MOVIELENS / "ratings.csv", MOVIELENS / "links.csv", items) if MOVIELENS.exists() else []
    reader = DialogReader(items)
    sample = to_eval_turns(read_dialogs(REDIAL / "valid_data_processed.jsonl"), reader)[:turns]
    results: dict = {"embedder": real.name, "sizes": []}
    for size in sizes:
        if not size or size <= len(items):
            ranker = Ranker(index, items, collab=collaborative.learn(rows, items))
            results["sizes"].append({"items": len(items), "dense": ranker.dense, **_time_models(ranker, reader, sample)})
            continue
        grown = _grow(items, size)
        vectors = index.get_vectors([item.id for item in items])
        by_title = {item.to_text().split("\n", 1)[0]: vectors[item.id] for item in items if item.id in vectors}
        with tempfile.TemporaryDirectory(prefix="chatbot-rankbench-") as tmp:
            bench_settings = _Settings(data_dir=Path(tmp), _env_file=None)
            big = open_index(bench_settings, f"grown-{size}", _CopyEmbedder(real, by_title))
            started = time.perf_counter()
            big.sync(grown, batch_size=2000, progress=True)
            build_s = time.perf_counter() - started
            ranker = Ranker(big, grown, collab=collaborative.learn(rows, grown))
            results["sizes"].append({"items": len(grown), "dense": ranker.dense, "index_build_s": round(build_s, 1),
                                     **_time_models(ranker, reader, sample)})
    return results
