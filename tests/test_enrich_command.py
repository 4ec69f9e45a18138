"""`python -m chatbot enrich` through the real CLI entry, with LLM_BACKEND=openai pointed at a real
OpenAI-compatible HTTP server on 127.0.0.1 that answers bullet lists."""

from __future__ import annotations

import json

import pytest
from app_support import MOVIES, write_catalogs
from chroma_server import free_port
from llm_fakes import Reply, ScriptedOpenAIServer

from chatbot.cli import main
from chatbot.config import get_settings
from chatbot.items import Item
from chatbot.llm.selling_points import SellingPointCache, open_cache
from chatbot.prompts import load_prompt

BULLETS = "Here you go:\n- A sweeping story told on a grand scale\n- Striking images worth a big screen"
SMALL = MOVIES[:4]


@pytest.fixture
def llm_server():
    server = ScriptedOpenAIServer(default=Reply(text=BULLETS)).start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The CLI reads its settings from the environment, as in production; no .env in the working folder."""
    monkeypatch.chdir(tmp_path)
    for name in ("LLM_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CATALOG_DIR", str(write_catalogs(tmp_path / "catalog")))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def small_catalog(tmp_path):
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in SMALL), encoding="utf-8")
    return path


def enrich(capsys, *args: str) -> tuple[int, dict, str]:
    get_settings.cache_clear()
    code = main(["enrich", "--no-progress", *args])
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) <= 1, out
    return code, json.loads(lines[0]) if lines else {}, err


def use_openai(env, server: ScriptedOpenAIServer) -> None:
    env.setenv("LLM_BACKEND", "openai")
    env.setenv("LLM_MODEL", "scripted")
    env.setenv("OPENAI_BASE_URL", server.base_url)
    env.setenv("LLM_MAX_RETRIES", "0")


def test_enrich_fills_the_cache_once_and_honours_the_limit(env, llm_server, small_catalog, tmp_path, capsys):
    use_openai(env, llm_server)
    code, report, _ = enrich(capsys, "--catalog", str(small_catalog), "--limit", "2", "--lang", "en")
    assert code == 0
    assert report["written"] == 2 and report["cached"] == 0 and report["failed"] == 0
    assert report["items"] == len(SMALL) and report["model"] == "openai:scripted"
    assert "scripted" in report["llm"] and llm_server.base_url in report["llm"]
    assert len(llm_server.chat_requests()) == 2, "--limit 2 with one language is two model calls"
    cache = open_cache(tmp_path / "data")
    try:
        assert len(cache) == 2
        first = Item.model_validate(SMALL[0])
        key = SellingPointCache.key(first, load_prompt("selling_points", "en").version, "openai:scripted", "en")
        assert cache.get(key) == ["A sweeping story told on a grand scale", "Striking images worth a big screen"]
    finally:
        cache.close()

    code, again, _ = enrich(capsys, "--catalog", str(small_catalog), "--limit", "2", "--lang", "en")
    assert code == 0 and again["written"] == 0 and again["cached"] == 2 and again["cache_entries"] == 2
    assert len(llm_server.chat_requests()) == 2, "a re-run must not ask the model again"

    code, full, _ = enrich(capsys, "--catalog", str(small_catalog))  # every item, both languages
    assert code == 0 and full["cached"] == 2 and full["written"] == len(SMALL) * 2 - 2
    assert full["cache_entries"] == len(SMALL) * 2 and len(llm_server.chat_requests()) == len(SMALL) * 2

    code, last, _ = enrich(capsys, "--catalog", str(small_catalog))
    assert code == 0 and last["written"] == 0 and last["cached"] == len(SMALL) * 2
    assert len(llm_server.chat_requests()) == len(SMALL) * 2


def test_a_shipped_catalog_name_works_and_the_prompt_holds_the_item(env, llm_server, capsys):
    use_openai(env, llm_server)
    code, report, _ = enrich(capsys, "--catalog", "movies", "--limit", "1", "--lang", "zh")
    assert code == 0 and report["written"] == 1 and report["catalog"].endswith("movies.jsonl")
    prompt = json.dumps(llm_server.chat_requests()[0]["body"]["messages"], ensure_ascii=False)
    assert MOVIES[0]["title"] in prompt


def test_bullets_the_fact_check_rejects_are_not_counted_as_written(env, llm_server, small_catalog, capsys):
    use_openai(env, llm_server)
    llm_server.default = Reply(text="- Directed by James Cameron\n- Released in 1997")
    code, report, _ = enrich(capsys, "--catalog", str(small_catalog), "--limit", "1", "--lang", "en")
    assert code == 0 and report["written"] == 0 and report["template"] == 1


def test_no_llm_means_nothing_to_write(env, small_catalog, tmp_path, capsys):
    env.setenv("LLM_BACKEND", "none")
    code, report, err = enrich(capsys, "--catalog", str(small_catalog))
    assert code == 0
    assert "nothing to write" in err and "on the fly" in err
    assert report["llm"] == "none" and report["written"] == 0 and "nothing to write" in report["note"]
    assert not (tmp_path / "data" / "selling_points.sqlite").exists()


def test_an_unreachable_llm_is_a_clear_error_and_writes_nothing(env, small_catalog, tmp_path, capsys):
    env.setenv("LLM_BACKEND", "openai")
    env.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    env.setenv("LLM_MAX_RETRIES", "0")
    code, report, err = enrich(capsys, "--catalog", str(small_catalog))
    assert code == 2 and report == {}
    assert "error:" in err and "cannot reach" in err and "nothing was written" in err
    assert not (tmp_path / "data" / "selling_points.sqlite").exists()


def test_a_missing_catalog_is_a_clear_error(env, capsys):
    env.setenv("LLM_BACKEND", "none")
    code, _, err = enrich(capsys, "--catalog", "no-such-catalog")
    assert code == 2 and "No catalog 'no-such-catalog'" in err


def test_a_negative_limit_is_refused(env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["enrich", "--limit", "-1"])
    assert exit_info.value.code == 2 and "must be 0 or more" in capsys.readouterr().err
