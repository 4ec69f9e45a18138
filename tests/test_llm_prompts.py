"""Every prompt file loads and renders with its variables; a missing variable raises PromptError."""

from __future__ import annotations

import pytest

from chatbot.errors import PromptError
from chatbot.prompts import LANGS, load_prompt, prompt_names

ALL = prompt_names()


SHARED = {"pick", "explain"}  # one system prompt for both languages: llama.cpp's prompt cache serves both


def test_every_prompt_exists_in_both_languages_or_is_shared():
    names = {name for name, _ in ALL}
    assert {"pick", "explain", "selling_points", "extract"} == names
    assert {(name, lang) for name in names for lang in LANGS if name not in SHARED} | \
        {(name, "en") for name in SHARED} == set(ALL)


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_prompt_renders_with_its_variables(name, lang):
    prompt = load_prompt(name, lang)
    assert prompt.version and prompt.variables
    values = {var: f"<{var}-value>" for var in prompt.variables}
    messages = prompt.render(**values)
    assert [m.type for m in messages] == ["system", "human"]
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
    assert load_prompt("selling_points", "en").version != load_prompt("selling_points", "zh").version
    assert load_prompt("pick", "fr").lang == "en"
    assert load_prompt("pick", "zh").system == load_prompt("pick", "en").system
    with pytest.raises(PromptError):
        load_prompt("no_such_prompt", "en")


@pytest.mark.parametrize("name", ["pick", "explain"])
def test_pick_and_explain_prompts_cite_by_id_and_resist_injection(name):
    system = load_prompt(name, "en").render(k=3, message="m", wants="u", candidates="c", language="English")[0].content
    assert "id" in system and "JSON" in system and "awards" in system
    assert "reveal" in system and "not orders" in system


@pytest.mark.parametrize("name", sorted(SHARED))
def test_the_system_prompt_is_the_same_every_turn_and_language_so_llama_cpp_reuses_its_cache(name):
    first = load_prompt(name, "en").render(k=3, message="a", wants="b", candidates="c", language="English")
    second = load_prompt(name, "zh").render(k=2, message="x", wants="y", candidates="z", language="Chinese")
    assert first[0].content == second[0].content and first[1].content != second[1].content


def test_prompts_do_not_import_the_llm_layer():
    import subprocess
    import sys

    code = "import sys, chatbot.prompts; print(any(m.startswith('chatbot.llm') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() \
        == "False"
