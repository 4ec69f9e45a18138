"""Understanding built from the catalog's own fields, on the shipped catalogs, in both languages:
countries, people in both scripts, tags and moods, choosing among named items, questions about shown
items, seen/rejected items, items the catalog lacks, off-topic, new request vs critique, price bands."""

from __future__ import annotations

import pytest
from shipped_parsing import movies, parse, products  # noqa: F401 (fixtures)

from chatbot.dialogue.product_names import short_product_names
from chatbot.filters import Constraints


# -- choosing among named items (not likes) --------------------------------------------------------

@pytest.mark.parametrize("text", [
    "我最近看了《星际穿越》和《沙丘》，喜欢这种宏大叙事的科幻片。请从《三体》、《流浪地球2》、《银翼杀手2049》中，推荐一部我最可能喜欢的，并说明理由。",
    "我最近看了星际穿越和沙丘，喜欢宏大的科幻。三体、流浪地球2、银翼杀手2049，哪一部我最可能喜欢？",
    "I recently watched Interstellar and Dune and loved them. Which of The Three-Body Problem, The Wandering Earth 2 "
    "and Blade Runner 2049 would I like most?",
])
def test_choosing_among_named_items_is_not_liking_them(movies, text):
    parsed = parse(text, movies)
    assert parsed.intent == "compare" and parsed.wants_one
    assert parsed.liked_ids == ["interstellar-2014", "dune-2021"]
    assert set(parsed.compare_ids) == {"the-three-body-problem-2023", "the-wandering-earth-2-2023",
                                       "blade-runner-2049-2017"}


def test_products_are_named_by_the_short_names_people_use(products):
    names = short_product_names(list(products._items.values()), frozenset({"earbuds", "speaker"}))
    assert names.get("西湖龙井") == "p-jadepeak-west-lake-longjing"
    parsed = parse("Cirrus Buds Pro or the Sonavi Aria Elite, which is better for long flights?", products)
    assert parsed.intent == "compare" and len(parsed.compare_ids) == 2
    assert parse("西湖龙井和普洱茶饼，送长辈哪个更合适？", products).intent == "compare"


# -- countries, people, moods, tags ----------------------------------------------------------------

@pytest.mark.parametrize("text,countries", [
    ("有没有国产的？", ["CN"]), ("来几部港片", ["HK"]), ("I've never seen a Chinese film, where to start?", ["CN", "HK", "TW"]),
    ("some Korean thrillers", ["KR"]), ("想看日本动画", ["JP"]),
])
def test_countries_come_from_everyday_words(movies, text, countries):
    assert parse(text, movies).constraint_update.countries == countries


@pytest.mark.parametrize("text", ["I like 周星驰's comedies", "I like Stephen Chow's comedies", "周星驰的喜剧"])
def test_people_match_in_either_script(movies, text):
    assert parse(text, movies).constraint_update.people == ["Stephen Chow (周星驰)"]


def test_people_as_people_write_them(movies):
    assert parse("anything else with Tony Leung?", movies).constraint_update.people == ["Tony Leung Chiu-wai (梁朝伟)"]


def test_a_negated_person_is_excluded_and_with_adds_one(movies):
    assert parse("不要王家卫导的", movies).constraint_update.people_exclude == ["Wong Kar-wai (王家卫)"]
    current = Constraints(people=["Zhang Yimou (张艺谋)"])
    update = parse("with Gong Li", movies, ["to-live-1994"], current).constraint_update
    assert update.people is None and update.people_all == ["Gong Li (巩俐)"], "both, not one instead of the other"
    assert parse("李小龙或者李连杰的", movies).constraint_update.people == ["Bruce Lee (李小龙)", "Jet Li (李连杰)"]


@pytest.mark.parametrize("text", ["浪漫一点的，不要太虐", "something romantic, nothing too dark"])
def test_moods_in_both_languages(movies, text):
    update = parse(text, movies).constraint_update
    assert "romance" in update.genres_include and "tearjerker" in update.tags_exclude
    assert "war" in update.genres_exclude


@pytest.mark.parametrize("text,tag", [("给喝茶的爸爸买个礼物", "tea"), ("推荐几个瑜伽垫", "yoga"),
                                      ("a controller for PC games", "controller"), ("I sleep badly", "sleep")])
def test_product_tags_from_the_catalog(products, text, tag):
    assert tag in (parse(text, products).constraint_update.tags_any or [])


# -- prices ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,low,high", [("gift ideas around 200 yuan", 140, 260), ("预算1000左右", 700, 1000),
                                           ("500元以内", None, 500), ("under 300", None, 300)])
def test_price_limits_and_bands(products, text, low, high):
    update = parse(text, products).constraint_update
    assert (update.price_min, update.price_max) == (low, high)


