"""How people type, read on the shipped catalogs: 'haven't seen', two decades at once, 'classic' as an era,
a genre's name used as a verb or a place, negations ('aren't from', 'already has'), 'the cheaper one',
Chinese numerals, 'the last ten years', tag phrases that must both hold, brands by their first word."""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT
from shipped_parsing import YEAR, movies, parse, products  # noqa: F401 (fixtures)

from chatbot.dialogue.titles import TitleMatcher
from chatbot.filters import Constraints
from chatbot.loaders import load_catalog


@pytest.mark.parametrize("text", ["I haven't seen Inception yet, is it any good?", "我还没看过《盗梦空间》，值得看吗",
                                  "never watched Inception, what's it about?"])
def test_not_seen_yet_is_a_question_about_the_item(movies: TitleMatcher, text: str):
    parsed = parse(text, movies)
    assert parsed.intent == "ask_about" and parsed.target_ids == ["inception-2010"]
    assert not parsed.seen_ids and not parsed.liked_ids


@pytest.mark.parametrize("text, low, high", [
    ("Hong Kong action from the 80s or 90s", 1980, 1999), ("八九十年代的港片", 1980, 1999),
    ("80、90年代的电影", 1980, 1999), ("2000年到2010年之间的爱情片", 2000, 2010),
    ("something from the last ten years", YEAR - 10, None), ("近五年的科幻片", YEAR - 5, None),
    ("recommend me a classic war movie", None, 1979), ("想看点老电影", None, 1979),
])
def test_years_as_people_say_them(movies: TitleMatcher, text: str, low: int | None, high: int | None):
    update = parse(text, movies).constraint_update
    assert (update.year_min, update.year_max) == (low, high)


def test_a_genre_name_used_as_a_verb_or_a_place_is_not_a_category(products: TitleMatcher):
    flight = parse("can you book me a flight to Shanghai?", products)
    assert not flight.constraint_update.genres_include and flight.intent == "unknown" and flight.off_topic
    assert "home" not in parse("I work from home and my wrists hurt", products).constraint_update.genres_include
    assert parse("any good books for a sci-fi fan?", products).constraint_update.genres_include == ["books"]


def test_negations_people_use(movies: TitleMatcher, products: TitleMatcher):
    update = parse("any romance films that aren't from Hollywood?", movies).constraint_update
    assert update.countries and "US" not in update.countries and "KR" in update.countries
    assert parse("not a series, a film", movies, constraints=Constraints(kinds=["series"])).constraint_update.kinds == ["movie"]
    assert "yoga" in parse("she already has a yoga mat", products).constraint_update.tags_exclude
    assert parse("还有别的韩国片吗", movies).constraint_update.countries == ["KR"]  # 别的 = other, not "not"


def test_the_cheaper_one_points_at_the_shown_item(products: TitleMatcher):
    shown = ["p-dustling-robot-vacuum-ultra", "p-dustling-orbit-7-robot-vacuum"]
    parsed = parse("I'll go with the cheaper one. Is it good with pet hair?", products, last=shown)
    assert parsed.referenced_ids == ["p-dustling-orbit-7-robot-vacuum"]
    fryers = ["p-fornelli-crisp-air-fryer-5l", "p-fornelli-mini-air-fryer-2l"]
    zh = parse("便宜的那个多大容量", products, last=fryers)
    assert zh.referenced_ids == ["p-fornelli-mini-air-fryer-2l"] and zh.question and zh.question.fact == "size"
    assert parse("which is the cheapest one?", products, last=fryers).question.fact == "price"


@pytest.mark.parametrize("text, high", [("三百以内吧", 300.0), ("预算一千", 1000.0), ("两千以下", 2000.0)])
def test_chinese_numerals_in_prices(products: TitleMatcher, text: str, high: float):
    assert parse(text, products).constraint_update.price_max == high


