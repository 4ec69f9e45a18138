"""Interaction data: the CSV format, the MovieLens and ReDial importers, learning and storing beside the index."""

from __future__ import annotations

import json

import pytest

from chatbot.ranking import collaborative
from chatbot.ranking.dialog_context import DialogReader
from chatbot.ranking.interactions import (DIALOGUE_SOURCE, InteractionError, dialogue_interactions,
                                          import_movielens, read_interactions, read_many, write_interactions)
from chatbot.store import open_index
from ranking_fixtures import DIALOGS, MOVIES, write_dialogs, write_redial_catalog


def write_movielens(tmp_path):
    ratings = tmp_path / "ratings.csv"
    links = tmp_path / "links.csv"
    links.write_text("movieId,imdbId,tmdbId\n1,0081505,694\n2,3235888,270303\n3,2321549,242224\n"
                     "4,9999999,1\n5,0829482,8363\n", encoding="utf-8")
    ratings.write_text("userId,movieId,rating,timestamp\n"
                       "1,1,5.0,100\n1,2,4.0,101\n1,3,4.5,102\n2,1,4.0,103\n2,2,3.5,104\n"
                       "3,5,4.0,105\n3,4,2.0,106\n4,1,3.0,107\n", encoding="utf-8")
    return ratings, links


def test_movielens_import_joins_by_imdb_id(tmp_path):
    ratings, links = write_movielens(tmp_path)
    rows = import_movielens(ratings, links, MOVIES)
    assert len(rows) == 7  # movie 4 has no catalog match
    assert {r.item_id for r in rows} == {"1", "2", "3", "5"}
    assert rows[0].user_id == "ml:1" and rows[0].rating == 5.0 and rows[0].timestamp == 100


def test_csv_round_trip_and_errors(tmp_path):
    ratings, links = write_movielens(tmp_path)
    rows = import_movielens(ratings, links, MOVIES)
    out = write_interactions(rows, tmp_path / "i.csv")
    assert out == len(rows) and read_interactions(tmp_path / "i.csv") == rows
    (tmp_path / "min.csv").write_text("user_id,item_id\nu1,1\nu1,2\n", encoding="utf-8")
    minimal = read_interactions(tmp_path / "min.csv")
    assert minimal[0].rating == 1.0 and minimal[0].source == "ratings"
    assert len(read_many(f"{tmp_path / 'i.csv'},{tmp_path / 'min.csv'}")) == len(rows) + 2
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InteractionError):
        read_interactions(tmp_path / "bad.csv")
    with pytest.raises(InteractionError):
        read_interactions(tmp_path / "missing.csv")


def test_learning_neighbours_and_popularity(tmp_path):
    ratings, links = write_movielens(tmp_path)
    model = collaborative.learn(import_movielens(ratings, links, MOVIES), MOVIES)
    source = model.sources["ratings"]
    assert source.users == 4 and source.popularity["1"] == 3
    assert source.neighbours["1"][0][0] == "2"  # co-rated by two users, more than any other pair
    assert "4" not in source.popularity


def test_dialogue_import_reads_context_and_rec_only():
    rows = dialogue_interactions(DIALOGS, DialogReader(MOVIES).name_to_id)
    d1 = {r.item_id: r.rating for r in rows if r.user_id == "dialog:d1"}
    assert d1 == {"3": 0.5, "2": 1.0, "4": 1.0, "1": 1.0}
    assert all(r.source == DIALOGUE_SOURCE for r in rows)


def test_learned_model_is_stored_beside_the_index(tmp_path, settings, fake_embedder):
    ratings, links = write_movielens(tmp_path)
    path = tmp_path / "i.csv"
    write_interactions(import_movielens(ratings, links, MOVIES), path)
    index = open_index(settings, "interactions-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    assert collaborative.load(index).is_empty()  # no data: content only
    summary = collaborative.learn_and_store(index, MOVIES, str(path))
    assert summary["ratings"]["users"] == 4
    again = open_index(settings, "interactions-test", fake_embedder)
    assert collaborative.load(again).sources["ratings"].neighbours["1"][0][0] == "2"


def test_interactions_command(tmp_path, monkeypatch, capsys):
    pytest.importorskip("chatbot.loaders")
    from chatbot.cli import main

    catalog = write_redial_catalog(tmp_path / "id2info.json")
    ratings, links = write_movielens(tmp_path)
    out = tmp_path / "ml.csv"
    assert main(["interactions", "import-movielens", "--ratings", str(ratings), "--links", str(links),
                 "--catalog", str(catalog), "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 7
    dialogs = write_dialogs(tmp_path / "d.jsonl")
    assert main(["interactions", "import-dialogs", "--dialogs", str(dialogs), "--catalog", str(catalog),
                 "--out", str(tmp_path / "d.csv")]) == 0
    assert read_interactions(tmp_path / "d.csv")[0].source == DIALOGUE_SOURCE
