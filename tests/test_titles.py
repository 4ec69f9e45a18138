"""TitleMatcher: tolerant, fast, and quiet on ordinary sentences."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, shared_data

from chatbot.dialogue.titles import TitleMatcher
from chatbot.dialogue.tokens import normalize
from chatbot.items import Item

log = logging.getLogger(__name__)


def movie(item_id: str, title: str, zh: str | None = None, year: int | None = None, **extra) -> Item:
    return Item(id=item_id, kind="movie", title=title, title_zh=zh, year=year, **extra)


@pytest.fixture(scope="module")
def matcher() -> TitleMatcher:
    return TitleMatcher([
        movie("interstellar", "Interstellar", "星际穿越", 2014, popularity=90),
        movie("dune-2021", "Dune", "沙丘", 2021, popularity=80),
        movie("dune-1984", "Dune", "沙丘", 1984, popularity=20),
        movie("we", "The Wandering Earth", "流浪地球", 2019),
        movie("we2", "The Wandering Earth 2", "流浪地球2", 2023),
        movie("br2049", "Blade Runner 2049", "银翼杀手2049", 2017),
        movie("tbp", "The Three-Body Problem", "三体", 2023),
        movie("up", "Up", None, 2009),
        movie("it", "It", None, 2017),
        movie("her", "Her", None, 2013),
        movie("heat", "Heat", None, 1995),
        movie("nine", "9", None, 2009),
        movie("hero", "Hero", "英雄", 2002),
        movie("shining", "The Shining", "闪灵", 1980, source_keys={"source_name": "The Shining (1980)"}),
        movie("amelie", "Amélie", "天使爱美丽", 2001),
        movie("ctdh", "Crouching Tiger, Hidden Dragon", "卧虎藏龙", 2000),
        movie("mrloser", "Goodbye Mr. Loser", "夏洛特烦恼", 2015),
        movie("himom", "Hi, Mom", "你好，李焕英", 2021),
    ])


def found(matcher: TitleMatcher, text: str) -> list[str]:
    return [m.item_id for m in matcher.find_in_text(text)]


@pytest.mark.parametrize("text, expected", [
    ("I loved Interstellar", ["interstellar"]),
    ("i loved INTERSTELLAR!!", ["interstellar"]),
    ("Interstellar (2014) was great", ["interstellar"]),
    ("Interstelar was great", ["interstellar"]),  # typo
    ("The Wandering Earth 2 and The Wandering Earth", ["we2", "we"]),
    ("the three body problem", ["tbp"]),
    ("Blade Runner 2049", ["br2049"]),
    ("crouching tiger hidden dragon", ["ctdh"]),
    ("Goodbye Mr Loser", ["mrloser"]),
    ("Amelie was lovely", ["amelie"]),  # accents folded
    ("我喜欢星际穿越", ["interstellar"]),
    ("流浪地球2比流浪地球好看", ["we2", "we"]),
    ("三体、流浪地球2和银翼杀手2049里", ["tbp", "we2", "br2049"]),
    ("看过沙丘", ["dune-2021"]),
    ("我喜欢《英雄》", ["hero"]),
    ("你好，李焕英", ["himom"]),
    ("I think Her and Up are great", ["her", "up"]),
    ('what about "Heat"?', ["heat"]),
    ("Have you seen It (2017)?", ["it"]),
    ("The Shining (1980)", ["shining"]),
    ("看过Dune，很喜欢", ["dune-2021"]),
])
def test_finds_titles(matcher: TitleMatcher, text: str, expected: list[str]) -> None:
    assert found(matcher, text) == expected


@pytest.mark.parametrize("text", [
    "Her acting was great, it was up to me.",
    "It is hot, I can't stand the heat.",
    "Up for anything tonight, give me 9 ideas",
    "I want to be a hero",
    "他是个英雄",
    "hi mom",
    "Tell me something about dunes and deserts in general please",
    "",
    "!!!???...",
])
def test_quiet_on_ordinary_sentences(matcher: TitleMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_match_spans_and_scores(matcher: TitleMatcher) -> None:
    text = "I loved Interstelar and The Shining (1980)."
    first, second = matcher.find_in_text(text)
    assert text[first.start:first.end] == "Interstelar" and 90 <= first.score < 100
    assert text[second.start:second.end] == "The Shining (1980)" and second.score == 100


def test_same_title_prefers_year_then_popularity(matcher: TitleMatcher) -> None:
    (match,) = matcher.find_in_text("Dune")
    assert match.item_id == "dune-2021" and match.alternatives == ["dune-1984"]
    assert found(matcher, "Dune (1984)") == ["dune-1984"]


def test_lookup(matcher: TitleMatcher) -> None:
    assert matcher.lookup("The Shining (1980)") == "shining"
    assert matcher.lookup("interstellar") == "interstellar"
    assert matcher.lookup("Interstelar (2014)") == "interstellar"
    assert matcher.lookup("流浪地球2") == "we2"
    assert matcher.lookup("Dune (1984)") == "dune-1984"
    assert matcher.lookup("A Movie That Does Not Exist") is None
    assert matcher.lookup("") is None


def test_normalize() -> None:
    assert normalize("  Crouching Tiger,  HIDDEN Dragon! ") == "crouching tiger hidden dragon"
    assert normalize("流浪地球２") == "流 浪 地 球 2"


def test_long_and_hostile_text_is_fine(matcher: TitleMatcher) -> None:
    text = ("I loved Interstellar \x00\u202e<b>Dune</b> 🎬🍿 流浪地球2 " * 2000)[:100_000]
    matches = matcher.find_in_text(text)
    assert len(matches) > 1000
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))


# -- real catalogs ------------------------------------------------------------------------------

def redial_items() -> list[Item]:
    """The ReDial movie catalog as Items: title without "(year)", the year, the source name."""
    data = json.loads(shared_data("redial", "id2info.json").read_text(encoding="utf-8"))
    items = []
    for key, info in data.items():
        name = info["name"]
        match = re.search(r"\((\d{4})\)\s*$", name)
        year = int(match.group(1)) if match and 1870 <= int(match.group(1)) <= 2100 else None
        title = re.sub(r"\s*\(\d{4}\)\s*$", "", name) or name
        items.append(Item(id=key, kind="movie", title=title, year=year, genres=info.get("genre") or [],
                          description=info.get("plot") or "", source_keys={"source_name": name}))
    return items


@pytest.fixture(scope="module")
def redial() -> TitleMatcher:
    return TitleMatcher(redial_items())


def test_redial_mentions_are_found(redial: TitleMatcher) -> None:
    """ReDial users write names as "Title (year)": the matcher should find nearly all of them."""
    path = shared_data("redial", "valid_data_processed.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:400]]
    names = {item.source_keys["source_name"] for item in redial_items()}
    wanted = hit = 0
    utterances = [u for line in lines for u in line["context"] if u]
    started = time.perf_counter()
    for utterance in utterances:
        ids = {m.item_id for m in redial.find_in_text(utterance)}
        for name in names_in(utterance, names):
            wanted += 1
            hit += redial.lookup(name) in ids
    elapsed = time.perf_counter() - started
    log.info("redial: %d/%d names found, %.3f ms per call", hit, wanted, 1000 * elapsed / len(utterances))
    assert wanted > 100 and hit / wanted >= 0.95


def names_in(text: str, names: set[str]) -> list[str]:
    return [m.group() for m in re.finditer(r"[A-Z0-9][^()]{0,80}?\(\d{4}\)", text) if m.group().strip() in names] or [
        n for n in re.findall(r"[^,.!?]*\(\d{4}\)", text) if n.strip() in names]


def test_redial_common_words_do_not_fire(redial: TitleMatcher) -> None:
    text = "hi! i like movies that are funny and it is up to you, her choice. what do you think about heat?"
    assert redial.find_in_text(text) == []


@pytest.mark.parametrize("name", ["movies.jsonl", "products.jsonl"])
def test_shipped_catalog_titles_round_trip(name: str) -> None:
    path: Path = PROJECT_ROOT / "catalog" / name
    items = [Item(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    matcher = TitleMatcher(items)
    for item in items:
        assert matcher.lookup(item.title) is not None
        quoted = f"我喜欢《{item.title_zh}》" if item.title_zh else f'I loved "{item.title}"'
        ids = found(matcher, quoted)
        assert len(ids) == 1, (quoted, ids)
        assert matcher.get(ids[0]).display_title("zh" if item.title_zh else "en") == (item.title_zh or item.title)