def test_two_tag_phrases_must_both_hold_when_items_carry_both(products: TitleMatcher):
    update = parse("想买个 noise cancelling 的耳机", products).constraint_update
    assert update.tags_any == ["noise cancelling"] and "earbuds" in (update.tags_and or [])


def test_a_brand_by_its_first_word(products: TitleMatcher):
    update = parse("not the Cirrus ones, I had a pair and they broke", products, last=["p-cirrus-buds-lite"]).constraint_update
    assert update.people_exclude == ["Cirrus Audio"]


def test_another_wish_in_free_text_is_a_new_topic(products: TitleMatcher):
    tents = Constraints(genres_include=["outdoor"], tags_any=["tent"])
    parsed = parse("还想买几把折叠椅", products, last=["p-trailwren-family-4-tent"], constraints=tents)
    assert parsed.intent == "recommend" and parsed.new_topic


def test_a_different_director_excludes_the_one_so_far(movies: TitleMatcher):
    zhang = Constraints(people=["Zhang Yimou (张艺谋)"])
    update = parse("something similar but by a different director", movies, last=["hero-2002"], constraints=zhang).constraint_update
    assert update.people_exclude == ["Zhang Yimou (张艺谋)"] and "people" in update.clear


@pytest.mark.parametrize("text", ["what's the capital of France?", "法国的首都是哪里", "who won the world cup?"])
def test_a_general_knowledge_question_is_off_topic(movies: TitleMatcher, text: str):
    parsed = parse(text, movies)
    assert parsed.intent == "unknown" and parsed.off_topic


def test_the_cheapest_of_a_kind_none_was_shown_of_ranges_over_the_catalog(products: TitleMatcher):
    from chatbot.dialogue.answers import best_of
    from chatbot.dialogue.question_pool import question_pool

    over_budget = Constraints(genres_include=["computers"], price_max=1000.0, tags_any=["laptop"])
    parsed = parse("那最便宜的笔记本是哪款", products, constraints=over_budget)
    assert parsed.intent == "question" and parsed.question.kinds == ["laptop"]
    catalog = {i.id: i for i in load_catalog(PROJECT_ROOT / "catalog" / "products.jsonl").items}
    pool = question_pool(parsed, [], over_budget, catalog, products.terms)
    assert pool and all("laptop" in item.tags for item in pool)
    assert best_of(parsed.question, pool).price == min(item.price for item in pool)


def test_typos_in_genres_and_a_shared_surname(movies: TitleMatcher):
    assert parse("recomend a good horor movie", movies).constraint_update.genres_include == ["horror"]
    assert parse("no thriler please", movies).constraint_update.genres_exclude == ["thriller"]
    assert parse("有没有 Nolan 的电影", movies).constraint_update.people == ["Christopher Nolan"]


def test_a_yes_no_question_about_a_shown_product(products: TitleMatcher):
    shown = ["p-echolite-cube-mini-speaker", "p-sonavi-home-smart-speaker"]
    parsed = parse("第一款防水吗", products, last=shown)
    assert parsed.intent == "question" and parsed.question.fact == "feature" and parsed.question.value == "防水"
    assert parsed.target_ids == ["p-echolite-cube-mini-speaker"]


def test_a_new_person_or_country_the_old_filters_rule_out_wins(movies: TitleMatcher):
    british_shows = Constraints(kinds=["series"], countries=["GB"])
    update = parse("Tony Leung films", movies, last=["fleabag-2016"], constraints=british_shows).constraint_update
    assert "countries" in update.clear and update.kinds == ["movie"]
    kept = parse("anything with Hugh Grant?", movies, last=["fleabag-2016"], constraints=Constraints(countries=["GB"]))
    assert "countries" not in kept.constraint_update.clear  # his films are British: the filter still holds


def test_word_typos_are_not_genre_typos(products: TitleMatcher):
    assert parse("something around 1.5k for a gamer", products).constraint_update.genres_include != ["toys"]
    assert parse("日韩的悬疑片", TitleMatcher(load_catalog(PROJECT_ROOT / "catalog" / "movies.jsonl").items)
                 ).constraint_update.countries == ["JP", "KR"]


