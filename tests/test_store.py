"""The Chroma index: re-runs, changes, deletions, interruptions, embedder changes, filters, anchors."""

from __future__ import annotations

import pytest

from chatbot.filters import Constraints
from chatbot.items import Item
from chatbot.store import open_index
from conftest import FakeEmbedder


def movie(item_id: str, title: str, year: int, genres: list[str], text: str, **extra) -> Item:
    return Item(id=item_id, kind="movie", title=title, year=year, genres=genres, description=text, **extra)


ITEMS = [
    movie("interstellar", "Interstellar", 2014, ["sci-fi", "drama"],
          "Astronauts cross a wormhole near Saturn to find humanity a new home among the stars.",
          title_zh="星际穿越", description_zh="宇航员穿过土星附近的虫洞，为人类寻找新的家园。"),
    movie("gravity", "Gravity", 2013, ["sci-fi", "thriller"], "Two astronauts are stranded in orbit after debris destroys their shuttle.",
          title_zh="地心引力", description_zh="太空碎片摧毁了航天飞机，两名宇航员被困在地球轨道上。"),
    movie("titanic", "Titanic", 1997, ["romance", "drama"], "A love story between two young people aboard a doomed ocean liner.",
          title_zh="泰坦尼克号", description_zh="两个年轻人在一艘注定沉没的远洋邮轮上相爱。"),
    movie("shining", "The Shining", 1980, ["horror"], "A writer and his family look after an isolated hotel for the winter, and something in it wakes."),
    movie("wandering-earth", "The Wandering Earth", 2019, ["sci-fi", "action"],
          "Humanity fits the planet with giant engines to flee a dying sun.", title_zh="流浪地球",
          description_zh="太阳即将膨胀毁灭，人类在地球上建造巨大的发动机，推着地球离开太阳系。", language="zh"),
    movie("farewell", "Farewell My Concubine", 1993, ["drama", "romance"],
          "Two Peking opera performers live through half a century of Chinese history.", title_zh="霸王别姬",
          description_zh="两位京剧演员半个世纪的情谊与命运，交织着中国现代史的风云变幻。", language="zh"),
    Item(id="earbuds-cheap", kind="product", title="Budget wireless earbuds", price=129, currency="CNY",
         genres=["audio"], description="Light Bluetooth earbuds with 20 hours of battery."),
    Item(id="headphones-pro", kind="product", title="Noise-cancelling headphones", price=1899, currency="CNY",
         genres=["audio"], description="Over-ear headphones with active noise cancelling and 30 hours of battery."),
]


def ids(hits):
    return [item_id for item_id, _ in hits]


def test_rerun_costs_no_embedding_and_changes_are_applied(settings, fake_embedder):
    index = open_index(settings, "demo", fake_embedder)
    first = index.sync(ITEMS, progress=False)
    assert (first.added, first.unchanged) == (len(ITEMS), 0)
    calls = fake_embedder.calls

    again = index.sync(ITEMS, progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(ITEMS))
    assert fake_embedder.calls == calls, "an unchanged catalog must cost no embedding work"

    changed = [ITEMS[0].model_copy(update={"description": "A father leaves his daughter to save the world."})]
    changed += ITEMS[1:-1]  # the last item is removed
    report = index.sync(changed, progress=False)
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert fake_embedder.calls == calls + 1
    assert index.count() == len(ITEMS) - 1
    assert "headphones-pro" not in index.stored_hashes()
    assert index.stored_hashes()["interstellar"] == changed[0].content_hash()


def test_reopening_in_a_new_process_state_keeps_the_index(settings, fake_embedder):
    open_index(settings, "demo", fake_embedder).sync(ITEMS, progress=False)
    reopened = open_index(settings, "demo", FakeEmbedder())
    assert reopened.sync(ITEMS, progress=False).embedded == 0


