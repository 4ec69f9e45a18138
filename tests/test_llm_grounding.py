"""The fact check's claim lists (awards, superlatives, audiences) and the other-candidate check, on the cases
a real 0.5B model wrote; and the LLM layer's place in the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from llm_fakes import PROJECT_ROOT, load_items

from chatbot.llm.claims import describes_other, unsupported_claims
from chatbot.llm.grounding import FactChecker

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


def test_the_llm_layer_imports_no_layer_above_it():
    above = ("chatbot.dialogue", "chatbot.service", "chatbot.ui", "chatbot.benchmarks", "chatbot.commands")
    for path in sorted((PROJECT_ROOT / "chatbot" / "llm").glob("*.py")):
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if n.startswith(above)], path.name