def test_an_ordinal_past_the_list_asks_which_one(movies: TitleMatcher):
    parsed = parse("第三部是哪年的", movies, last=["drunken-master-1978", "police-story-1985"])
    assert parsed.beyond_list and parsed.intent == "ask_about" and not parsed.target_ids


def test_a_mood_negation_keeps_the_genre_asked_for(movies: TitleMatcher):
    update = parse("recommend a horror movie that's not too gory", movies).constraint_update
    assert update.genres_include == ["horror"] and "horror" not in update.genres_exclude


def test_a_follow_up_critique_is_not_off_topic(products: TitleMatcher):
    parsed = parse("要大一点的，一家四口用", products, last=["p-fornelli-mini-air-fryer-2l"])
    assert parsed.intent == "refine" and not parsed.off_topic


def test_a_misspelt_tag_is_that_tag(products: TitleMatcher):
    from chatbot.dialogue.reading_rules import fix_word_typos

    assert fix_word_typos("waterprof ones?", products.terms.catalog_tags) == "waterproof ones?"
    assert fix_word_typos("something different", products.terms.catalog_tags) == "something different"
    assert "waterproof" in parse("waterprof ones?", products, last=["p-cirrus-buds-lite"]).soft_tags


SHOWN = ["knives-out-2019", "decision-to-leave-2022", "the-chaser-2008"]


@pytest.mark.parametrize("text, target", [
    ("what's the third one like?", "the-chaser-2008"), ("what is the second one about?", "decision-to-leave-2022"),
    ("what's it about?", "knives-out-2019"), ("what's it like?", "knives-out-2019"),
    ("what's Inception like?", "inception-2010"), ("what's Inception about?", "inception-2010"),
    ("第二个讲的是什么？", "decision-to-leave-2022"),
])
def test_what_is_it_like_asks_about_the_item_and_likes_nothing(movies: TitleMatcher, text: str, target: str):
    parsed = parse(text, movies, last=SHOWN)
    assert parsed.intent == "ask_about" and parsed.target_ids == [target]
    assert not parsed.liked_ids and parsed.question is None


def test_which_year_asks_about_the_item_in_focus_not_which_one(movies: TitleMatcher):
    parsed = parse("它是哪一年的", movies, last=SHOWN)
    assert parsed.intent == "question" and parsed.target_ids == ["knives-out-2019"]


@pytest.mark.parametrize("text", ["我爸爱看战争片，老片子也没关系", "old movies are fine too, I want a war film",
                                  "I don't mind older films, something with a war in it", "老电影也行，要战争片"])
def test_an_era_allowed_is_not_an_era_asked_for(movies: TitleMatcher, text: str):
    update = parse(text, movies).constraint_update
    assert (update.year_min, update.year_max) == (None, None)


@pytest.mark.parametrize("text", ["有没有和《让子弹飞》差不多的", "有没有跟《让子弹飞》类似的", "想看和《让子弹飞》一样好笑的",
                                  "来点跟《让子弹飞》那种风格的"])
def test_like_the_named_title_asks_for_more_like_it(movies: TitleMatcher, text: str):
    parsed = parse(text, movies)
    assert parsed.intent == "more_like" and parsed.target_ids == parsed.liked_ids == ["let-the-bullets-fly-2010"]


def test_more_like_a_title_of_another_genre_starts_a_new_request(movies: TitleMatcher):
    from chatbot.dialogue.parser import parse_message
    from chatbot.dialogue.state import DialogueState

    state = DialogueState(turn_count=1, preferred_genres=["war"], last_candidates=["the-battle-at-lake-changjin-2021"],
                          constraints=Constraints(countries=["CN"]))
    assert parse_message("有没有和《让子弹飞》差不多的", movies, state, today_year=YEAR).new_topic
    # a war film: the same request goes on
    assert not parse_message("有没有和《长津湖》差不多的", movies, state, today_year=YEAR).new_topic


