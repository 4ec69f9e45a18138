"""A catalog ready to chat about: its items, its Chroma index, its title matcher and its ranker.

Built once per catalog per process and shared read-only by every session (no per-user state here).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from chatbot.catalogs import catalog_kind, resolve_catalog
from chatbot.config import Settings
from chatbot.embedders import get_embedder
from chatbot.items import Item
from chatbot.loaders import load_catalog
from chatbot.shipped_vectors import load_vectors
from chatbot.store import CatalogIndex, forget_client, open_index

log = logging.getLogger(__name__)


@dataclass
class CatalogEngine:
    name: str
    items: dict[str, Item]
    index: CatalogIndex
    titles: object  # chatbot.dialogue.titles.TitleMatcher
    ranker: object  # chatbot.ranking.ranker.Ranker
    kind: str = "movie"  # catalog_kind(): "product" for a shop catalog
    load_errors: int = 0


class BuildProgress(BaseModel):
    """How far the preparation of one catalog got (rendered in the reader's language by the service)."""

    catalog: str
    stage: Literal["loading", "indexing", "ranker", "ready", "failed"] = "loading"
    done: int = 0  # items indexed so far (stage "indexing")
    total: int = 0  # items to index (restored from shipped vectors or embedded)
    started: float = 0.0  # time.monotonic() when the build began


def build_engine(settings: Settings, catalog: str,
                 progress: Callable[[BuildProgress], None] | None = None) -> CatalogEngine:
    from chatbot.dialogue.titles import TitleMatcher
    from chatbot.ranking.ranker import Ranker

    name, path = resolve_catalog(settings, catalog)
    state = BuildProgress(catalog=name, started=time.monotonic())
    report = progress or (lambda _: None)
    report(state)
    loaded = load_catalog(path)
    for error in loaded.errors:
        log.warning("catalog %s: skipped %s", name, error)
    items = {item.id: item for item in loaded.items}
    embedder = get_embedder(settings)
    index = open_index(settings, name, embedder)
    shipped = load_vectors(path, embedder.name, embedder.dim)

    def indexed(done: int, total: int) -> None:
        report(state.model_copy(update={"stage": "indexing", "done": done, "total": total}))

    sync = index.sync(loaded.items, batch_size=settings.embed_batch_size, shipped=shipped, on_progress=indexed)
    log.info("catalog %s indexed: %s (embedded %d)", name, sync.model_dump(), sync.embedded)
    report(state.model_copy(update={"stage": "ranker"}))
    engine = CatalogEngine(name=name, items=items, index=index, titles=TitleMatcher(loaded.items),
                           ranker=Ranker.from_index(index, list(items.values())),
                           kind=catalog_kind(loaded.items), load_errors=len(loaded.errors))
    report(state.model_copy(update={"stage": "ready"}))
    log.info("catalog %s ready in %.1f s", name, time.monotonic() - state.started)
    return engine


class EngineRegistry:
    """Lazily builds one engine per catalog; a store outage drops the engine so the next turn reconnects."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[str, CatalogEngine] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._progress: dict[str, BuildProgress] = {}  # catalog -> the build under way (or its end)

    def get(self, catalog: str, progress: Callable[[BuildProgress], None] | None = None) -> CatalogEngine:
        with self._guard:
            lock = self._locks.setdefault(catalog, threading.Lock())
        with lock:
            engine = self._engines.get(catalog)
            if engine is None:
                def track(state: BuildProgress) -> None:
                    self._progress[catalog] = state
                    if progress:
                        progress(state)

                try:
                    engine = build_engine(self.settings, catalog, track)
                except Exception:
                    previous = self._progress.get(catalog) or BuildProgress(catalog=catalog)
                    self._progress[catalog] = previous.model_copy(update={"stage": "failed"})
                    raise
                self._engines[catalog] = engine
            return engine

    def ready(self, catalog: str) -> bool:
        return catalog in self._engines

    def progress(self, catalog: str) -> BuildProgress | None:
        """The latest progress of this catalog's build (None before one started)."""
        return self._progress.get(catalog)

    def building(self) -> list[BuildProgress]:
        """Builds under way, oldest first."""
        return [p for p in self._progress.values() if p.stage not in ("ready", "failed")]

    def drop(self, catalog: str) -> None:
        """Forget a catalog's engine (after a store failure) so that it is rebuilt on next use."""
        with self._guard:
            self._engines.pop(catalog, None)
        forget_client(self.settings)
