"""Test support: the parser on the shipped catalogs (fixtures `movies` / `products`, and `parse`)."""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT

from chatbot.dialogue.message import ParsedMessage
from chatbot.dialogue.parser import parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher
from chatbot.filters import Constraints
from chatbot.loaders import load_catalog

YEAR = 2026


@pytest.fixture(scope="module")
def movies() -> TitleMatcher:
    return TitleMatcher(load_catalog(PROJECT_ROOT / "catalog" / "movies.jsonl").items)


@pytest.fixture(scope="module")
def products() -> TitleMatcher:
    return TitleMatcher(load_catalog(PROJECT_ROOT / "catalog" / "products.jsonl").items)


def parse(text: str, matcher: TitleMatcher, last: list[str] | None = None,
          constraints: Constraints | None = None) -> ParsedMessage:
    state = DialogueState(last_candidates=list(last or []), turn_count=1 if last else 0,
                          constraints=constraints or Constraints())
    return parse_message(text, matcher, state, today_year=YEAR)
