"""A catalog ready to chat about: its items, its Chroma index, its title matcher and its ranker.

Built once per catalog per process and shared read-only by every session (no per-user state here).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from chatbot.catalogs import catalog_kind, resolve_catalog
from chatbot.config import Settings
from chatbot.embedders import get_embedder
from chatbot.items import Item
from chatbot.loaders import load_catalog
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


def build_engine(settings: Settings, catalog: str, progress: Callable[[str], None] | None = None) -> CatalogEngine:
    from chatbot.dialogue.titles import TitleMatcher
    from chatbot.ranking.ranker import Ranker

    name, path = resolve_catalog(settings, catalog)
    loaded = load_catalog(path)
    for error in loaded.errors:
        log.warning("catalog %s: skipped %s", name, error)
    items = {item.id: item for item in loaded.items}
    if progress:
        progress(f"Indexing catalog '{name}' ({len(items)} items)…")
    index = open_index(settings, name, get_embedder(settings))
    report = index.sync(loaded.items, batch_size=settings.embed_batch_size)
    log.info("catalog %s ready: %s", name, report.model_dump())
    return CatalogEngine(name=name, items=items, index=index, titles=TitleMatcher(loaded.items),
                         ranker=Ranker.from_index(index, list(items.values())),
                         kind=catalog_kind(loaded.items), load_errors=len(loaded.errors))


class EngineRegistry:
    """Lazily builds one engine per catalog; a store outage drops the engine so the next turn reconnects."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[str, CatalogEngine] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, catalog: str, progress: Callable[[str], None] | None = None) -> CatalogEngine:
        with self._guard:
            lock = self._locks.setdefault(catalog, threading.Lock())
        with lock:
            engine = self._engines.get(catalog)
            if engine is None:
                engine = build_engine(self.settings, catalog, progress)
                self._engines[catalog] = engine
            return engine

    def ready(self, catalog: str) -> bool:
        return catalog in self._engines

    def drop(self, catalog: str) -> None:
        """Forget a catalog's engine (after a store failure) so that it is rebuilt on next use."""
        with self._guard:
            self._engines.pop(catalog, None)
        forget_client(self.settings)
