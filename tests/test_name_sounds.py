"""People's names written by sound: homophone typos of Chinese names and Chinese transliterations of
names the catalog holds only in Latin letters; ordinary words are never taken for names."""

from __future__ import annotations

from collections import Counter

import pytest
from shipped_parsing import movies  # noqa: F401 (fixtures)

from chatbot.dialogue.name_sounds import NameSounds, chinese_skeleton, latin_skeleton, pinyin_key
from chatbot.dialogue.parser import parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher


def test_sounds_of_names_in_both_scripts():
    assert pinyin_key("宫崎峻") == pinyin_key("宫崎骏")
    assert chinese_skeleton("诺兰") == latin_skeleton("Nolan")
    assert chinese_skeleton("阿米尔汗") == latin_skeleton("Aamir Khan")
    assert chinese_skeleton("卡梅隆") == latin_skeleton("Cameron")
    assert chinese_skeleton("好看") != latin_skeleton("Nolan")


@pytest.mark.parametrize("text, person", [
    ("推荐几部宫崎峻的动画", "Hayao Miyazaki (宫崎骏)"),
    ("有没有新海城的", "Makoto Shinkai (新海诚)"),
    ("周星池的喜剧呢", "Stephen Chow (周星驰)"),
    ("推荐几部诺兰的电影", "Christopher Nolan"),
    ("阿米尔汗演的", "Aamir Khan"),
    ("想看斯皮尔伯格的片子", "Steven Spielberg"),
    ("卡梅隆导演的有哪些", "James Cameron"),
])
def test_a_name_written_by_sound_is_that_person(movies: TitleMatcher, text: str, person: str):
    parsed = parse_message(text, movies, DialogueState(), today_year=2026)
    assert parsed.constraint_update.people == [person]


@pytest.mark.parametrize("text", ["好看的电影", "浪漫的爱情片", "想看点老电影，经典的那种", "来点轻松的", "有什么好看的武侠片",
                                  "我喜欢看科幻的", "最近想追韩剧"])
def test_ordinary_words_are_not_names(movies: TitleMatcher, text: str):
    assert not parse_message(text, movies, DialogueState(), today_year=2026).constraint_update.people


def test_a_shared_surname_goes_to_the_person_with_clearly_more_items():
    sounds = NameSounds({"christopher nolan": "Christopher Nolan", "jonathan nolan": "Jonathan Nolan"},
                        Counter({"Christopher Nolan": 6, "Jonathan Nolan": 1}))
    assert [name for _, _, name in sounds.find("诺兰的电影")] == ["Christopher Nolan"]
    even = NameSounds({"a nolan": "Anna Nolan", "b nolan": "Ben Nolan"}, Counter({"Anna Nolan": 1, "Ben Nolan": 1}))
    assert even.find("诺兰的电影") == []


@pytest.mark.parametrize("text", ["那推荐一部关于唐朝诗人的电影吧", "九十年代的", "还有别的韩国片吗"])
def test_words_next_to_a_person_cue_are_not_transliterated_names(movies: TitleMatcher, text: str):
    """Only the characters Chinese uses to write foreign names by sound can make a transliteration ("诗人" cannot)."""
    assert not parse_message(text, movies, DialogueState(), today_year=2026).constraint_update.people
