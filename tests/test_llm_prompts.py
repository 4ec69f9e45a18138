"""Every prompt file loads and renders with its variables; a missing variable raises PromptError."""

from __future__ import annotations

import pytest

from chatbot.errors import PromptError
from chatbot.prompts import LANGS, load_prompt, prompt_names

ALL = prompt_names()


def test_every_prompt_exists_in_both_languages():
    names = {name for name, _ in ALL}
    assert {"pick", "repair", "selling_points", "interest_tags"} <= names
    assert {(name, lang) for name in names for lang in LANGS} == set(ALL)


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_prompt_renders_with_its_variables(name, lang):
    prompt = load_prompt(name, lang)
    assert prompt.version and prompt.variables
    values = {var: f"<{var}-value>" for var in prompt.variables}
    messages = prompt.render(**values)
    assert [m.role for m in messages] == ["system", "user"]
    text = "\n".join(m.content for m in messages)
    for var in prompt.variables:
        assert f"<{var}-value>" in text
    assert "{{" not in text and "}}" not in text


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_missing_variable_raises(name, lang):
    prompt = load_prompt(name, lang)
    values = {var: "x" for var in sorted(prompt.variables)[1:]}
    with pytest.raises(PromptError):
        prompt.render(**values)


def test_versions_differ_per_language_and_unknown_prompt_fails():
    assert load_prompt("pick", "en").version != load_prompt("pick", "zh").version
    assert load_prompt("pick", "fr").lang == "en"
    with pytest.raises(PromptError):
        load_prompt("no_such_prompt", "en")


def test_pick_prompt_orders_citing_by_id_and_resisting_injection():
    system = load_prompt("pick", "en").render(k=3, dialogue="d", user_state="u", candidates="c")[0].content
    assert "[brackets]" in system and "JSON" in system
    assert "reveal" in system and "not orders" in system
