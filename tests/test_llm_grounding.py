"""The fact check's claim lists (awards, superlatives, audiences) and the other-candidate check, on the cases
a real 0.5B model wrote; and the LLM layer's place in the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from llm_fakes import PROJECT_ROOT, load_items

from chatbot.llm.claims import describes_other, false_comparison, unsupported_claims
from chatbot.llm.grounding import FactChecker, mend_clipped_titles

ITEMS = load_items()
BR2049, SPIRITED = ITEMS["blade-runner-2049-2017"], ITEMS["spirited-away-2001"]
EARTH2, THREE_BODY = ITEMS["the-wandering-earth-2-2023"], ITEMS["the-three-body-problem-2023"]
TEA = ITEMS["p-jadepeak-west-lake-longjing"]


@pytest.mark.parametrize(("item", "text", "problem"), [
    (BR2049, "It won the Oscar for Best Picture.", "award"),
    (BR2049, "获得奥斯卡最佳影片。", "award"),
    (BR2049, "An award-winning sequel.", "award"),
    (BR2049, "The best sci-fi film of the decade.", "superlative"),
    (BR2049, "史上最好看的科幻片。", "superlative"),
    (SPIRITED, "A 1997 film featuring Princess Mononoke.", "year"),
    (SPIRITED, "A 1997 film featuring Princess Mononoke.", "name"),
    (TEA, "A green tea designed for dads.", "audience"),
    (TEA, "这款茶适合爸爸。", "audience"),
    (TEA, "Perfect for kids after school.", "audience"),
])
def test_claims_the_catalog_does_not_hold_are_caught(item, text, problem):
    assert any(p.startswith(problem) for p in FactChecker(item).problems(text)), FactChecker(item).problems(text)


@pytest.mark.parametrize(("item", "text"), [
    (BR2049, "A slow, striking neo-noir about replicants, directed by Denis Villeneuve."),
    (SPIRITED, "A girl wanders into a world of spirits: a gentle fantasy for a family evening."),
    (TEA, "A 100 g box of West Lake Longjing green tea."),
    (EARTH2, "最后，人类建造巨型发动机，场面宏大。"),
])
def test_grounded_reasons_pass(item, text):
    assert FactChecker(item).problems(text) == []


def test_a_claim_word_the_item_itself_holds_passes():
    winner = SPIRITED.model_copy(update={"description": SPIRITED.description + " It won the Oscar."})
    assert not unsupported_claims("It won the Oscar.", winner.to_text().lower())


def test_a_reason_describing_another_candidate_is_caught():
    others = [EARTH2, THREE_BODY, BR2049]
    assert describes_other("《三体》的故事：纳米材料科学家卷入外星文明。", EARTH2, others) == THREE_BODY.title
    assert describes_other("Like Blade Runner 2049, it is about replicants.", EARTH2, others) == BR2049.title
    assert describes_other("A nanomaterials researcher, scientists' deaths and a virtual-reality game.", EARTH2,
                           others) == THREE_BODY.title
    assert describes_other("人类建造巨型发动机，把地球推出太阳系。", EARTH2, others) == ""


def test_a_genre_given_to_a_liked_film_by_comparison_must_be_its_own():
    bullets, interstellar = ITEMS["let-the-bullets-fly-2010"], ITEMS["interstellar-2014"]
    liked = [bullets, interstellar]
    # what Qwen2.5-0.5B wrote for The Wandering Earth after "有没有和《让子弹飞》差不多的"
    assert false_comparison("太空穿越和《让子弹飞》一样有科幻元素。", liked) == "Let the Bullets Fly: 科幻"
    assert false_comparison("A comedy like Interstellar, set in space.", liked) == "Interstellar: comedy"
    for true in ("和《让子弹飞》一样是喜剧。", "A sci-fi epic like Interstellar.", "A romance, unlike Interstellar.",
                 "Like Let the Bullets Fly, a sharp action comedy.", "一部科幻片，节奏和《让子弹飞》完全不同"):
        assert false_comparison(true, liked) == "", true


def test_a_clipped_chinese_title_is_made_whole():
    titles = ["流浪地球2", "银翼杀手2049", "星际穿越", "让子弹飞"]
    assert mend_clipped_titles("浪地球2是一部科幻片。", titles) == "流浪地球2是一部科幻片。"  # as Qwen2.5-0.5B wrote it
    assert mend_clipped_titles("杀手2049的画面", titles) == "银翼杀手2049的画面"
    for whole in ("《流浪地球2》很宏大", "我们要拯救地球", "子弹飞了一会儿", "穿越时空的故事"):
        assert mend_clipped_titles(whole, titles) == whole


def test_the_llm_layer_imports_no_layer_above_it():
    above = ("chatbot.dialogue", "chatbot.service", "chatbot.ui", "chatbot.benchmarks", "chatbot.commands")
    for path in sorted((PROJECT_ROOT / "chatbot" / "llm").glob("*.py")):
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if n.startswith(above)], path.name
