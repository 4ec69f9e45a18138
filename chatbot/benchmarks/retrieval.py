"""Chroma against the brute-force floor: indexing throughput, query latency, and ANN recall.

The vectors are real: the shipped catalogs embedded with the configured embedder, extended to N
items by small random perturbations of those real vectors (embedding 100k texts would take the
benchmark's whole budget and measures the embedder, not the store; its throughput is reported
separately on a sample).
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from chatbot.benchmarks.stats import percentiles_ms
from chatbot.config import Settings
from chatbot.embedders import Embedder

log = logging.getLogger(__name__)


def _base_vectors(settings: Settings, embedder: Embedder, sample: int) -> tuple[np.ndarray, float]:
    from chatbot.catalogs import shipped_catalogs
    from chatbot.loaders import load_catalog

    texts = [item.to_text() for path in shipped_catalogs(settings).values() for item in load_catalog(path).items]
    texts = texts[:sample] or [f"item number {n}" for n in range(sample)]
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    return vectors, len(texts) / (time.perf_counter() - started)


def _grow(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    picks = base[rng.integers(0, len(base), size=n)]
    noisy = picks + rng.normal(scale=0.15 / np.sqrt(base.shape[1]), size=picks.shape).astype(np.float32)
    return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def bench_size(vectors: np.ndarray, queries: np.ndarray, k: int, workdir: Path) -> dict:
    client = chromadb.PersistentClient(path=str(workdir), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection(f"bench-{len(vectors)}", embedding_function=None,
                                          metadata={"hnsw:space": "cosine"})
    ids = [str(n) for n in range(len(vectors))]
    started = time.perf_counter()
    for start in range(0, len(vectors), 5000):
        collection.add(ids=ids[start:start + 5000], embeddings=vectors[start:start + 5000])
    index_s = time.perf_counter() - started

    chroma_times, exact_times, overlap = [], [], []
    for query in queries:
        t0 = time.perf_counter()
        found = collection.query(query_embeddings=[query], n_results=k, include=[])
        chroma_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scores = vectors @ query
        exact = np.argpartition(-scores, k)[:k]
        exact_times.append(time.perf_counter() - t0)
        overlap.append(len({int(i) for i in found["ids"][0]} & {int(i) for i in exact}) / k)
    client.delete_collection(collection.name)
    return {"items": len(vectors), "chroma_index_items_per_s": round(len(vectors) / index_s, 1),
            "chroma": percentiles_ms(chroma_times), "brute_force": percentiles_ms(exact_times),
            f"chroma_recall@{k}_vs_exact": round(float(np.mean(overlap)), 4)}


def run_retrieval_bench(settings: Settings, embedder: Embedder, sizes: list[int], queries: int = 200,
                        k: int = 10, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    base, embed_rate = _base_vectors(settings, embedder, sample=256)
    results = {"embedder": embedder.name, "embedder_passages_per_s": round(embed_rate, 1), "k": k,
               "queries": queries, "sizes": []}
    with tempfile.TemporaryDirectory(prefix="chatbot-bench-") as tmp:
        for size in sizes:
            vectors = _grow(base, size, rng)
            query_vectors = _grow(base, queries, rng)
            log.info("benchmarking %d items", size)
            results["sizes"].append(bench_size(vectors, query_vectors, k, Path(tmp) / str(size)))
    return results
