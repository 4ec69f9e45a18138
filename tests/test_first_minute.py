"""The first minute, on the real path: a fresh copy of the project with an empty data folder, `python app.py`
as a subprocess, a Chinese question asked the moment the page answers; then a restart on the full data
folder. Times are reported by `python -m chatbot bench first-minute`, never asserted here."""

from __future__ import annotations

import re

import pytest

from chatbot.benchmarks.first_minute import QUESTION, run_first_minute
from chatbot.catalogs import shipped_catalogs
from chatbot.config import Settings
from chatbot.loaders import load_catalog

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_fresh_start_answers_the_first_question_and_a_restart_embeds_nothing():
    result = run_first_minute(QUESTION, timeout_s=300)
    first, again = result["first_start"], result["restart"]
    shipped = shipped_catalogs(Settings(_env_file=None))
    titles = {item.title_zh or item.title for path in shipped.values() for item in load_catalog(path).items}
    titles |= {item.title for path in shipped.values() for item in load_catalog(path).items}

    assert first["cards"], f"the question asked at once got a recommendation: {first['reply']}"
    assert set(first["cards"]) <= titles, "only catalog items"
    assert CJK.search(first["reply"]), "the reply is in the question's language"
    total = sum(len(load_catalog(path).items) for path in shipped.values())
    assert (first["embedded"], first["restored"]) == (0, total), "the shipped vectors were restored, nothing embedded"
    assert first["page_s"] <= first["answer_s"] and first["ready_s"] is not None

    assert again["cards"] and again["ready_s"] is not None
    assert (again["embedded"], again["restored"]) == (0, 0), "a restart on a full data folder re-does nothing"
