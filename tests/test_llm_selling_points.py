"""Selling points: persistent cache keyed by content/prompt/model, grounded writer, chat-time budget,
batch enrichment; interest tags from the conversation."""

from __future__ import annotations

import logging

import pytest
from llm_fakes import FakeChatModel, load_items

from chatbot.errors import LLMError
from chatbot.llm.interest_tags import interest_tags, parse_tags
from chatbot.llm.selling_points import (SellingPointCache, SellingPointWriter, enrich_items, open_cache,
                                        parse_bullets, selling_points_for)

ITEMS = load_items()
EARTH = ITEMS["the-wandering-earth-2019"]
BUDS = ITEMS["p-cirrus-buds-lite"]
GOOD = "- A planet-sized rescue mission\n- Chinese sci-fi spectacle\n- Directed by Frant Gwo"


@pytest.fixture
def cache(tmp_path):
    cache = open_cache(tmp_path / "data")
    yield cache
    cache.close()


def test_writer_keeps_grounded_bullets_and_drops_invented_ones():
    model = FakeChatModel(["Here you go:\n- A planet-sized rescue mission\n- Directed by James Cameron\n"
                           "2. Chinese sci-fi spectacle\n- Released in 1997"])
    points = SellingPointWriter(model).write(EARTH, "en")
    assert points.source == "llm"
    assert points.points == ["A planet-sized rescue mission", "Chinese sci-fi spectacle"]
    assert EARTH.title in model.prompt_text() and "2 or 3" in model.prompt_text()


def test_writer_falls_back_to_templates_when_too_little_survives():
    points = SellingPointWriter(FakeChatModel(["- Costs only ¥19\n- Nothing else"])).write(BUDS, "en")
    assert points.source == "template" and points.points[-1] == "¥99 from Cirrus Audio"


def test_cache_survives_a_restart_and_is_keyed_by_content_prompt_and_model(tmp_path):
    data = tmp_path / "data"
    writer = SellingPointWriter(FakeChatModel([GOOD]))
    first = selling_points_for([EARTH], writer, open_cache(data), "en", budget_s=5)
    assert first[EARTH.id].source == "llm"
    again = selling_points_for([EARTH], writer, open_cache(data), "en", budget_s=5)  # reopened: a restart
    assert again[EARTH.id].source == "cache" and again[EARTH.id].points == first[EARTH.id].points
    other_model = SellingPointWriter(FakeChatModel([GOOD], name="other"))
    assert selling_points_for([EARTH], other_model, open_cache(data), "en", 5)[EARTH.id].source == "llm"
    changed = EARTH.model_copy(update={"tags": [*EARTH.tags, "new tag"]})
    writer.model.enqueue(GOOD)
    assert selling_points_for([changed], writer, open_cache(data), "en", 5)[EARTH.id].source == "llm"
    key = SellingPointCache.key(EARTH, "sp-en-1", "fake:fake-model", "en")
    assert key != SellingPointCache.key(EARTH, "sp-en-2", "fake:fake-model", "en")


@pytest.mark.parametrize("damage", [b"this is not a database at all" * 50, None])
def test_corrupt_or_truncated_cache_is_rebuilt(tmp_path, caplog, damage):
    data = tmp_path / "data"
    cache = open_cache(data)
    for n in range(50):
        cache.put(f"k{n}", "id", ["point one " * 20, "point two"], "llm")
    cache.close()
    path = data / "selling_points.sqlite"
    raw = path.read_bytes()
    path.write_bytes(damage if damage is not None else raw[: len(raw) // 3])
    with caplog.at_level(logging.WARNING):
        cache = open_cache(data)
        assert cache.get("k1") is None
        cache.put("fresh", "id", ["a", "b"], "llm")
        assert cache.get("fresh") == ["a", "b"]
    assert "unreadable" in caplog.text
    assert list(data.glob("selling_points.sqlite.corrupt-*"))


def test_chat_time_budget_uses_templates_for_the_rest(cache):
    model = FakeChatModel([GOOD] * 5, delay_s=0.3)
    items = [EARTH, *[i for i in ITEMS.values() if i.kind == "movie"][1:5]]
    result = selling_points_for(items, SellingPointWriter(model), cache, "en", budget_s=0.5)
    sources = [result[i.id].source for i in items]
    assert sources[0] == "llm" and sources[-1] == "template"
    assert all(len(result[i.id].points) >= 2 for i in items)


def test_model_errors_are_not_cached(cache):
    writer = SellingPointWriter(FakeChatModel([LLMError("down"), GOOD]))
    assert selling_points_for([EARTH], writer, cache, "en", 5)[EARTH.id].source == "template"
    assert selling_points_for([EARTH], writer, cache, "en", 5)[EARTH.id].source == "llm"


def test_no_model_means_templates_without_cache_writes(cache):
    result = selling_points_for([EARTH, BUDS], SellingPointWriter(None), cache, "zh", 1)
    assert result[BUDS.id].points[-1] == "售价¥99，品牌：Cirrus Audio" and len(cache) == 0


def test_enrich_items_fills_the_cache_once_with_a_limit(cache):
    items = list(ITEMS.values())[:4]
    model = FakeChatModel([GOOD] * 20)
    report = enrich_items(items, SellingPointWriter(model), cache, limit=3, progress=False, langs=("en",))
    assert report.written + report.template == 3 and report.failed == 0 and len(cache) == 3
    again = enrich_items(items, SellingPointWriter(model), cache, limit=3, progress=False, langs=("en",))
    assert again.cached == 3 and again.written == 0 and len(model.prompts) == 3


def test_enrich_counts_failures_and_shows_progress(cache, capsys):
    model = FakeChatModel([LLMError("down"), GOOD])
    report = enrich_items([EARTH], SellingPointWriter(model), cache, progress=True, langs=("en", "zh"))
    assert report.failed == 1 and len(cache) == 1
    assert "selling points" in capsys.readouterr().err


def test_parse_bullets():
    assert parse_bullets("Sure:\n1. One\n* Two\n• Three\n（4）四\n\n- " + "x" * 300) == ["One", "Two", "Three", "四"]


def test_interest_tags_from_the_model_and_fallbacks():
    model = FakeChatModel(["Grand Sci-Fi, value for money, [evil-id-1], sk-abcdefghijklmnopqrst, family"])
    tags = interest_tags(model, "user: big space films please, cheap", [EARTH], "en")
    assert tags.source == "llm" and tags.tags == ["grand sci-fi", "value for money", "family"]
    assert "big space films" in model.prompt_text()
    failed = interest_tags(FakeChatModel([LLMError("down")]), "user: hi", [EARTH], "en", stated_genres=["comedy"])
    assert failed.source == "template" and failed.tags[:2] == ["comedy", "sci-fi"]
    assert interest_tags(None, "user: hi", [EARTH], "zh").tags[0] == "科幻"
    assert parse_tags("宏大科幻，性价比高、家庭", "zh") == ["宏大科幻", "性价比高", "家庭"]


def test_slow_models_are_cut_off_by_the_deadline():
    slow = FakeChatModel([GOOD, "grand sci-fi"], delay_s=2.0)
    with pytest.raises(LLMError, match="timeout"):
        SellingPointWriter(slow).write(EARTH, "en", timeout_s=0.2)
    assert interest_tags(slow, "user: space!", [EARTH], "en", timeout_s=0.2).source == "template"
