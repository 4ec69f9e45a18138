"""The eval harness: metrics on hand-made cases, the `eval` command end to end, the real data (few turns)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chatbot.evaluation import tuning
from chatbot.ranking import signals
from chatbot.ranking.collaborative import CollabModel
from chatbot.ranking.dialog_context import DialogReader
from chatbot.evaluation.redial import Tally, evaluate, score_turns, to_eval_turns
from chatbot.ranking.ranker import Ranker, Weights
from chatbot.store import open_index
from conftest import shared_data
from chatbot.ranking.request import RankRequest
from ranking_fixtures import DIALOGS, MOVIES, turn, write_dialogs, write_redial_catalog

KEYS = {"recall@1", "recall@10", "recall@50", "ndcg@10", "turns", "labels", "seconds"}


def test_tally_counts_labels_not_turns():
    tally = Tally()
    tally.add([5, 7, 9], [7, 42], 2)  # one hit at rank 2, one miss
    tally.add([1, 2, 3], [1], 2)  # a hit at rank 1; one label not in the catalog
    result = tally.result()
    assert result["recall@1"] == pytest.approx(1 / 4)
    assert result["recall@10"] == pytest.approx(2 / 4)
    assert result["labels"] == 4 and result["turns"] == 2
    first = (1 / np.log2(3)) / (1 + 1 / np.log2(3))
    second = 1.0 / (1 + 1 / np.log2(3))
    assert result["ndcg@10"] == pytest.approx((first + second) / 2, abs=1e-4)


def test_repeated_labels_count_twice():
    tally = Tally()
    tally.add([3], [3, 3], 2)
    assert tally.result()["recall@1"] == 1.0


def test_turns_keep_labels_and_never_pass_rec_to_the_reader():
    reader = DialogReader(MOVIES)
    turns = to_eval_turns(DIALOGS, reader)
    assert [t.labels for t in turns][0] == ["2", "4"]
    assert turns[-1].unmatched == 1
    assert not hasattr(turns[0], "rec") and not hasattr(turns[0], "resp")


def test_evaluate_gives_baselines_and_signals(settings, fake_embedder):
    index = open_index(settings, "eval-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    weights = {name: 0.0 for name in signals.SIGNALS}
    weights.update(liked_max=1.0, genre_match=1.0, person_match=1.0, is_liked=-3.0)
    ranker = Ranker(index, MOVIES, collab=CollabModel(), weights=Weights(weights=weights))
    reader = DialogReader(MOVIES)
    result = evaluate(ranker, reader, to_eval_turns(DIALOGS, reader), baselines=["popularity", "random"],
                      per_signal=True)
    assert KEYS <= set(result)
    assert result["labels"] == 7 and result["turns"] == 5
    assert set(result["baselines"]) == {"popularity", "random"}
    assert "text_sim" in result["signals"]
    assert result["recall@50"] == pytest.approx(6 / 7, abs=1e-4)  # every label in the catalog is in a 12-item top 50
    # popularity baseline: the catalog's own popularity field; Die Hard (70) first, Get Out (60) second
    assert result["baselines"]["popularity"]["recall@1"] == 0.0


def _cli(monkeypatch, settings, embedder, argv):
    pytest.importorskip("chatbot.loaders")
    import chatbot.config
    import chatbot.embedders
    from chatbot.cli import main

    monkeypatch.setattr(chatbot.config, "get_settings", lambda: settings)
    monkeypatch.setattr(chatbot.embedders, "get_embedder", lambda _settings: embedder)
    return main(argv)


def test_eval_command_prints_one_json_object(tmp_path, monkeypatch, capsys, settings, fake_embedder):
    catalog = write_redial_catalog(tmp_path / "id2info.json")
    dialogs = write_dialogs(tmp_path / "dialogs.jsonl")
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--baseline", "popularity",
                 "--baseline", "random", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert KEYS <= set(result) and set(result["baselines"]) == {"popularity", "random"}
    assert result["turns"] == 5 and result["labels"] == 7
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--limit", "2", "--json"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["turns"] == 2


def test_eval_command_cross_validates_and_saves_weights(tmp_path, monkeypatch, capsys, settings, fake_embedder):
    catalog = write_redial_catalog(tmp_path / "id2info.json")
    rows = [dict(d, dialog_id=f"{d['dialog_id']}-{n}") for n in range(4) for d in DIALOGS]
    dialogs = write_dialogs(tmp_path / "dialogs.jsonl", rows)
    out = tmp_path / "weights.json"
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--cv", "2", "--save-weights",
                 str(out), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["cv"]["folds"] == 2 and result["turns"] == len(rows)
    saved = json.loads(out.read_text())
    assert set(saved["weights"]) == set(signals.SIGNALS) and saved["meta"]["seed"] == 0
    assert len(saved["deep"]) == tuning.SEEDS and saved["meta"]["model"] == "deep"
    assert Ranker(open_index(settings, "saved-weights", fake_embedder), MOVIES,
                  weights=Weights.model_validate(saved)).scores.networks  # the ranker loads and uses them
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--model", "linear", "--save-weights",
                 str(out), "--json"])
    assert code == 0 and json.loads(out.read_text())["deep"] == []


def test_eval_on_real_redial_few_turns(tmp_path, monkeypatch, capsys, settings, fake_embedder):
    catalog = shared_data("redial", "id2info.json")
    dialogs = shared_data("redial", "valid_data_processed.jsonl")
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--limit", "20",
                 "--baseline", "popularity", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["turns"] == 20 and result["labels"] >= 20 and result["items"] > 6000
    assert 0.0 <= result["recall@1"] <= result["recall@10"] <= result["recall@50"] <= 1.0


def test_dedup_drops_labels_named_earlier_and_never_ranks_named_items(settings, fake_embedder):
    rows = [turn("d9", 4, ["", "Have you seen It Follows (2014) ?", "I loved The Babadook (2014)"],
                 ["It Follows (2014)", "Get Out (2017)"]),
            turn("d9", 6, ["", "Have you seen It Follows (2014) ?", "I loved The Babadook (2014)"],
                 ["It Follows (2014)"])]
    reader = DialogReader(MOVIES)
    turns = to_eval_turns(rows, reader)
    assert [t.novel for t in turns] == [["4"], []]
    index = open_index(settings, "dedup-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    weights = {name: 0.0 for name in signals.SIGNALS}
    weights.update(is_recommended=10.0, liked_max=1.0)  # the suggested item first, if it may be ranked
    ranker = Ranker(index, MOVIES, collab=CollabModel(), weights=Weights(weights=weights))
    result = evaluate(ranker, reader, turns, protocols=["all", "dedup"], baselines=["random"])
    assert result["protocol"] == "all" and result["labels"] == 3 and result["recall@1"] == pytest.approx(2 / 3, abs=1e-4)
    dedup = result["protocols"]["dedup"]
    assert dedup["turns"] == 1 and dedup["labels"] == 1  # the second turn has no novel label
    assert set(dedup["baselines"]) == {"random"}
    scores = score_turns(ranker, reader, turns[:1], protocols=["dedup"])
    assert scores.tally("main", "ranker", "dedup").result()["recall@50"] == 1.0


def test_eval_compares_lambdarank_in_the_same_run_and_ships_it(tmp_path, monkeypatch, capsys, settings,
                                                               fake_embedder):
    catalog = write_redial_catalog(tmp_path / "id2info.json")
    rows = [dict(d, dialog_id=f"{d['dialog_id']}-{n}") for n in range(4) for d in DIALOGS]
    dialogs = write_dialogs(tmp_path / "dialogs.jsonl", rows)
    out = tmp_path / "weights.json"
    code = _cli(monkeypatch, settings, fake_embedder,
                ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--cv", "2", "--model", "lambdarank",
                 "--model", "linear", "--model", "linear-without-new", "--model", "lambdarank:dedup",
                 "--protocol", "all", "--protocol", "dedup",
                 "--save-weights", str(out), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["cv"]["models"] == ["lambdarank", "linear", "linear-without-new", "lambdarank:dedup"]
    for protocol in ("all", "dedup"):
        assert set(result["protocols"][protocol]["models"]) == {"linear", "linear-without-new", "lambdarank:dedup"}
    saved = Weights.model_validate(json.loads(out.read_text()))
    assert saved.booster and saved.meta["model"] == "lambdarank"
    assert json.loads((tmp_path / "weights-linear-without-new.json").read_text())["weights"]["seeker_sim"] == 0.0
    ranker = Ranker(open_index(settings, "saved-trees", fake_embedder), MOVIES, weights=saved)
    assert ranker.scores.trees is not None and len(ranker.rank(RankRequest(liked_ids=["3"]), k=3)) == 3
    assert _cli(monkeypatch, settings, fake_embedder, ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs),
                                                       "--model", "deep-without-svd", "--json"]) == 2


def test_rerank_by_a_model_is_scored_beside_the_ranker_on_the_same_turns(settings, fake_embedder):
    from llm_fakes import FakeChatModel, pick_json

    from chatbot.evaluation.rerank import rerank_turns

    index = open_index(settings, "rerank-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    weights = {name: 0.0 for name in signals.SIGNALS}
    weights.update(liked_max=1.0, genre_match=1.0, is_liked=-3.0)
    ranker = Ranker(index, MOVIES, collab=CollabModel(), weights=Weights(weights=weights))
    reader = DialogReader(MOVIES)
    turns = to_eval_turns(DIALOGS, reader)[:1]
    ranked = [c.item.id for c in ranker.rank(reader.read(turns[0].context), k=10)]
    label = turns[0].labels[0]
    assert label in ranked, "the label is among the ranker's top 10 in this fixture"

    class Oracle(FakeChatModel):  # answers with the label's short id, whatever the prompt
        def answer_for(self, messages):
            prompt = str(messages[-1].content)
            line = next(line for line in prompt.splitlines() if MOVIES_BY_ID[label].title in line)
            return pick_json([(line[1], "A moving, grand story.")])

    MOVIES_BY_ID = {m.id: m for m in MOVIES}
    result = rerank_turns(ranker, reader, turns, Oracle())
    assert result["ranker_then_llm"]["turns"] == result["ranker"]["turns"] == 1
    assert result["ranker_then_llm"]["recall@10"] == result["ranker"]["recall@10"], "only the top 10 is reordered"
    assert result["ranker_then_llm"]["ndcg@10"] >= result["ranker"]["ndcg@10"]
    assert result["ranker_then_llm"]["recall@1"] > 0 and result["model_failures"] == 0
    assert result["turns_reordered"] == int(ranked[0] != label)


def test_train_share_keeps_nested_dialogues_and_scores_the_same_test_turns(tmp_path, monkeypatch, capsys, settings,
                                                                          fake_embedder):
    fold_of = {f"d{n}": n % 5 for n in range(200)}
    quarter, half = tuning.kept_dialogs(fold_of, 0.25, 0), tuning.kept_dialogs(fold_of, 0.5, 0)
    assert len(quarter) == 50 and len(half) == 100 and quarter < half
    assert tuning.kept_dialogs(fold_of, 1.0, 0) == set(fold_of)
    catalog = write_redial_catalog(tmp_path / "id2info.json")
    rows = [dict(d, dialog_id=f"{d['dialog_id']}-{n}") for n in range(6) for d in DIALOGS]
    dialogs = write_dialogs(tmp_path / "dialogs.jsonl", rows)
    results = []
    for share in ("1", "0.5"):
        code = _cli(monkeypatch, settings, fake_embedder,
                    ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs), "--cv", "2", "--model", "linear",
                     "--train-share", share, "--json"])
        assert code == 0
        results.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert [r["cv"]["train_share"] for r in results] == [1.0, 0.5]
    assert results[0]["turns"] == results[1]["turns"] == len(rows)  # every test turn is scored either way
    assert _cli(monkeypatch, settings, fake_embedder, ["eval", "--catalog", str(catalog), "--dialogs", str(dialogs),
                                                        "--cv", "2", "--train-share", "0", "--json"]) == 2