@pytest.mark.parametrize("text", ["想换个手机，拍照要好", "I need a phone with a good camera"])
def test_a_category_named_as_a_feature_of_another_is_not_a_second_category(products: TitleMatcher, text: str):
    parsed = parse(text, products)
    assert parsed.constraint_update.genres_include == ["phones"]
    assert not parsed.wants_more and not parsed.replace_one  # "换个手机" is a new phone, not "another one"


@pytest.mark.parametrize("text", ["换一部", "换个便宜点的", "换一个看看", "第二部我看过了，换一部"])
def test_swap_words_still_ask_for_another(movies: TitleMatcher, text: str):
    assert parse(text, movies, last=["inception-2010", "interstellar-2014"]).wants_more


def test_movie_night_is_an_evening_not_the_tag_night(movies: TitleMatcher):
    assert "night" not in parse("movie night with teenagers, they like superheroes and action", movies).soft_tags
    assert "night" in parse("a film set at night in Tokyo", movies).soft_tags


@pytest.mark.parametrize("text", ["is the first one ok for a 5 year old?", "is it suitable for kids?", "第二部适合小孩看吗",
                                  "八岁的孩子能看吗"])
def test_asking_whether_a_shown_film_suits_a_child_is_a_question_about_it(movies: TitleMatcher, text: str):
    parsed = parse(text, movies, last=["spirited-away-2001", "coco-2017"])
    assert parsed.intent == "question" and parsed.question.fact == "children"
    assert parsed.constraint_update.is_empty()  # asking about it filters nothing


@pytest.mark.parametrize("text, role", [("他还拍过什么", "director"), ("what else has he directed?", "director"),
                                        ("她还演过什么", "cast"), ("other films with her?", "cast")])
def test_their_other_works_names_the_person_of_the_film_in_focus(movies: TitleMatcher, text: str, role: str):
    parsed = parse(text, movies, last=["parasite-2019"])
    person = movies.get("parasite-2019").people[role][0]
    assert parsed.constraint_update.people == [person] and parsed.intent == "recommend" and parsed.new_topic


@pytest.mark.parametrize("text, fact, direction", [("anything lighter?", "weight", "min"), ("有没有大一点的", "size", "max"),
                                                   ("a smaller one?", "size", "min"), ("有没有轻一点的", "weight", "min")])
def test_a_size_or_weight_critique_asks_past_the_items_shown(products: TitleMatcher, text: str, fact: str,
                                                             direction: str):
    parsed = parse(text, products, last=["p-trailwren-family-4-tent", "p-nordpeak-summit-2-tent"])
    assert parsed.intent == "refine" and (parsed.beyond.fact, parsed.beyond.direction) == (fact, direction)
    assert parse("which one is lighter?", products, last=["p-trailwren-family-4-tent",
                                                          "p-nordpeak-summit-2-tent"]).intent == "question"


def test_live_action_means_not_animated(movies: TitleMatcher):
    update = parse("any live-action ones?", movies, last=["spirited-away-2001"]).constraint_update
    assert update.genres_exclude == ["animation"] and "action" not in update.genres_include
    assert parse("有没有真人版的", movies).constraint_update.genres_exclude == ["animation"]
    assert parse("not live action please", movies).constraint_update.genres_include == ["animation"]


@pytest.mark.parametrize("text", ["要评分高的", "top rated ones please", "口碑好的有吗"])
def test_asking_for_the_best_loved_is_a_request_not_off_topic(movies: TitleMatcher, text: str):
    parsed = parse(text, movies, last=["inception-2010"])
    assert parsed.wants_acclaimed and parsed.intent == "refine" and not parsed.off_topic


def test_a_good_movie_asks_for_films_not_series(movies: TitleMatcher):
    assert parse("what's a good movie to watch on a plane?", movies).constraint_update.kinds == ["movie"]
