"""Property tests: any text parses without error, and the state's constraints stay consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_parser import MOVIES, PRODUCTS

from chatbot.dialogue.parser import parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher

MOVIE_MATCHER = TitleMatcher(MOVIES)
PRODUCT_MATCHER = TitleMatcher(PRODUCTS)
IDS = {item.id for item in MOVIES + PRODUCTS}

FRAGMENTS = [
    "I loved Interstellar", "我喜欢星际穿越", "no horror", "不要恐怖片", "after 2010", "before 1990", "2010年以后的",
    "90年代", "from the 80s", "between 2015 and 2005", "under 500", "500元以内", "at least 800", "between 900 and 100",
    "cheaper", "便宜一点", "more expensive", "older", "newer", "老一点的", "the second one", "第三个", "that one", "why?",
    "compare Dune and Titanic", "沙丘和泰坦尼克号哪个好", "start over", "重新开始", "any price", "年份不限", "clear filters",
    "Korean", "华语片", "series", "movies only", "something funny", "more like that", "hi", "thanks", "《英雄》",
    "Blade Runner 2049", "流浪地球2", "<b>html</b>", "\x00\x1b[31m", "\u202e", "🎬🍿", "¥", "?!", "，。；", "999999999999",
]
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
message = st.lists(st.one_of(st.sampled_from(FRAGMENTS), any_text), max_size=8).map(" ".join)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_state(state: DialogueState) -> None:
    c = state.constraints
    if c.year_min is not None and c.year_max is not None:
        assert c.year_min <= c.year_max
    if c.price_min is not None and c.price_max is not None:
        assert c.price_min <= c.price_max
    assert (c.price_min or 0) >= 0 and (c.price_max or 0) >= 0
    assert not set(c.genres_include) & set(c.genres_exclude)
    assert set(state.liked_ids).isdisjoint(state.disliked_ids)


@PROPERTY
@given(text=any_text)
def test_any_text_parses(text: str) -> None:
    for matcher in (MOVIE_MATCHER, PRODUCT_MATCHER):
        parsed = parse_message(text, matcher, DialogueState())
        ids = parsed.liked_ids + parsed.disliked_ids + parsed.mentioned_ids + parsed.compare_ids + parsed.target_ids
        assert set(ids) <= IDS
        assert parsed.language in ("en", "zh")


@PROPERTY
@given(text=any_text)
def test_title_matches_are_ordered_and_disjoint(text: str) -> None:
    matches = MOVIE_MATCHER.find_in_text(text)
    assert all(0 <= m.start < m.end <= len(text) for m in matches)
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))


@PROPERTY
@given(turns=st.lists(message, min_size=1, max_size=6), shown=st.lists(st.sampled_from(sorted(IDS)), max_size=4))
@example(turns=["I loved Interstellar", "that one compare Dune and Titanic start over"], shown=[])
def test_constraints_stay_consistent_over_turns(turns: list[str], shown: list[str]) -> None:
    for matcher in (MOVIE_MATCHER, PRODUCT_MATCHER):
        state = DialogueState()
        for text in turns:
            parsed = parse_message(text, matcher, state)
            state.apply(parsed)
            state.record_shown(shown)
            check_state(state)
            assert set(parsed.referenced_ids) <= set(shown) | {state.focus_id}


@settings(max_examples=10, deadline=None)
@given(fragment=st.sampled_from(FRAGMENTS), size=st.sampled_from([1_000, 20_000, 100_000]))
def test_long_messages(fragment: str, size: int) -> None:
    """Bounded sizes only (no wall-clock assertion): every pass is linear in the text."""
    text = ((fragment + " ") * (size // (len(fragment) + 1) + 1))[:size]
    parsed = parse_message(text, MOVIE_MATCHER, DialogueState(last_candidates=["dune", "titanic"]))
    assert parsed.intent
