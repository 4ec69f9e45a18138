"""The development conversation suite (tests/dialogues/) played whole in the no-LLM mode, through the real
service with the real packaged embedder and real Chroma.

This is a measurement, not a pass gate: the suite states what a good shop assistant would do, and the
README reports how much of it the bot does. The test asserts that the suite is valid and large enough,
that every turn runs without raising, and a floor far below the measured rate (README, "Conversation
suites"), so that only a collapse of the understanding fails CI.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from chatbot.config import Settings
from chatbot.evaluation.dialogues import run_conversations
from chatbot.evaluation.suite import load_suites

SUITE_FILES = sorted((PROJECT_ROOT / "tests" / "dialogues").glob("*.yaml"))
PASS_RATE_FLOOR = 0.6  # overall and per language; measured well above it (README)


def test_the_suite_is_valid_and_covers_both_languages_and_catalogs(tmp_path: Path):
    _, conversations = load_suites(Settings(data_dir=tmp_path, _env_file=None), SUITE_FILES)
    turns = sum(len(c.turns) for c in conversations)
    assert len(conversations) >= 120 and turns >= 400
    by_lang = Counter(c.lang for c in conversations)
    assert min(by_lang["zh"], by_lang["en"]) >= 0.4 * len(conversations)
    assert {Path(c.catalog).stem for c in conversations} == {"movies", "products"}


@pytest.mark.slow
def test_the_whole_suite_runs_in_the_no_llm_mode(tmp_path: Path, real_embedder, monkeypatch):
    import chatbot.engine
    from chatbot.service import ChatService

    monkeypatch.setattr(chatbot.engine, "get_embedder", lambda _settings: real_embedder)
    settings = Settings(data_dir=tmp_path / "data", llm_backend="none", _env_file=None)
    loader, conversations = load_suites(settings, SUITE_FILES)
    summary = run_conversations(ChatService(settings), loader, conversations, [str(p) for p in SUITE_FILES]).summary()
    assert summary.conversations == len(conversations) and summary.llm == "none"
    crashed = [f for f in summary.failures if f.got.startswith("the turn failed")]
    assert not crashed, crashed[:5]
    assert summary.pass_rate >= PASS_RATE_FLOOR, summary.by_check
    for lang, count in summary.by_lang.items():
        assert count.passed >= PASS_RATE_FLOOR * count.checks, (lang, count)
