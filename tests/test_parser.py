"""Scripted messages in English and Chinese: what the parser must understand."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT_ROOT

from chatbot.dialogue.parser import ConstraintUpdate, ParsedMessage, detect_language, parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher
from chatbot.filters import Constraints
from chatbot.items import Item

YEAR = 2026


def item(item_id: str, title: str, zh: str | None = None, year: int | None = None, genres=(), kind="movie",
         language: str | None = "en", price: float | None = None, country: str | None = None) -> Item:
    country = country or {"zh": "CN", "ko": "KR", "en": "US"}.get(language or "") if kind != "product" else None
    return Item(id=item_id, kind=kind, title=title, title_zh=zh, year=year, genres=list(genres),
                language=language, price=price, attributes={"country": country} if country else {})


MOVIES = [
    item("interstellar", "Interstellar", "星际穿越", 2014, ["sci-fi", "drama"]),
    item("dune", "Dune", "沙丘", 2021, ["sci-fi", "adventure"]),
    item("tbp", "The Three-Body Problem", "三体", 2023, ["sci-fi"], kind="series", language="zh"),
    item("we", "The Wandering Earth", "流浪地球", 2019, ["sci-fi"], language="zh"),
    item("we2", "The Wandering Earth 2", "流浪地球2", 2023, ["sci-fi"], language="zh"),
    item("br2049", "Blade Runner 2049", "银翼杀手2049", 2017, ["sci-fi"]),
    item("titanic", "Titanic", "泰坦尼克号", 1997, ["romance", "drama"]),
    item("shining", "The Shining", "闪灵", 1980, ["horror"]),
    item("parasite", "Parasite", "寄生虫", 2019, ["thriller", "comedy"], language="ko"),
    item("kfh", "Kung Fu Hustle", "功夫", 2004, ["comedy", "wuxia"], language="zh", country="HK"),
]
PRODUCTS = [
    item("buds", "Cirrus Buds Lite Earbuds", "Cirrus 真无线耳机", genres=["audio"], kind="product", language=None, price=99),
    item("elite", "Sonavi Aria Elite Earbuds", "Sonavi 旗舰降噪耳机", genres=["audio"], kind="product", language=None, price=1999),
    item("kv84", "Keyvale KV84 Mechanical Keyboard", "Keyvale 机械键盘", genres=["computers"], kind="product",
         language=None, price=399),
    item("kettle", "Fornelli QuickBoil Kettle", "Fornelli 电热水壶", genres=["kitchen"], kind="product", language=None, price=99),
]


@pytest.fixture(scope="module")
def movies() -> TitleMatcher:
    return TitleMatcher(MOVIES)


@pytest.fixture(scope="module")
def products() -> TitleMatcher:
    return TitleMatcher(PRODUCTS)


def parse(text: str, matcher: TitleMatcher, state: DialogueState | None = None) -> ParsedMessage:
    return parse_message(text, matcher, state or DialogueState(), today_year=YEAR)


# -- the demo question ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, preference, lang", [
    ("I recently watched Interstellar and Dune and love grand science fiction; of The Three-Body Problem, "
     "The Wandering Earth 2 and Blade Runner 2049, which would I like most, and why?", "grand science fiction", "en"),
    ("我最近看了星际穿越和沙丘，很喜欢宏大的科幻；三体、流浪地球2和银翼杀手2049里，我最可能喜欢哪个，为什么？", "宏大的科幻", "zh"),
    ("I recently watched Interstellar and Dune and love grand science fiction, so of The Three-Body Problem, "
     "The Wandering Earth 2 and Blade Runner 2049, which would I like most?", "grand science fiction", "en"),
])
def test_demo_question(movies: TitleMatcher, text: str, preference: str, lang: str) -> None:
    parsed = parse(text, movies)
    assert parsed.intent == "compare"
    assert parsed.language == lang
    assert parsed.liked_ids == ["interstellar", "dune"]
    assert parsed.compare_ids == ["tbp", "we2", "br2049"]
    assert preference in parsed.preferences
    assert "sci-fi" in parsed.preferred_genres
    assert parsed.disliked_ids == [] and parsed.constraint_update.genres_include == []
    assert preference in parsed.query


# -- opinions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, liked, disliked, mentioned", [
    ("like Interstellar", ["interstellar"], [], []),
    ("I loved Dune", ["dune"], [], []),
    ("我喜欢星际穿越", ["interstellar"], [], []),
    ("看过沙丘，很喜欢", ["dune"], [], []),
    ("I hated Titanic", [], ["titanic"], []),
    ("不喜欢泰坦尼克号", [], ["titanic"], []),
    ("Titanic was boring", [], ["titanic"], []),
    ("泰坦尼克号太无聊了", [], ["titanic"], []),
    ("I didn't like Titanic", [], ["titanic"], []),
    ("I loved Interstellar but hated Titanic", ["interstellar"], ["titanic"], []),
    ("我喜欢星际穿越，但是讨厌泰坦尼克号", ["interstellar"], ["titanic"], []),
    ("I watched Dune last week", [], [], ["dune"]),
    ("something like Parasite", ["parasite"], [], []),
    ("Interstellar, Dune and Parasite are my favourites", ["interstellar", "dune", "parasite"], [], []),
])
def test_opinions(movies: TitleMatcher, text: str, liked, disliked, mentioned) -> None:
    parsed = parse(text, movies)
    assert (parsed.liked_ids, parsed.disliked_ids, parsed.mentioned_ids) == (liked, disliked, mentioned)
    assert parsed.intent == ("more_like" if "like Parasite" in text else "recommend")


def test_several_things_in_one_message(movies: TitleMatcher) -> None:
    parsed = parse("I loved Interstellar and Dune, want grand sci-fi, no horror", movies)
    assert parsed.liked_ids == ["interstellar", "dune"]
    assert parsed.constraint_update.genres_include == ["sci-fi"]
    assert parsed.constraint_update.genres_exclude == ["horror"]
    assert parsed.preferences == ["grand sci-fi"]
    assert "horror" not in parsed.query


# -- constraints ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("不要恐怖片", {"genres_exclude": ["horror"]}),
    ("no horror please", {"genres_exclude": ["horror"]}),
    ("something funny", {"genres_include": ["comedy"]}),
    ("科幻片", {"genres_include": ["sci-fi"]}),
    ("a sci fi movie without romance", {"genres_include": ["sci-fi"], "genres_exclude": ["romance"]}),
    ("2010年以后的", {"year_min": 2010}),
    ("after 2010", {"year_min": 2011}),
    ("since 2010", {"year_min": 2010}),
    ("before 2000", {"year_max": 1999}),
    ("2000年以前的", {"year_max": 1999}),
    ("from the 90s", {"year_min": 1990, "year_max": 1999}),
    ("90年代", {"year_min": 1990, "year_max": 1999}),
    ("九十年代的", {"year_min": 1990, "year_max": 1999}),
    ("eighties", {"year_min": 1980, "year_max": 1989}),
    ("between 1995 and 2005", {"year_min": 1995, "year_max": 2005}),
    ("1995-2005", {"year_min": 1995, "year_max": 2005}),
    ("in 2019", {"year_min": 2019, "year_max": 2019}),
    ("the latest ones", {"year_min": YEAR - 5}),
    ("Chinese films", {"countries": ["CN", "HK"]}),
    ("华语片", {"countries": ["CN", "HK"]}),
    ("国产的", {"countries": ["CN"]}),
    ("港片", {"countries": ["HK"]}),
    ("Korean", {"countries": ["KR"]}),
    ("in Mandarin", {"languages": ["zh"]}),
    ("series", {"kinds": ["series"]}),
    ("电视剧", {"kinds": ["series"]}),
    ("movies only", {"kinds": ["movie"]}),
    ("no series", {"kinds": ["movie"]}),
    ("只要电影", {"kinds": ["movie"]}),
])
def test_movie_constraints(movies: TitleMatcher, text: str, expected: dict) -> None:
    update = parse(text, movies).constraint_update
    assert update.model_dump(exclude_defaults=True) == expected


@pytest.mark.parametrize("text, expected", [
    ("under 500", {"price_max": 500}),
    ("500元以内", {"price_max": 500}),
    ("below ¥300", {"price_max": 300}),
    ("between 200 and 800", {"price_min": 200, "price_max": 800}),
    ("200到800元", {"price_min": 200, "price_max": 800}),
    ("预算300", {"price_max": 300}),
    ("at least 1000", {"price_min": 1000}),
    ("1000元以上", {"price_min": 1000}),
    ("headphones under 2k", {"price_max": 2000, "genres_include": ["audio"]}),
    ("不要耳机", {"genres_exclude": ["audio"]}),
    ("any price", {"clear": ["price_min", "price_max"]}),
    ("价格不限", {"clear": ["price_min", "price_max"]}),
])
def test_product_constraints(products: TitleMatcher, text: str, expected: dict) -> None:
    update = parse(text, products).constraint_update
    assert update.model_dump(exclude_defaults=True) == expected


def test_prices_ignored_in_catalog_without_prices(movies: TitleMatcher) -> None:
    assert parse("under 500", movies).constraint_update.is_empty()
    assert parse("under ¥500", movies).constraint_update.price_max == 500  # a currency says it is a price


def test_titles_are_not_read_as_years_or_genres(movies: TitleMatcher) -> None:
    parsed = parse("I loved Blade Runner 2049", movies)
    assert parsed.liked_ids == ["br2049"] and parsed.constraint_update.is_empty()
    assert parse("流浪地球2", movies).constraint_update.is_empty()


def test_relative_changes_use_the_shown_items(movies: TitleMatcher, products: TitleMatcher) -> None:
    state = DialogueState(last_candidates=["we2", "titanic", "shining"])
    # relative to the list shown (1980, 1997, 2023): older / newer / cheaper than every one of them
    assert parse("older", movies, state).constraint_update.year_max == 1979
    assert parse("老一点的", movies, state).constraint_update.year_max == 1979
    assert parse("newer please", movies, state).constraint_update.year_min == 2024
    assert parse("新一点的", movies, state).constraint_update.year_min == 2024
    shop = DialogueState(last_candidates=["elite", "kv84"])
    for text in ("cheaper", "便宜一点", "something cheaper"):
        parsed = parse(text, products, shop)
        assert parsed.constraint_update.price_max == 398.99 and parsed.intent == "refine"
    assert parse("more expensive", products, shop).constraint_update.price_min == 1999.01
    # nothing shown yet: no relative constraint
    assert parse("cheaper", products).constraint_update.is_empty()


def test_not_this_kind_drops_the_genre_the_last_list_shares(movies: TitleMatcher) -> None:
    state = DialogueState(last_candidates=["we2", "br2049", "titanic"])
    for text in ("Not this kind", "不要这类", "something completely different"):
        parsed = parse(text, movies, state)
        assert parsed.constraint_update.genres_exclude == ["sci-fi"] and parsed.intent == "refine"
    assert parse("Not this kind", movies).constraint_update.is_empty(), "nothing shown: nothing to drop"


# -- references and intents -------------------------------------------------------------------

@pytest.fixture
def shown() -> DialogueState:
    state = DialogueState()
    state.record_shown(["we2", "titanic", "shining"])
    return state


@pytest.mark.parametrize("text, intent, targets", [
    ("the second one", "ask_about", ["titanic"]),
    ("第二个", "ask_about", ["titanic"]),
    ("tell me more about the last one", "ask_about", ["shining"]),
    ("介绍一下第三个", "ask_about", ["shining"]),
    ("tell me more about Dune", "ask_about", ["dune"]),
    ("why?", "ask_about", ["we2", "titanic", "shining"]),
    ("为什么？", "ask_about", ["we2", "titanic", "shining"]),
    ("more like the second one", "more_like", ["titanic"]),
    ("类似第一个的", "more_like", ["we2"]),
    ("more like these", "more_like", ["we2", "titanic", "shining"]),
])
def test_targets(movies: TitleMatcher, shown: DialogueState, text: str, intent: str, targets: list[str]) -> None:
    parsed = parse(text, movies, shown)
    assert parsed.intent == intent
    assert parsed.target_ids == targets


@pytest.mark.parametrize("text, liked, disliked", [
    ("I like the second one but not the first one", ["titanic"], ["we2"]),
    ("第一个不错，第三个不喜欢", ["we2"], ["shining"]),
    ("not the first one", [], ["we2"]),
])
def test_opinions_on_references(movies: TitleMatcher, shown: DialogueState, text: str, liked, disliked) -> None:
    parsed = parse(text, movies, shown)
    assert (parsed.liked_ids, parsed.disliked_ids) == (liked, disliked)
    assert parsed.intent == "refine"


@pytest.mark.parametrize("text, compare", [
    ("compare Dune and Titanic", ["dune", "titanic"]),
    ("沙丘和泰坦尼克号哪个好", ["dune", "titanic"]),
    ("Dune or Interstellar, which one should I watch?", ["dune", "interstellar"]),
    ("which is better, Parasite or Titanic?", ["parasite", "titanic"]),
    ("第一个和第三个哪个好", ["we2", "shining"]),
    ("compare the first and the second", ["we2", "titanic"]),
])
def test_compare(movies: TitleMatcher, shown: DialogueState, text: str, compare: list[str]) -> None:
    parsed = parse(text, movies, shown)
    assert parsed.intent == "compare" and parsed.compare_ids == compare


@pytest.mark.parametrize("text, intent, small", [
    ("hi", "small_talk", "greeting"),
    ("Hello there!", "small_talk", "greeting"),
    ("你好", "small_talk", "greeting"),
    ("thanks!", "small_talk", "thanks"),
    ("谢谢", "small_talk", "thanks"),
    ("bye", "small_talk", "bye"),
    ("start over", "start_over", None),
    ("重新开始", "start_over", None),
    ("something else", "refine", None),
    ("换一批", "refine", None),
    ("🙂🙂🙂", "unknown", None),
    ("...", "unknown", None),
    ("hi, I loved Dune", "recommend", "greeting"),
])
def test_intents(movies: TitleMatcher, shown: DialogueState, text: str, intent: str, small: str | None) -> None:
    parsed = parse(text, movies, shown)
    assert parsed.intent == intent
    assert parsed.small_talk == small


def test_reference_with_nothing_shown_resolves_to_nothing(movies: TitleMatcher) -> None:
    parsed = parse("tell me more about the second one", movies)
    assert parsed.referenced_ids == [] and parsed.target_ids == []
    assert parse("that one", movies).referenced_ids == []


def test_quoted_unknown_title_is_reported(movies: TitleMatcher) -> None:
    parsed = parse('I loved "The Grand Budapest Hotel"', movies)
    assert parsed.not_found == ["The Grand Budapest Hotel"] and parsed.liked_ids == []


def test_free_text_query(movies: TitleMatcher) -> None:
    assert parse("a heist movie with a clever twist", movies).query == "heist with clever twist"
    assert parse("hi", movies).query == ""
    assert parse("I hated Titanic", movies).query == ""


@pytest.mark.parametrize("text, lang", [
    ("I loved 流浪地球", "en"), ("我喜欢Interstellar", "zh"), ("hello", "en"), ("你好", "zh"), ("!!!", "en"),
])
def test_language(movies: TitleMatcher, text: str, lang: str) -> None:
    assert parse(text, movies).language == lang


def test_detect_language_fallback() -> None:
    assert detect_language("123 ?!", "zh") == "zh"
    assert detect_language("这是一段中文的句子 with two words") == "zh"
    # mixed about evenly: the conversation's language holds
    assert detect_language("over-ear 的", "zh") == "zh" and detect_language("something with 李连杰", "en") == "en"


# -- state ------------------------------------------------------------------------------------------

def test_state_across_turns(movies: TitleMatcher) -> None:
    state = DialogueState()
    state.apply(parse("I loved Interstellar and Dune, no horror, after 2000", movies, state))
    assert state.liked_ids == ["interstellar", "dune"] and state.turn_count == 1
    assert state.constraints == Constraints(genres_exclude=["horror"], year_min=2001)
    state.record_shown(["we2", "titanic", "parasite"])
    state.apply(parse("I didn't like the second one; before 2010", movies, state))
    assert state.disliked_ids == ["titanic"]
    assert (state.constraints.year_min, state.constraints.year_max) == (2001, 2009)
    state.apply(parse("actually I do like Titanic, and I want horror now", movies, state))
    assert "titanic" in state.liked_ids and "titanic" not in state.disliked_ids
    assert state.constraints.genres_include == ["horror"] and state.constraints.genres_exclude == []
    state.apply(parse("after 2015", movies, state))  # conflicts with year_max 2009: the newer statement wins
    assert (state.constraints.year_min, state.constraints.year_max) == (2016, None)
    state.apply(parse("我们用中文吧，重新开始", movies, state))
    assert state.liked_ids == [] and state.constraints.is_empty() and state.language == "zh"
    assert state.turn_count == 1


def test_state_reset_keeps_language() -> None:
    state = DialogueState(language="zh", liked_ids=["a"], turn_count=3)
    state.reset()
    assert state == DialogueState(language="zh")


def test_constraint_update_is_consistent() -> None:
    current = Constraints(year_min=2000, price_min=100, genres_include=["horror"])
    update = ConstraintUpdate(year_max=1990, price_max=50, genres_exclude=["horror"], clear=["languages"])
    result = update.apply_to(current)
    assert result.year_min is None and result.year_max == 1990
    assert result.price_min is None and result.price_max == 50
    assert result.genres_include == [] and result.genres_exclude == ["horror"]
    swapped = ConstraintUpdate(year_min=2010, year_max=2000).apply_to(Constraints())
    assert (swapped.year_min, swapped.year_max) == (2000, 2010)


def test_world_catalog_demo_titles() -> None:
    path = PROJECT_ROOT / "catalog" / "movies.jsonl"
    items = [Item(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    matcher = TitleMatcher(items)
    parsed = parse("我喜欢让子弹飞和无间道，不要恐怖片；三体和流浪地球2哪个更好？", matcher)
    titles = {i: matcher.get(i).title_zh for i in parsed.liked_ids + parsed.compare_ids}
    assert [titles[i] for i in parsed.liked_ids] == ["让子弹飞", "无间道"]
    assert [titles[i] for i in parsed.compare_ids] == ["三体", "流浪地球2"]
    assert parsed.intent == "compare"
