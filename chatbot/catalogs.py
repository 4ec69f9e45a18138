"""Which catalog is which: shipped names (`movies`, `products`) or any file path."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from chatbot.config import Settings
from chatbot.errors import CatalogError
from chatbot.items import Item

log = logging.getLogger(__name__)


def shipped_catalogs(settings: Settings) -> dict[str, Path]:
    """Shipped catalog name -> file, e.g. {"movies": catalog/movies.jsonl}."""
    return {path.stem: path for path in sorted(settings.catalog_dir.glob("*.jsonl"))}


def resolve_catalog(settings: Settings, name_or_path: str) -> tuple[str, Path]:
    """A catalog name for the index and the file it comes from."""
    shipped = shipped_catalogs(settings)
    if name_or_path in shipped:
        return name_or_path, shipped[name_or_path]
    path = Path(name_or_path)
    if not path.exists():
        known = ", ".join(shipped) or "none"
        raise CatalogError(f"No catalog '{name_or_path}': not a file, and not a shipped catalog ({known}).")
    return path.stem, path


def catalog_kind(items: Iterable[Item]) -> str:
    """'product' for a shop catalog (mostly products), else 'movie' (films and series): picks the wording
    and the quick replies."""
    kinds = [item.kind for item in items]
    return "product" if sum(k == "product" for k in kinds) * 2 > len(kinds) else "movie"
