"""Shipped vectors: a fresh index restores them instead of embedding; a changed item or another embedder is
embedded; the files shipped in catalog/ are current for the shipped catalogs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chatbot.catalogs import shipped_catalogs
from chatbot.config import Settings
from chatbot.embedders import E5_NAME, MINILM_NAME
from chatbot.loaders import load_catalog
from chatbot.shipped_vectors import SUFFIX, load_vectors, save_vectors, stale_items, vectors_path
from chatbot.store import open_index
from conftest import FakeEmbedder
from test_store import ITEMS, ids

SHIPPED = Settings(_env_file=None)


def exported(settings: Settings, embedder: FakeEmbedder, folder: Path) -> Path:
    """Index ITEMS once and export their vectors beside a catalog file in `folder`."""
    catalog = folder / "demo.jsonl"
    catalog.write_text("\n".join(item.model_dump_json() for item in ITEMS) + "\n", encoding="utf-8")
    index = open_index(settings, "demo", embedder)
    index.sync(ITEMS, progress=False)
    save_vectors(catalog, embedder.name, ITEMS, index.all_vectors())
    return catalog


def test_a_fresh_index_restores_shipped_vectors_without_embedding(tmp_path):
    catalog = exported(Settings(data_dir=tmp_path / "built", _env_file=None), FakeEmbedder(), tmp_path)
    embedder = FakeEmbedder()
    fresh = open_index(Settings(data_dir=tmp_path / "fresh", _env_file=None), "demo", embedder)
    progress: list[tuple[int, int]] = []
    report = fresh.sync(ITEMS, progress=False, shipped=load_vectors(catalog, embedder.name, embedder.dim),
                        on_progress=lambda done, total: progress.append((done, total)))
    assert (report.added, report.restored, report.embedded) == (len(ITEMS), len(ITEMS), 0)
    assert embedder.calls == 0, "restored items cost no embedding"
    assert progress[-1] == (len(ITEMS), len(ITEMS))
    query = embedder.embed_query("astronauts in space")
    built = open_index(Settings(data_dir=tmp_path / "built", _env_file=None), "demo", FakeEmbedder())
    assert ids(fresh.query_vector(query, 5)) == ids(built.query_vector(query, 5))


def test_a_changed_item_or_another_embedder_is_embedded(tmp_path):
    catalog = exported(Settings(data_dir=tmp_path / "built", _env_file=None), FakeEmbedder(), tmp_path)
    changed = [ITEMS[0].model_copy(update={"description": "A father leaves his daughter to save the world."}),
               *ITEMS[1:]]
    embedder = FakeEmbedder()
    fresh = open_index(Settings(data_dir=tmp_path / "a", _env_file=None), "demo", embedder)
    report = fresh.sync(changed, progress=False, shipped=load_vectors(catalog, embedder.name, embedder.dim))
    assert (report.restored, report.embedded, embedder.calls) == (len(ITEMS) - 1, 1, 1)
    assert stale_items(catalog, embedder.name, embedder.dim, changed) == [ITEMS[0].id]

    other = FakeEmbedder(name="fake-other")
    assert load_vectors(catalog, other.name, other.dim) == {}, "another embedder's file name"
    vectors_path(catalog, other.name).write_bytes(vectors_path(catalog, embedder.name).read_bytes())
    assert load_vectors(catalog, other.name, other.dim) == {}, "the name inside the file is checked too"
    report = open_index(Settings(data_dir=tmp_path / "b", _env_file=None), "demo", other).sync(
        ITEMS, progress=False, shipped=load_vectors(catalog, other.name, other.dim))
    assert (report.restored, report.embedded) == (0, len(ITEMS))


def test_a_damaged_vectors_file_costs_time_not_correctness(tmp_path):
    catalog = exported(Settings(data_dir=tmp_path / "built", _env_file=None), FakeEmbedder(), tmp_path)
    vectors_path(catalog, "fake-bow").write_bytes(b"not a zip file")
    assert load_vectors(catalog, "fake-bow", 64) == {}


@pytest.mark.parametrize("catalog", sorted(shipped_catalogs(SHIPPED)))
@pytest.mark.parametrize("embedder_name", [E5_NAME, MINILM_NAME])
def test_shipped_vectors_are_current_for_the_shipped_catalogs(catalog, embedder_name):
    """Fails when a catalog changed and its vectors were not regenerated: `make vectors`."""
    path = shipped_catalogs(SHIPPED)[catalog]
    assert vectors_path(path, embedder_name).exists(), f"no shipped vectors for {catalog} with {embedder_name}"
    stale = stale_items(path, embedder_name, 384, load_catalog(path).items)
    assert not stale, f"shipped vectors of {catalog} are stale for {len(stale)} items, e.g. {stale[:3]}: run `make vectors`"


def test_no_orphan_vectors_files():
    names = set(shipped_catalogs(SHIPPED))
    for path in SHIPPED.catalog_dir.glob(f"*{SUFFIX}"):
        assert path.name.split(".")[0] in names, f"{path.name} belongs to no shipped catalog"


def test_shipped_vectors_are_what_the_real_embedder_produces(real_embedder):
    path = shipped_catalogs(SHIPPED)["movies"]
    shipped = load_vectors(path, real_embedder.name, real_embedder.dim)
    items = load_catalog(path).items[:20]  # more than one engine chunk (E5Engine.chunk_tokens)
    fresh = real_embedder.embed_passages([item.to_text() for item in items])
    restored = np.stack([shipped[item.id].vector for item in items])
    assert np.allclose(fresh, restored, atol=1e-6), "same vectors, whatever the batch size or thread count"
