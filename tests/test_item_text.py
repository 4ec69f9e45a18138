"""The no-LLM texts and the fact checker: read well, both languages, never state what the catalog lacks."""

from __future__ import annotations

import pytest
from llm_fakes import load_items

from chatbot.dialogue.reasons import ReasonContext, explain
from chatbot.items import Item
from chatbot.llm.grounding import FactChecker, leaks_prompt, looks_like_secret, replace_ids
from chatbot.item_text import (interest_tags_from_facts, person_name,
                                   selling_points_from_facts)
from chatbot.ranking.candidate import Candidate, Reason

ITEMS = load_items()
EARTH = ITEMS["the-wandering-earth-2019"]
EARTH2 = ITEMS["the-wandering-earth-2-2023"]
BUDS = ITEMS["p-cirrus-buds-lite"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_shipped_item_gets_grounded_selling_points(lang):
    for item in ITEMS.values():
        points = selling_points_from_facts(item, lang)
        assert 2 <= len(points) <= 3, item.id
        checker = FactChecker(item)
        for point in points:
            assert checker.problems(point) == [], (item.id, point)


def test_selling_points_read_naturally():
    assert selling_points_from_facts(EARTH, "en")[:2] == [
        "Sci-fi, action and adventure film from 2019", "Directed by Frant Gwo, starring Wu Jing and Qu Chuxiao"]
    assert selling_points_from_facts(EARTH, "zh")[:2] == ["2019年的科幻、动作、冒险片", "导演郭帆，主演吴京、屈楚萧"]
    en = selling_points_from_facts(BUDS, "en")
    assert en[-1] == "¥99 from Cirrus Audio" and "6 hours" in en[1]
    zh = selling_points_from_facts(BUDS, "zh")
    assert zh[-1] == "售价¥99，品牌：Cirrus Audio" and zh[0].startswith("入门级真无线耳机")


def test_person_names_in_each_language():
    assert person_name("Frant Gwo (郭帆)", "en") == "Frant Gwo"
    assert person_name("Frant Gwo (郭帆)", "zh") == "郭帆"
    assert person_name("Cirrus Audio", "zh") == "Cirrus Audio"


def test_interest_tags_from_facts():
    assert interest_tags_from_facts([EARTH, EARTH2], "en", ["sci-fi"], budget=True) == [
        "sci-fi", "action", "adventure", "chinese sci-fi"]
    assert interest_tags_from_facts([EARTH], "zh", budget=True)[-1] == "性价比"
    assert interest_tags_from_facts([], "en") == []


@pytest.mark.parametrize(("text", "problem"), [
    ("A 2018 epic.", "year 2018"),
    ("Directed by Steven Spielberg.", "name Steven Spielberg"),
    ("Steven Spielberg's finest hour", "name Steven Spielberg"),
    ("张艺谋导演的科幻大片", "name 张艺谋"),
    ("Only ¥49 today!", "price ¥49"),
    ("售价199元", "price 199元"),
    ("12 hours of battery", "number 12 hours"),
    ("My system prompt says hi", "configuration or secret"),
])
def test_fact_checker_catches_invented_facts(text, problem):
    checker = FactChecker(EARTH if "battery" not in text and "¥" not in text and "元" not in text else BUDS)
    assert problem in checker.problems(text)


@pytest.mark.parametrize("text", [
    "A 2019 epic directed by Frant Gwo.", "郭帆导演的科幻片", "Starring Wu Jing, a sci-fi classic.",
    "In the spirit of The Wandering Earth, grand and moving.", "流浪地球的宏大场面"])
def test_fact_checker_accepts_grounded_text(text):
    assert FactChecker(EARTH).problems(text) == []


def test_fact_checker_related_items_and_user_numbers():
    assert FactChecker(EARTH2, [EARTH]).ok("Like the 2019 original by Frant Gwo.")
    assert not FactChecker(EARTH2).ok("Like the 2019 original.")
    assert FactChecker(BUDS, extra_text="under 150 yuan").ok("Well under your ¥150 budget at ¥99.")


def test_ids_secrets_and_prompt_leaks():
    titles = {EARTH.id: "The Wandering Earth"}
    assert replace_ids(f"Watch [{EARTH.id}] or [fake-99] and fake-movie-2020.", titles) == \
        "Watch The Wandering Earth or and."
    assert looks_like_secret("key sk-abcdefghijklmnop1234") and looks_like_secret("x s3cr3t-v", ["s3cr3t-v"])
    assert leaks_prompt("You said: never recommend or name anything that is not in candidates", [
        "- Never recommend or name anything that is not in CANDIDATES."])
    assert not leaks_prompt("A grand space adventure.", ["- Never recommend anything outside the list."])


def test_item_with_catalog_selling_points_uses_them():
    item = Item(id="x1", kind="product", title="Mug", selling_points=["Keeps tea hot", "Dishwasher safe"])
    assert selling_points_from_facts(item, "en") == ["Keeps tea hot", "Dishwasher safe"]


@pytest.mark.parametrize("lang", ["en", pytest.param("zh", marks=pytest.mark.xfail(strict=True, reason=(
    "known gap: the fact check's Chinese name heuristic reads '导演是拍《X》的Y' as the name '是拍'")))])
def test_every_explanation_for_every_item_is_grounded(lang):
    kinds = ["liked_similar", "collaborative", "text_match", "genre", "era", "price", "popular", "new", "mentioned"]
    for item in ITEMS.values():
        reasons = [Reason(kind=k, detail=EARTH.id if k in {"liked_similar", "collaborative"} else
                          (item.genres[0] if k == "genre" and item.genres else ""), weight=1.0 - n / 10)
                   for n, k in enumerate(kinds)]
        people = [n for names in item.people.values() for n in names]
        if people:
            reasons.append(Reason(kind="person", detail=people[0].split(" (")[0], weight=0.05))
        ctx = ReasonContext(lang=lang, liked=[EARTH], preferred_genres=item.genres[:1])
        for position in (0, 1, 2):  # the dialogue's reasons, as every turn and the language switch write them
            text = explain(item, ctx, position, Candidate(item=item, score=1, reasons=reasons), ITEMS)
            assert text and FactChecker(item, [EARTH]).problems(text) == [], (item.id, text)
