"""The vector store (paradigm 1): catalog items in a Chroma collection, kept in sync by content hash.

Chroma runs embedded (`PersistentClient` under DATA_DIR/chroma) or as a server (`HttpClient` when
CHROMA_HOST is set; start one with `chroma run --path ./chroma-data --port 8000`). The collection
records which embedder built it; opening it with another embedder rebuilds it from scratch, so
vectors from two models are never mixed.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function
from pydantic import BaseModel
from tqdm import tqdm

from chatbot.config import Settings
from chatbot.embedders import Embedder
from chatbot.errors import StoreError
from chatbot.filters import item_metadata
from chatbot.items import Item
from chatbot.shipped_vectors import ShippedVector

log = logging.getLogger(__name__)

T = TypeVar("T")
SCHEMA_VERSION = 1  # bump when what is stored per item changes; forces a rebuild
_CLIENTS: dict[str, Any] = {}  # one client per path/host per process (Chroma's own rule)
_CLIENTS_LOCK = threading.Lock()


@register_embedding_function
class ChromaEmbedder(EmbeddingFunction[Documents]):
    """Adapter so Chroma always has an explicit embedding function: our embedder, with e5's
    passage/query roles kept apart."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "chatbot-embedder"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbedder":
        raise StoreError(f"Open this collection through chatbot.store (built with {config.get('embedder')}).")

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def _store_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Turn whatever the Chroma client raises (connection refused, server error) into a StoreError."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except (StoreError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise StoreError(f"The vector store failed during {method.__name__}: {exc}") from exc

    return wrapper


