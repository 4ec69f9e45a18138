"""Item vectors built once and shipped beside a catalog file, so that a fresh start embeds nothing.

`catalog/movies.jsonl` + embedder `e5:multilingual-e5-small-q4` -> `catalog/movies.e5-multilingual-e5-small-q4.vectors.npz`
holding, per item, its id, its content hash (`Item.content_hash()`) and its vector (float32, exactly what the
embedder produced). At index time an item whose id and content hash match is restored from the file instead
of being embedded; a changed item, a new one, or another embedder (another file name, and the name is checked
inside) is embedded as usual. `python -m chatbot index --catalog movies --export-vectors` writes the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chatbot.items import Item

log = logging.getLogger(__name__)

SUFFIX = ".vectors.npz"


@dataclass(frozen=True)
class ShippedVector:
    content_hash: str
    vector: np.ndarray


def embedder_slug(embedder_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", embedder_name).strip("-.") or "embedder"


def vectors_path(catalog_path: Path, embedder_name: str) -> Path:
    """Where the shipped vectors of this catalog file for this embedder live (beside the file)."""
    return catalog_path.with_name(f"{catalog_path.stem}.{embedder_slug(embedder_name)}{SUFFIX}")


def load_vectors(catalog_path: Path, embedder_name: str, dim: int) -> dict[str, ShippedVector]:
    """id -> (content hash, vector) from the shipped file; empty when there is none or it does not fit."""
    path = vectors_path(catalog_path, embedder_name)
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            name = str(data["embedder"])
            ids, hashes, vectors = data["ids"].tolist(), data["hashes"].tolist(), np.asarray(data["vectors"], np.float32)
    except Exception as exc:  # a damaged file costs embedding time, never correctness
        log.warning("shipped vectors %s unreadable (%s); embedding instead", path, exc)
        return {}
    if name != embedder_name or vectors.ndim != 2 or vectors.shape[1] != dim or len(ids) != len(vectors):
        log.warning("shipped vectors %s are for %s (dim %s), not %s; embedding instead",
                    path, name, vectors.shape[-1] if vectors.ndim == 2 else "?", embedder_name)
        return {}
    return {item_id: ShippedVector(h, vectors[n]) for n, (item_id, h) in enumerate(zip(ids, hashes))}


def save_vectors(catalog_path: Path, embedder_name: str, items: Sequence[Item],
                 vectors: Mapping[str, np.ndarray]) -> Path:
    """Write the vectors of `items` (every one must be in `vectors`) beside the catalog file."""
    missing = [item.id for item in items if item.id not in vectors]
    if missing:
        raise ValueError(f"no vector for {len(missing)} items, e.g. {missing[:3]}")
    path = vectors_path(catalog_path, embedder_name)
    np.savez_compressed(
        path, embedder=np.array(embedder_name), ids=np.array([item.id for item in items]),
        hashes=np.array([item.content_hash() for item in items]),
        vectors=np.stack([np.asarray(vectors[item.id], np.float32) for item in items]))
    return path


def stale_items(catalog_path: Path, embedder_name: str, dim: int, items: Sequence[Item]) -> list[str]:
    """Ids whose shipped vector is missing or was built from other content (empty = the file is current)."""
    shipped = load_vectors(catalog_path, embedder_name, dim)
    wrong = [item.id for item in items if (s := shipped.get(item.id)) is None or s.content_hash != item.content_hash()]
    extra = sorted(set(shipped) - {item.id for item in items})
    return wrong + extra