def test_cheaper_keeps_the_topic_and_goes_below_the_last_list(products):
    shown = ["p-jadepeak-oolong-sampler", "p-jadepeak-aged-puer-cake"]
    parsed = parse("便宜一点的", products, shown, Constraints(tags_any=["tea"]))
    assert parsed.intent == "refine" and not parsed.new_topic and parsed.constraint_update.price_max < 199


# -- new request vs critique -----------------------------------------------------------------------

def test_a_new_request_starts_a_new_topic(products):
    parsed = parse("now a coffee gift for my mom", products, ["p-trailwren-daypack-20"],
                   Constraints(genres_include=["outdoor"], price_max=200))
    assert parsed.new_topic and parsed.constraint_update.tags_any == ["coffee"]


def test_doesnt_have_to_be_drops_a_requirement(products):
    parsed = parse("something under 200 then, doesn't have to be for hiking", products, ["p-trailwren-daypack-20"],
                   Constraints(genres_include=["outdoor"], tags_any=["hiking"]))
    assert parsed.constraint_update.tags_any == [] and "outdoor" in parsed.constraint_update.genres_drop
    assert parsed.constraint_update.price_max == 200


# -- references and questions about shown items ----------------------------------------------------

@pytest.mark.parametrize("text", ["I've seen the second one, another please", "第二部我看过了，换一部"])
def test_seen_it_replaces_that_item(movies, text):
    parsed = parse(text, movies, ["titanic-1997", "dune-2021"])
    assert parsed.seen_ids == ["dune-2021"] and parsed.replace_one and parsed.intent == "refine"


def test_not_that_one_rejects_the_item(movies):
    parsed = parse("not that one", movies, ["titanic-1997"])
    assert parsed.disliked_ids == ["titanic-1997"] and parsed.replace_one


@pytest.mark.parametrize("text,fact,direction", [
    ("which one is cheaper?", "price", "min"), ("哪个更轻？", "weight", "min"),
    ("compare the first and the second — which has better battery?", "battery", "max"),
    ("它的续航多久？", "battery", "which"), ("and which has more RAM?", "attribute", "max"),
    ("does it come in black?", "colour", "which"), ("谁导演的？", "people", "which"),
])
def test_questions_about_shown_items(products, movies, text, fact, direction):
    matcher = movies if "导演" in text else products
    shown = ["titanic-1997"] if "导演" in text else ["p-lumina-skybook-13", "p-lumina-chromalite-11"]
    parsed = parse(text, matcher, shown)
    assert parsed.intent == "question" and parsed.question is not None
    assert (parsed.question.fact, parsed.question.direction) == (fact, direction)


def test_front_two_references(products):
    parsed = parse("比较一下前两个", products, ["p-cirrus-buds-lite", "p-cirrus-buds-sport", "p-cirrus-buds-pro-anc"])
    assert parsed.intent == "compare" and parsed.compare_ids == ["p-cirrus-buds-lite", "p-cirrus-buds-sport"]


# -- what the catalog lacks, off-topic -------------------------------------------------------------

def test_an_item_the_catalog_lacks_is_named(products):
    parsed = parse("Do you have AirPods?", products)
    assert parsed.intent == "missing" and parsed.missing == "AirPods"


def test_a_catalog_item_asked_for_is_there(movies):
    parsed = parse("Do you have Oppenheimer?", movies)
    assert parsed.intent == "ask_about" and parsed.target_ids == ["oppenheimer-2023"]


@pytest.mark.parametrize("text", ["what's the weather in Beijing?", "tell me a joke about cats"])
def test_off_topic_is_not_a_request(movies, text):
    parsed = parse(text, movies)
    assert parsed.intent == "unknown" and parsed.off_topic


def test_a_word_of_a_products_title_points_at_it(products):
    assert products.title_word_hits("电饭煲有吗") == ["p-fornelli-smart-rice-cooker-4l"]
    assert products.title_word_hits("and a good headlamp?") == ["p-nordpeak-headlamp-500"]
    assert products.title_word_hits("gift for dad who likes hiking") == [], "offer words name no product"


def test_which_over_the_shown_list_chooses_among_it(products):
    shown = ["p-morrow-manual-burr-grinder", "p-morrow-pour-over-set"]
    parsed = parse("我一个人住，哪个合适", products, shown)
    assert parsed.intent == "compare" and parsed.compare_ids == shown and parsed.wants_one
    assert parse("what's the weather in Beijing?", products, shown).off_topic


def test_a_second_tag_narrows_the_first(products):
    parsed = parse("要防水的，去海边用", products, ["p-echolite-cube-mini-speaker"], Constraints(tags_any=["speaker"]))
    assert parsed.intent == "refine" and parsed.constraint_update.tags_and == ["waterproof"]
    after = parsed.constraint_update.apply_to(Constraints(tags_any=["speaker"]))
    assert after.tags_any == ["speaker"] and after.tags_and == ["waterproof"]