def make_client(settings: Settings) -> Any:
    """The Chroma client for these settings, shared within the process."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        key = f"http://{settings.chroma_host}:{settings.chroma_port}"
    else:
        key = str(settings.chroma_path.resolve())
    with _CLIENTS_LOCK:
        if key in _CLIENTS:
            return _CLIENTS[key]
        try:
            if settings.chroma_host:
                client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                             ssl=settings.chroma_ssl, settings=chroma_settings)
                client.heartbeat()
            else:
                settings.chroma_path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=key, settings=chroma_settings)
        except Exception as exc:
            where = key if settings.chroma_host else f"folder {key}"
            raise StoreError(f"Cannot reach the Chroma vector store at {where}: {exc}") from exc
        _CLIENTS[key] = client
        return client


def forget_client(settings: Settings) -> None:
    """Drop the cached client (after a server outage) so the next call reconnects."""
    key = f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(
        settings.chroma_path.resolve())
    with _CLIENTS_LOCK:
        _CLIENTS.pop(key, None)


def collection_name(catalog_name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", catalog_name).strip("-._") or "catalog"
    return f"items-{slug}"[:200]


class SyncReport(BaseModel):
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    restored: int = 0  # of added + updated: vectors taken from the shipped file, not embedded
    rebuilt: bool = False

    @property
    def embedded(self) -> int:
        """Items the embedder actually ran on."""
        return self.added + self.updated - self.restored


class ArtifactStore:
    """Small JSON documents kept in Chroma beside the index (learned neighbour lists, priors), so
    they live wherever the index lives, a local folder or a Chroma server. Large values are chunked."""

    CHUNK = 1_000_000

    def __init__(self, client: Any, name: str) -> None:
        self._collection = client.get_or_create_collection(name, embedding_function=None,
                                                           metadata={"hnsw:space": "cosine"})

    @_store_errors
    def put_json(self, key: str, value: Any) -> None:
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        chunks = [raw[i:i + self.CHUNK] for i in range(0, len(raw), self.CHUNK)] or [""]
        self.delete(key)
        ids = [f"{key}#{n}" for n in range(len(chunks))]
        self._collection.add(ids=ids, documents=chunks, embeddings=[[1.0]] * len(chunks),
                             metadatas=[{"key": key, "part": n, "parts": len(chunks)} for n in range(len(chunks))])

    @_store_errors
    def get_json(self, key: str) -> Any | None:
        found = self._collection.get(where={"key": key}, include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        parts = sorted(zip(found["metadatas"], found["documents"]), key=lambda pair: pair[0]["part"])
        if len(parts) != parts[0][0]["parts"]:
            log.warning("artifact %s is incomplete (%d of %d parts); ignoring it", key, len(parts), parts[0][0]["parts"])
            return None
        return json.loads("".join(doc for _, doc in parts))

    @_store_errors
    def delete(self, key: str) -> None:
        self._collection.delete(where={"key": key})


class CatalogIndex:
    """One catalog's items in one Chroma collection, with the queries the ranker needs."""

    def __init__(self, client: Any, catalog_name: str, embedder: Embedder) -> None:
        self.catalog_name = catalog_name
        self.embedder = embedder
        self.name = collection_name(catalog_name)
        self._client = client
        self._function = ChromaEmbedder(embedder)
        self.rebuilt = False
        self._collection = self._open_collection()
        self.artifacts = ArtifactStore(client, f"{self.name}-artifacts")

    def _expected_metadata(self) -> dict[str, Any]:
        return {"hnsw:space": "cosine", "embedder": self.embedder.name, "dim": self.embedder.dim,
                "schema": SCHEMA_VERSION}

    def _open_collection(self) -> Any:
        # get_or_create, not "list, then create": two builds at once (the app and `chatbot index`, or two
        # app processes on one Chroma server) must both get the collection, not "already exists".
        # An existing collection keeps its own metadata, which is what is checked below.
        expected = self._expected_metadata()
        collection = self._client.get_or_create_collection(self.name, embedding_function=self._function,
                                                           metadata=expected)
        meta = collection.metadata or {}
        if all(meta.get(k) == v for k, v in expected.items()):
            return collection
        log.warning("index %s was built with %s (schema %s); rebuilding it with %s",
                    self.name, meta.get("embedder"), meta.get("schema"), self.embedder.name)
        self._client.delete_collection(self.name)
        self.rebuilt = True
        return self._client.get_or_create_collection(self.name, embedding_function=self._function,
                                                     metadata=expected)

    # ---- indexing -------------------------------------------------------------------------
    @_store_errors
    def stored_hashes(self) -> dict[str, str]:
        """id -> content hash of every item in the index (paged, so 100k items stay cheap)."""
        hashes: dict[str, str] = {}
        offset, page = 0, 5000
        while True:
            found = self._collection.get(include=["metadatas"], limit=page, offset=offset)
            for item_id, meta in zip(found["ids"], found["metadatas"]):
                hashes[item_id] = (meta or {}).get("content_hash", "")
            if len(found["ids"]) < page:
                return hashes
            offset += page

    @_store_errors
    def sync(self, items: Sequence[Item], batch_size: int = 64, progress: bool = True,
             shipped: Mapping[str, ShippedVector] | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Make the index hold exactly `items`. Unchanged items cost nothing; an item whose shipped vector
        matches its content hash is restored from `shipped` without embedding; each batch is written as
        soon as it is ready, so an interrupted run leaves a consistent index that the next run completes.
        `on_progress(done, total)` is called after every batch (for the page's status line)."""
        report = SyncReport(rebuilt=self.rebuilt)
        stored = self.stored_hashes()
        wanted = {item.id: item for item in items}
        todo = [item for item in items if stored.get(item.id) != item.content_hash()]
        report.added = sum(1 for item in todo if item.id not in stored)
        report.updated = len(todo) - report.added
        report.unchanged = len(items) - len(todo)
        shipped = shipped or {}
        ready = [item for item in todo if (s := shipped.get(item.id)) is not None and s.content_hash == item.content_hash()]
        report.restored = len(ready)
        if ready:
            for start in range(0, len(ready), 5000):
                batch = ready[start:start + 5000]
                self._write(batch, np.stack([shipped[item.id].vector for item in batch]))
        restored_ids = {item.id for item in ready}
        to_embed = [item for item in todo if item.id not in restored_ids]
        # longest first: a slow batch shows early in the progress estimate, and similar lengths share a batch
        to_embed.sort(key=lambda item: -len(item.to_text()))
        done = len(ready)
        if on_progress and todo:
            on_progress(done, len(todo))
        with tqdm(total=len(to_embed), desc=f"Indexing {self.catalog_name}", unit="item",
                  disable=not progress or not to_embed) as bar:
            for start in range(0, len(to_embed), batch_size):
                batch = to_embed[start:start + batch_size]
                self._write(batch, self.embedder.embed_passages([item.to_text() for item in batch]))
                bar.update(len(batch))
                done += len(batch)
                if on_progress:
                    on_progress(done, len(todo))
        stale = [item_id for item_id in stored if item_id not in wanted]
        for start in range(0, len(stale), 5000):
            self._collection.delete(ids=stale[start:start + 5000])
        report.removed = len(stale)
        self.rebuilt = False
        log.info("index %s: %s", self.name, report.model_dump())
        return report

    def _write(self, batch: Sequence[Item], vectors: np.ndarray) -> None:
        self._collection.upsert(ids=[item.id for item in batch], embeddings=vectors,
                                documents=[item.to_text() for item in batch],
                                metadatas=[item_metadata(item) for item in batch])

    @_store_errors
    def all_vectors(self) -> dict[str, np.ndarray]:
        """id -> vector of every item in the index (paged)."""
        vectors: dict[str, np.ndarray] = {}
        offset, page = 0, 5000
        while True:
            found = self._collection.get(include=["embeddings"], limit=page, offset=offset)
            for item_id, vec in zip(found["ids"], found["embeddings"]):
                vectors[item_id] = np.asarray(vec, dtype=np.float32)
            if len(found["ids"]) < page:
                return vectors
            offset += page

    # ---- queries --------------------------------------------------------------------------
    @_store_errors
    def count(self) -> int:
        return self._collection.count()

    @_store_errors
    def query_vector(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest items to a vector: (id, cosine similarity), best first."""
        k = max(1, min(k, self._collection.count() or 1))
        found = self._collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k,
                                       where=where, include=["distances"])
        return [(item_id, 1.0 - float(dist)) for item_id, dist in zip(found["ids"][0], found["distances"][0])]

    def query_text(self, text: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        return self.query_vector(self.embedder.embed_query(text), k, where)

    @_store_errors
    def get_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        found = self._collection.get(ids=ids, include=["embeddings"])
        return {item_id: np.asarray(vec, dtype=np.float32) for item_id, vec in zip(found["ids"], found["embeddings"])}

    def profile_vector(self, liked_ids: Sequence[str], disliked_ids: Sequence[str] = (),
                       dislike_weight: float = 0.5) -> np.ndarray | None:
        """The user as a vector: mean of liked items, pushed away from disliked ones."""
        vectors = self.get_vectors([*liked_ids, *disliked_ids])
        liked = [vectors[i] for i in liked_ids if i in vectors]
        if not liked:
            return None
        profile = np.mean(liked, axis=0)
        disliked = [vectors[i] for i in disliked_ids if i in vectors]
        if disliked:
            profile = profile - dislike_weight * np.mean(disliked, axis=0)
        norm = float(np.linalg.norm(profile))
        return profile / norm if norm > 0 else None

    def query_like(self, liked_ids: Sequence[str], disliked_ids: Sequence[str] = (), k: int = 20,
                   where: dict | None = None) -> list[tuple[str, float]]:
        """'More like these': items near the liked anchors, away from the disliked ones; anchors excluded."""
        profile = self.profile_vector(liked_ids, disliked_ids)
        if profile is None:
            return []
        anchors = set(liked_ids) | set(disliked_ids)
        hits = self.query_vector(profile, k + len(anchors), where)
        return [(item_id, score) for item_id, score in hits if item_id not in anchors][:k]


def open_index(settings: Settings, catalog_name: str, embedder: Embedder) -> CatalogIndex:
    """Open (or create) the index of a catalog. Raises StoreError when Chroma cannot be reached."""
    client = make_client(settings)
    try:
        return CatalogIndex(client, catalog_name, embedder)
    except StoreError:
        raise
    except Exception as exc:
        forget_client(settings)
        raise StoreError(f"Cannot open the index for catalog '{catalog_name}': {exc}") from exc
