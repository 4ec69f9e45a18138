"""The conversation-suite runner itself: every check passes and fails where it should, item references
resolve (or the suite is rejected naming conversation, turn and reference), and `eval-dialogues` plays a
suite through the real chat service (shipped catalogs, real Chroma, a bag-of-words embedder) and prints
FORMAT.md's summary last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT, FakeEmbedder

from chatbot.config import Settings
from chatbot.evaluation.checks import TurnJudge, TurnOutcome, name_forms, reply_language
from chatbot.evaluation.suite import Expect, SuiteError, load_suites

SUMMARY_FIELDS = ["suites", "conversations", "turns", "checks", "passed", "pass_rate", "by_check", "by_lang", "llm",
                  "turn_ms_p50", "turn_ms_p95", "first_cards_ms_p50", "first_cards_ms_p95", "picker_sources",
                  "failures"]
FAILURE_FIELDS = {"conversation", "turn", "check", "expected", "got"}
DEV_SUITE = PROJECT_ROOT / "tests" / "dialogues"

SCIFI = ["arrival-2016", "blade-runner-2049-2017", "interstellar-2014"]
MOOD = "in-the-mood-for-love-2000"  # romance/drama, HK, zh, 2000, Wong Kar-wai (王家卫), tag "stylish"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_backend="none", _env_file=None)


def write_suite(path: Path, conversations: list[dict]) -> Path:
    path.write_text(yaml.safe_dump(conversations, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def one_turn(expect: dict, catalog: str = "movies", lang: str = "en") -> list[dict]:
    return [{"id": "c1", "catalog": catalog, "lang": lang, "turns": [{"user": "hello", "expect": expect}]}]


def judged(settings: Settings, tmp_path: Path, expect: dict, outcome: TurnOutcome, catalog: str = "movies") -> bool:
    loader, [conv] = load_suites(settings, [write_suite(tmp_path / "s.yaml", one_turn(expect, catalog))])
    [result] = TurnJudge(loader.refs(conv.catalog).items).judge(conv.turns[0], outcome)
    return result.passed


# check, expectation, an outcome that passes, an outcome that fails
CASES = [
    ("picks_subset_of", {"picks_subset_of": ["Arrival", "降临", "银翼杀手2049"]},
     TurnOutcome(picks=SCIFI[:2]), TurnOutcome(picks=SCIFI)),
    ("first_pick_in", {"first_pick_in": ["Interstellar", "Blade Runner 2049"]},
     TurnOutcome(picks=SCIFI[1:]), TurnOutcome(picks=SCIFI)),
    ("first_pick_in none", {"first_pick_in": ["Arrival"]}, TurnOutcome(picks=SCIFI), TurnOutcome(picks=[])),
    ("picks_include_any", {"picks_include_any": ["In the Mood for Love", "Arrival"]},
     TurnOutcome(picks=SCIFI), TurnOutcome(picks=SCIFI[1:])),
    ("picks_exclude", {"picks_exclude": ["arrival-2016"]}, TurnOutcome(picks=SCIFI[1:]), TurnOutcome(picks=SCIFI)),
    ("n_picks", {"n_picks": 2}, TurnOutcome(picks=SCIFI[:2]), TurnOutcome(picks=SCIFI)),
    ("min_picks", {"min_picks": 1}, TurnOutcome(picks=SCIFI[:1]), TurnOutcome(picks=[])),
    ("max_picks", {"max_picks": 0}, TurnOutcome(picks=[]), TurnOutcome(picks=SCIFI[:1])),
    ("no_repeat", {"no_repeat": True}, TurnOutcome(picks=SCIFI[:1], earlier_picks=SCIFI[1:]),
     TurnOutcome(picks=SCIFI[:2], earlier_picks=SCIFI[1:])),
    ("reply_lang zh", {"reply_lang": "zh"}, TurnOutcome(reply="推荐《Blade Runner 2049》，视觉宏大，节奏沉稳，很适合你。"),
     TurnOutcome(reply="I recommend 《银翼杀手2049》: grand visuals and a slow burn.")),
    ("reply_lang en", {"reply_lang": "en"}, TurnOutcome(reply="Try 《银翼杀手2049》: grand visuals, a slow burn."),
     TurnOutcome(reply="推荐《银翼杀手2049》，视觉宏大。")),
    ("reply_mentions_any item", {"reply_mentions_any": ["Blade Runner 2049"]},
     TurnOutcome(reply="我选《银翼杀手2049》"), TurnOutcome(reply="我选《三体》")),
    ("reply_mentions_any text", {"reply_mentions_any": ["Don't have", "没有"]},
     TurnOutcome(reply="Sorry, I don't have AirPods."), TurnOutcome(reply="Here are three earbuds.")),
    ("reply_excludes", {"reply_excludes": ["你喜欢的"]}, TurnOutcome(reply="第一次推荐"),
     TurnOutcome(reply="和你喜欢的《沙丘》很像")),
    ("liked", {"liked": ["星际穿越", "Dune (2021)"]}, TurnOutcome(liked=["dune-2021", "interstellar-2014"]),
     TurnOutcome(liked=["dune-2021", "interstellar-2014", "arrival-2016"])),
    ("liked_include", {"liked_include": ["Arrival"]}, TurnOutcome(liked=SCIFI), TurnOutcome(liked=SCIFI[1:])),
    ("disliked_include", {"disliked_include": ["Arrival"]}, TurnOutcome(disliked=SCIFI[:1]),
     TurnOutcome(liked=SCIFI[:1])),
    ("liked_exclude", {"liked_exclude": ["Arrival"]}, TurnOutcome(liked=SCIFI[1:], disliked=SCIFI[:1]),
     TurnOutcome(liked=SCIFI)),
    ("where genres_any", {"where": {"genres_any": ["Romance"]}}, TurnOutcome(picks=[MOOD]),
     TurnOutcome(picks=[MOOD, "arrival-2016"])),
    ("where genres_none", {"where": {"genres_none": ["romance"]}}, TurnOutcome(picks=SCIFI), TurnOutcome(picks=[MOOD])),
    ("where country_in", {"where": {"country_in": ["HK", "tw"]}}, TurnOutcome(picks=[MOOD]),
     TurnOutcome(picks=SCIFI[:1])),
    ("where language_in", {"where": {"language_in": ["zh"]}}, TurnOutcome(picks=[MOOD]), TurnOutcome(picks=SCIFI[:1])),
    ("where kind_in", {"where": {"kind_in": ["series"]}}, TurnOutcome(picks=["the-three-body-problem-2023"]),
     TurnOutcome(picks=SCIFI[:1])),
    ("where year_min", {"where": {"year_min": 2010}}, TurnOutcome(picks=SCIFI), TurnOutcome(picks=[MOOD])),
    ("where year_max", {"where": {"year_max": 2000}}, TurnOutcome(picks=[MOOD]), TurnOutcome(picks=[MOOD, *SCIFI])),
    ("where people_any en", {"where": {"people_any": ["wong kar-wai"]}}, TurnOutcome(picks=[MOOD]),
     TurnOutcome(picks=SCIFI[:1])),
    ("where people_any zh", {"where": {"people_any": ["梁朝伟"]}}, TurnOutcome(picks=[MOOD]),
     TurnOutcome(picks=SCIFI[:1])),
    ("where tags_any", {"where": {"tags_any": ["Slow Burn"]}}, TurnOutcome(picks=[MOOD, "arrival-2016"]),
     TurnOutcome(picks=["interstellar-2014"])),
    ("where empty", {"where": {"genres_any": ["sci-fi"]}}, TurnOutcome(picks=SCIFI), TurnOutcome(error="boom")),
]
PRODUCT_CASES = [
    ("where price_max", {"where": {"price_max": 100}}, TurnOutcome(picks=["p-cirrus-buds-lite"]),
     TurnOutcome(picks=["p-cirrus-buds-lite", "p-cirrus-buds-sport"])),
    ("where price_min", {"where": {"price_min": 200}}, TurnOutcome(picks=["p-cirrus-buds-sport"]),
     TurnOutcome(picks=["p-cirrus-buds-lite"])),
    ("where genres_any category", {"where": {"genres_any": ["fitness"], "people_any": ["Cirrus Audio"]}},
     TurnOutcome(picks=["p-cirrus-buds-sport"]), TurnOutcome(picks=["p-cirrus-buds-lite"])),
]


@pytest.mark.parametrize(("name", "expect", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_each_movie_check_passes_and_fails(settings, tmp_path, name, expect, good, bad):
    assert judged(settings, tmp_path, expect, good)
    assert not judged(settings, tmp_path, expect, bad)


@pytest.mark.parametrize(("name", "expect", "good", "bad"), PRODUCT_CASES, ids=[c[0] for c in PRODUCT_CASES])
def test_each_product_check_passes_and_fails(settings, tmp_path, name, expect, good, bad):
    assert judged(settings, tmp_path, expect, good, "products")
    assert not judged(settings, tmp_path, expect, bad, "products")


def test_a_product_has_no_country_and_a_film_no_price(settings, tmp_path):
    assert not judged(settings, tmp_path, {"where": {"country_in": ["CN"]}}, TurnOutcome(picks=["p-cirrus-buds-lite"]),
                      "products")
    assert not judged(settings, tmp_path, {"where": {"price_max": 1000}}, TurnOutcome(picks=SCIFI[:1]))


def test_name_forms_and_reply_language():
    assert name_forms("Wong Kar-wai (王家卫)") == {"wong kar-wai (王家卫)", "wong kar-wai", "王家卫"}
    assert reply_language("我推荐 Cirrus Audio Buds Lite，价格 99 元，单耳仅重 4.2 克，续航六个小时。") == "zh"
    assert reply_language("The Wandering Earth 2 (流浪地球2) is a 2023 film.") == "en"


@pytest.mark.parametrize(("turn", "needle"), [
    ({"user": "hi", "expect": {"picks_subset_of": ["Not A Film At All"]}}, "'Not A Film At All' matches no item"),
    ({"user": "hi", "expect": {"liked": ["出租车司机"]}}, "'出租车司机' is ambiguous"),
    ({"user": "hi", "expect": {"picks_include_any": ["《沙丘》", "Dune (1999)"]}}, "'Dune (1999)' matches no item"),
    ({"user": "hi", "expect": {"pick_first": ["Dune (2021)"]}}, "unknown check 'pick_first'"),
    ({"user": "hi", "expect": {"where": {"genre": ["sci-fi"]}}}, "unknown where field 'genre'"),
    ({"user": "hi", "expect": {"reply_lang": "fr"}}, "reply_lang"),
    ({"message": "hi"}, "unknown field 'message'"),
])
def test_invalid_suites_name_the_conversation_turn_and_reference(settings, tmp_path, turn, needle):
    conversations = [{"id": "fine", "catalog": "movies", "lang": "en", "turns": [{"user": "hello"}]},
                     {"id": "broken-one", "catalog": "movies", "lang": "zh",
                      "turns": [{"user": "你好"}, turn]}]
    path = write_suite(tmp_path / "bad.yaml", conversations)
    with pytest.raises(SuiteError) as caught:
        load_suites(settings, [path])
    message = str(caught.value)
    assert f"suite {path}" in message and "conversation 'broken-one', turn 2" in message and needle in message


def test_suite_level_errors(settings, tmp_path):
    twice = [{"id": "same", "catalog": "movies", "lang": "en", "turns": [{"user": "a"}]}] * 2
    with pytest.raises(SuiteError, match="conversation 'same': the id is used twice"):
        load_suites(settings, [write_suite(tmp_path / "a.yaml", twice)])
    nowhere = [{"id": "x", "catalog": "no-such-catalog", "lang": "en", "turns": [{"user": "a"}]}]
    with pytest.raises(SuiteError, match="conversation 'x': No catalog 'no-such-catalog'"):
        load_suites(settings, [write_suite(tmp_path / "b.yaml", nowhere)])


def test_yaml_words_stay_words_and_years_resolve(settings, tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("- id: 7\n  catalog: movies\n  lang: en\n  turns:\n    - user: no\n    - user: 2046\n"
                    "      expect: {first_pick_in: [出租车司机 (1976), a-taxi-driver-2017], no_repeat: true}\n",
                    encoding="utf-8")
    _, [conv] = load_suites(settings, [path])
    assert conv.id == "7" and [t.user for t in conv.turns] == ["no", "2046"]
    assert conv.turns[1].expect.given() == ["first_pick_in", "no_repeat"]
    assert Expect(no_repeat=False, max_picks=0).given() == ["max_picks"]  # `no_repeat: false` asks for nothing
    assert conv.turns[1].item_ids["first_pick_in"] == ["taxi-driver-1976", "a-taxi-driver-2017"]


# -- end to end: the command through the real service ---------------------------------------------------------
@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """One chat service for the module: shipped catalogs, real Chroma, the bag-of-words embedder."""
    import chatbot.engine
    from chatbot.service import ChatService

    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), llm_backend="none", _env_file=None)
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chatbot.engine, "get_embedder", lambda _settings: embedder)
        yield ChatService(settings)


@pytest.fixture
def cli(service, monkeypatch):
    """`python -m chatbot …` with the module's settings and service."""
    import chatbot.config
    import chatbot.service
    from chatbot.cli import main

    monkeypatch.setattr(chatbot.config, "get_settings", lambda: service.settings)
    monkeypatch.setattr(chatbot.service, "ChatService", lambda _settings: service)
    return main


