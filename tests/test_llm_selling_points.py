"""Selling points: persistent cache keyed by content/prompt/model, grounded writer with the library's retries,
chat time reading only (catalog, cache, facts), batch enrichment."""

from __future__ import annotations

import logging

import pytest
from llm_fakes import FakeChatModel, load_items

from chatbot.errors import LLMError
from chatbot.llm.selling_points import (SellingPointCache, SellingPoints, SellingPointWriter, enrich_items, open_cache,
                                        parse_bullets, selling_points_for)

ITEMS = load_items()
EARTH = ITEMS["the-wandering-earth-2019"]
BUDS = ITEMS["p-cirrus-buds-lite"]
GOOD = "- A planet-sized rescue mission\n- Chinese sci-fi spectacle\n- Directed by Frant Gwo"
NAME = "fake:fake-model"


def writer_for(*answers, **options) -> SellingPointWriter:
    return SellingPointWriter(FakeChatModel(answers=list(answers), **options), NAME, retries=0)


@pytest.fixture
def cache(tmp_path):
    cache = open_cache(tmp_path / "data")
    yield cache
    cache.close()


def test_writer_keeps_grounded_bullets_and_drops_invented_ones():
    writer = writer_for("Here you go:\n- A planet-sized rescue mission\n- Directed by James Cameron\n"
                        "2. Chinese sci-fi spectacle\n- Released in 1997")
    model = writer.model
    points = writer.write(EARTH, "en")
    assert points.source == "llm"
    assert points.points == ["A planet-sized rescue mission", "Chinese sci-fi spectacle"]
    assert EARTH.title in model.prompt_text() and "2 or 3" in model.prompt_text()


def test_writer_gives_nothing_when_too_little_survives(cache):
    assert writer_for("- Costs only ¥19\n- Nothing else").write(BUDS, "en") is None
    report = enrich_items([BUDS], writer_for("- Costs only ¥19\n- Nothing else"), cache, progress=False, langs=("en",))
    assert report.template == 1 and len(cache) == 0, "the chat builds these from catalog facts"


def test_chat_time_reads_the_cache_written_by_enrich_and_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    assert selling_points_for([EARTH], open_cache(data), NAME, "en") == {}
    writer = writer_for(GOOD)
    report = enrich_items([EARTH], writer, open_cache(data), progress=False, langs=("en",))
    assert report.written == 1
    again = selling_points_for([EARTH], open_cache(data), NAME, "en")  # reopened: a restart
    assert again[EARTH.id].source == "cache" and again[EARTH.id].points[0] == "A planet-sized rescue mission"
    assert selling_points_for([EARTH], open_cache(data), "other:model", "en") == {}
    changed = EARTH.model_copy(update={"tags": [*EARTH.tags, "new tag"]})
    assert selling_points_for([changed], open_cache(data), NAME, "en") == {}
    assert len(writer.model.prompts) == 1, "reading never calls the model"
    key = SellingPointCache.key(EARTH, "sp-en-1", NAME, "en")
    assert key != SellingPointCache.key(EARTH, "sp-en-2", NAME, "en")


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


def test_model_errors_are_retried_by_the_library_and_never_cached(cache):
    writer = SellingPointWriter(FakeChatModel(answers=[LLMError("down"), GOOD]), NAME, retries=1)
    assert writer.write(EARTH, "en").source == "llm" and len(writer.model.prompts) == 2
    failing = SellingPointWriter(FakeChatModel(answers=[LLMError("down")] * 2), NAME, retries=1)
    report = enrich_items([EARTH], failing, cache, progress=False, langs=("en",))
    assert report.failed == 1 and len(cache) == 0


def test_no_model_reads_only_the_catalogs_own_points(cache):
    own = BUDS.model_copy(update={"selling_points": ["Light", "Small"]})
    assert selling_points_for([EARTH, own], cache, "none", "zh") == {
        own.id: SellingPoints(item_id=own.id, points=["Light", "Small"], source="catalog")}


def test_enrich_items_fills_the_cache_once_with_a_limit(cache):
    items = list(ITEMS.values())[:4]
    writer = writer_for(*[GOOD] * 20)
    model = writer.model
    report = enrich_items(items, writer, cache, limit=3, progress=False, langs=("en",))
    assert report.written + report.template == 3 and report.failed == 0 and len(cache) == 3
    again = enrich_items(items, writer, cache, limit=3, progress=False, langs=("en",))
    assert again.cached == 3 and again.written == 0 and len(model.prompts) == 3


def test_enrich_counts_failures_and_shows_progress(cache, capsys):
    report = enrich_items([EARTH], writer_for(LLMError("down"), GOOD), cache, progress=True, langs=("en", "zh"))
    assert report.failed == 1 and len(cache) == 1
    assert "selling points" in capsys.readouterr().err


def test_parse_bullets():
    assert parse_bullets("Sure:\n1. One\n* Two\n• Three\n（4）四\n\n- " + "x" * 300) == ["One", "Two", "Three", "四"]


def test_background_enrichment_gives_way_to_chat_turns(cache):
    import threading

    from chatbot.llm.factory import LLMHandle

    handle = LLMHandle("llamacpp", FakeChatModel())
    done = threading.Event()
    with handle.turn_slot(1.0) as got:  # a chat turn holds the model
        assert got
        threading.Thread(target=lambda: (enrich_items([EARTH], writer_for(GOOD), cache, progress=False,
                                                      langs=("en",), lock=handle.background_slot), done.set()),
                         daemon=True).start()
        assert not done.wait(0.3) and len(cache) == 0
    assert done.wait(10) and len(cache) == 1
    with handle.turn_slot(1.0) as got:
        assert got, "the background work gave the model back"


def test_background_writing_stops_the_moment_a_chat_turn_waits_and_resumes_after(cache):
    import threading
    import time

    from chatbot.llm.factory import LLMHandle

    handle = LLMHandle("llamacpp", FakeChatModel())
    slow = writer_for(GOOD, GOOD, chunk_chars=2)
    streaming, first_answer_finished = threading.Event(), threading.Event()
    real_stream = slow.model._stream

    def trickle(*args, **kwargs):  # a model that writes slowly, chunk by chunk
        for chunk in real_stream(*args, **kwargs):
            streaming.set()
            time.sleep(0.05)
            yield chunk
        first_answer_finished.set()

    object.__setattr__(slow.model, "_stream", trickle)
    done = threading.Event()
    threading.Thread(target=lambda: (enrich_items([EARTH], slow, cache, progress=False, langs=("en",),
                                                  lock=handle.background_slot, preempt=handle.turn_waiting),
                                     done.set()), daemon=True).start()
    assert streaming.wait(5), "background writing started"
    with handle.turn_slot(30.0) as got:  # a chat turn arrives while it writes
        assert got and not first_answer_finished.is_set(), "the turn got the model before that answer was done"
        assert not done.is_set()
    assert done.wait(30) and len(cache) == 1, "the item was written after the turn"
    assert len(slow.model.prompts) == 2, "the stopped item was asked again"