class FailingEmbedder(FakeEmbedder):
    """Dies after a number of passages, like a build killed midway."""

    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after

    def embed_passages(self, texts):
        if self.calls + len(texts) > self.fail_after:
            raise KeyboardInterrupt("killed")
        return super().embed_passages(texts)


def test_interrupted_build_is_completed_by_the_next_run(settings):
    with pytest.raises(KeyboardInterrupt):
        open_index(settings, "demo", FailingEmbedder(fail_after=4)).sync(ITEMS, batch_size=2, progress=False)
    partial = open_index(settings, "demo", FakeEmbedder())
    assert 0 < partial.count() < len(ITEMS)
    report = partial.sync(ITEMS, batch_size=2, progress=False)
    assert report.added == len(ITEMS) - 4 and report.unchanged == 4
    assert partial.count() == len(ITEMS)
    assert sorted(partial.stored_hashes()) == sorted(item.id for item in ITEMS)


def test_a_different_embedder_forces_a_rebuild(settings):
    open_index(settings, "demo", FakeEmbedder(name="model-a")).sync(ITEMS, progress=False)
    other = FakeEmbedder(name="model-b", dim=32)
    index = open_index(settings, "demo", other)
    assert index.rebuilt
    report = index.sync(ITEMS, progress=False)
    assert report.rebuilt and report.added == len(ITEMS)
    assert other.calls == len(ITEMS)
    assert len(next(iter(index.get_vectors(["titanic"]).values()))) == 32


@pytest.mark.slow
def test_filters_and_anchored_queries_with_the_real_embedder(settings, real_embedder):
    index = open_index(settings, "demo", real_embedder)
    index.sync(ITEMS, progress=False)

    assert ids(index.query_text("astronauts stranded in orbit", 1)) == ["gravity"]
    assert ids(index.query_text("a journey through a wormhole", 1)) == ["interstellar"]

    no_scifi = Constraints(genres_exclude=["sci-fi"]).to_where()
    assert not {"interstellar", "gravity", "wandering-earth"} & set(ids(index.query_text("space", 5, no_scifi)))

    old = Constraints(year_max=1999, kinds=["movie"]).to_where()
    assert set(ids(index.query_text("anything", 10, old))) == {"titanic", "shining", "farewell"}

    cheap = Constraints(kinds=["product"], price_max=500).to_where()
    assert ids(index.query_text("headphones", 5, cheap)) == ["earbuds-cheap"]

    chinese = Constraints(languages=["zh"]).to_where()
    assert set(ids(index.query_text("film", 10, chinese))) == {"wandering-earth", "farewell"}

    like = ids(index.query_like(["interstellar"], k=3, where=Constraints(kinds=["movie"]).to_where()))
    assert "interstellar" not in like and like[0] in {"gravity", "wandering-earth"}
    away = ids(index.query_like(["interstellar"], ["gravity"], k=6))
    assert away.index("gravity") > away.index("wandering-earth") if "gravity" in away else True


@pytest.mark.slow
def test_chinese_query_finds_chinese_and_english_items(settings, real_embedder):
    """Shipped catalogs carry both languages per item (e5-small prefers same-language text)."""
    if not real_embedder.name.startswith("e5"):
        pytest.skip("the multilingual embedder is not available on this CPU")
    index = open_index(settings, "demo", real_embedder)
    index.sync(ITEMS, progress=False)
    top = ids(index.query_text("人类逃离太阳系的科幻电影", 3, Constraints(kinds=["movie"]).to_where()))
    assert top[0] == "wandering-earth"
    assert {"interstellar", "gravity"} & set(top[1:]), top
    assert ids(index.query_text("轮船上的爱情故事", 1)) == ["titanic"]
    assert ids(index.query_text("宇航员被困在太空轨道", 1)) == ["gravity"]
    assert ids(index.query_text("opera performers and Chinese history", 1)) == ["farewell"]
    assert ids(index.query_text("恐怖", 1, Constraints(genres_include=["horror"]).to_where())) == ["shining"]