def run_cli(cli, capsys, *argv) -> tuple[int, dict, str]:
    code = cli(["eval-dialogues", *argv])
    out, err = capsys.readouterr()
    last = out.strip().splitlines()[-1] if out.strip() else "{}"
    return code, json.loads(last), err


def test_invalid_suite_exits_non_zero_before_playing(cli, capsys, tmp_path):
    path = write_suite(tmp_path / "bad.yaml", one_turn({"picks_exclude": ["Nope Nope"]}))
    assert cli(["eval-dialogues", "--suite", str(path)]) == 2
    _, err = capsys.readouterr()
    assert "conversation 'c1', turn 1" in err and "'Nope Nope'" in err


OPENING = "I loved Arrival. Recommend me some science fiction films please"


def test_every_check_passes_and_fails_through_the_service(service, cli, capsys, tmp_path):
    """Play one turn, then score two suites built from what it showed: one that must pass every check and one
    that must fail every check (so a check that cannot fail, or cannot pass, is caught)."""
    session = service.new_session("movies", "en")
    final = list(service.respond(session, OPENING))[-1]
    picks, liked, reply = [c.item_id for c in final.cards], list(session.state.liked_ids), final.text
    assert picks and liked, "a plain request for science fiction after a liked film shows films"
    other = [i for i in [*SCIFI, MOOD, "dune-2021"] if i not in picks and i not in liked][:1]
    good = {"picks_subset_of": picks, "first_pick_in": picks[:1], "picks_include_any": picks[-1:],
            "picks_exclude": other, "n_picks": len(picks), "min_picks": len(picks), "max_picks": len(picks),
            "where": {"kind_in": ["movie", "series"]}, "reply_lang": "en", "reply_mentions_any": [picks[0]],
            "reply_excludes": ["zzz-not-there"], "liked": liked, "liked_include": liked[:1],
            "liked_exclude": other}
    bad = {"picks_subset_of": other, "first_pick_in": other, "picks_include_any": other, "picks_exclude": picks[:1],
           "n_picks": len(picks) + 1, "min_picks": len(picks) + 1, "max_picks": len(picks) - 1,
           "where": {"kind_in": ["product"]}, "reply_lang": "zh", "reply_mentions_any": ["zzz-not-there"],
           "reply_excludes": [reply[:12]], "liked": liked + other, "liked_include": other,
           "disliked_include": liked[:1], "liked_exclude": liked[:1]}
    suite = write_suite(tmp_path / "both.yaml", [
        {"id": "good", "catalog": "movies", "lang": "en", "turns": [{"user": OPENING, "expect": good},
                                                                   {"user": OPENING, "expect": {"no_repeat": True}}]},
        {"id": "bad", "catalog": "movies", "lang": "zh", "turns": [{"user": OPENING, "expect": bad}]}])
    code, summary, _ = run_cli(cli, capsys, "--suite", str(suite), "--json")
    assert code == 0 and list(summary) == SUMMARY_FIELDS
    assert summary["by_lang"]["en"] == {"checks": len(good) + 1, "passed": len(good) + 1}, summary["failures"]
    assert summary["by_lang"]["zh"] == {"checks": len(bad), "passed": 0}
    assert {f["check"] for f in summary["failures"]} == set(bad)
    assert all(set(f) == FAILURE_FIELDS and (f["conversation"], f["turn"]) == ("bad", 1) for f in summary["failures"])
    assert summary["conversations"] == 2 and summary["turns"] == 3 and summary["llm"] == "none"
    assert summary["picker_sources"]["ranker"] >= 2 and summary["first_cards_ms_p95"] > 0
    assert summary["pass_rate"] == round(summary["passed"] / summary["checks"], 4)


def test_limit_lang_and_the_human_report(cli, capsys, tmp_path):
    suite = write_suite(tmp_path / "two.yaml", [
        {"id": "en-1", "catalog": "movies", "lang": "en", "turns": [{"user": OPENING, "expect": {"min_picks": 1}}]},
        {"id": "zh-1", "catalog": "movies", "lang": "zh",
         "turns": [{"user": "推荐几部科幻片", "expect": {"max_picks": 0}}]},
        {"id": "zh-2", "catalog": "products", "lang": "zh", "turns": [{"user": "想买耳机", "expect": {"reply_lang": "zh"}}]}])
    code, summary, _ = run_cli(cli, capsys, "--suite", str(suite), "--lang", "zh", "--limit", "1")
    assert code == 0 and summary["conversations"] == 1 and set(summary["by_lang"]) == {"zh"}
    assert summary["failures"][0]["conversation"] == "zh-1" and summary["failures"][0]["check"] == "max_picks"
    code = cli(["eval-dialogues", "--suite", str(suite), "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 0 and "FAIL zh-1 turn 1 [max_picks]" in out and out.strip().splitlines()[-1].startswith("{")
    assert "ms: zh-1 turn 1 '推荐几部科幻片'" in out  # the slowest turns are named
