"""The ranker: dialogue reading, signals, scoring, reasons, constraints, the large-catalog path."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.filters import Constraints
from chatbot.ranking import signals
from chatbot.ranking.collaborative import CollabModel, learn
from chatbot.ranking.dialog_context import DialogReader, find_titles
from chatbot.ranking.interactions import Interaction
from chatbot.ranking.ranker import Ranker, Weights, load_weights
from chatbot.ranking.request import RankRequest
from chatbot.store import open_index
from ranking_fixtures import MOVIES


@pytest.fixture
def index(settings, fake_embedder):
    idx = open_index(settings, "ranker-test", fake_embedder)
    idx.sync(MOVIES, progress=False)
    return idx


def content_weights() -> Weights:
    w = {name: 0.0 for name in signals.SIGNALS}
    w.update(text_sim=0.5, liked_max=1.0, genre_match=2.0, cf_ratings_liked=30.0, person_match=1.0,
             is_liked=-50.0, is_disliked=-50.0, disliked_max=-0.5)
    return Weights(weights=w)


def ids(candidates):
    return [c.item.id for c in candidates]


def test_reader_sorts_liked_disliked_mentioned_and_recommended():
    reader = DialogReader(MOVIES)
    request = reader.read(["", "Hi! Have you seen It Follows (2014) ?",
                           "I loved The Babadook (2014). I hated Superbad (2007). I haven't seen Die Hard (1988). "
                           "Something scary from the 80s with Jack Nicholson?"])
    assert request.liked_ids == ["3"]
    assert request.disliked_ids == ["5"]
    assert request.mentioned_ids == ["8"]
    assert request.recommended_ids == ["2"]
    assert "horror" in request.genres
    assert "Jack Nicholson" in request.seeker_text and "Have you seen" not in request.seeker_text
    assert signals.ItemTable(MOVIES, CollabModel()).people_asked(request) == ["Jack Nicholson"]
    assert (request.year_min, request.year_max) == (1980, 1989)
    assert "Something scary" in request.query_text
    assert request.utterances == 3


def test_reader_marks_suggestions_the_seeker_turned_down():
    reader = DialogReader(MOVIES)
    request = reader.read(["", "Have you seen It Follows (2014) ?", "No, I saw it already", "How about Get Out (2017) ?",
                           "Sounds good, something new please"])
    assert request.rejected_ids == ["2"]
    assert request.recommended_ids == ["2", "4"]
    assert request.wants_recent


def test_find_titles_is_exact_and_keeps_order():
    table = {"Get Out (2017)": "4", "It (2017)": "x", "Die Hard (1988)": "8"}
    assert find_titles("Loved Get Out (2017), and Die Hard (1988)!", table) == ["4", "8"]
    assert find_titles("get out (2017)", table) == []  # exact names only


def test_liked_item_neighbours_rank_first_with_reasons(index):
    ranker = Ranker(index, MOVIES, weights=content_weights())
    request = RankRequest(query_text="a haunted horror movie", liked_ids=["3"], genres=["horror"])
    top = ranker.rank(request, k=3)
    assert set(ids(top)) <= {"1", "2", "4"}
    assert "3" not in ids(top)  # the liked item itself is pushed down by the learned-style weight
    kinds = {r.kind for c in top for r in c.reasons}
    assert {"liked_similar", "genre"} <= kinds
    liked = [r for c in top for r in c.reasons if r.kind == "liked_similar"]
    assert all(r.detail == "3" for r in liked)
    assert all(c.signals for c in top)
    assert not any(k.startswith("ctx_") for c in top for k in c.signals)  # the request's context is not the item's


def test_constraints_and_exclusions_are_hard(index):
    ranker = Ranker(index, MOVIES, weights=content_weights())
    request = RankRequest(query_text="haunted", liked_ids=["3"], exclude_ids=["1", "2"],
                          constraints=Constraints(year_min=2015))
    got = ids(ranker.rank(request, k=20))
    assert got and "1" not in got and "2" not in got
    assert all(next(m for m in MOVIES if m.id == i).year >= 2015 for i in got)


def test_catalog_without_interaction_data_ranks_on_content(index):
    ranker = Ranker(index, MOVIES, collab=CollabModel(), weights=load_weights())
    assert not ranker.table.pop_source["ratings"].any()
    top = ranker.rank(RankRequest(query_text="funny party comedy", genres=["comedy"], liked_ids=["5"]), k=3)
    assert len(top) == 3 and "comedy" in top[0].item.genres
    assert all(np.isfinite(c.score) and c.reasons for c in top)
    assert not any(k.startswith(("cf_", "pop_ratings", "pop_dialogue")) for c in top for k in c.signals)


def test_collaborative_signal_and_reason(index):
    rows = [Interaction(user_id=f"u{n}", item_id=i, rating=4.0) for n in range(5) for i in ("10", "12")]
    rows += [Interaction(user_id="u9", item_id="11", rating=4.0)]
    ranker = Ranker(index, MOVIES, collab=learn(rows, MOVIES), weights=content_weights())
    top = ranker.rank(RankRequest(liked_ids=["10"]), k=1)[0]
    assert top.item.id == "12"  # content says La La Land; the interaction data says Moana
    assert top.reasons[0].kind == "collaborative" and top.reasons[0].detail == "10"


def test_large_catalog_path_matches_dense_scoring(index):
    dense = Ranker(index, MOVIES, weights=content_weights())
    generated = Ranker(index, MOVIES, weights=content_weights(), dense_limit=0)
    assert not generated.dense
    request = RankRequest(query_text="love story", liked_ids=["10"], genres=["romance"],
                          constraints=Constraints(genres_exclude=["musical"]))
    top_dense = [(c.item.id, c.score) for c in dense.rank(request, k=3)]
    top_gen = [(c.item.id, c.score) for c in generated.rank(request, k=3)]
    assert top_gen == top_dense
    assert "11" not in ids(generated.rank(request, k=12))


def test_signal_matrix_values():
    table = signals.ItemTable(MOVIES, CollabModel())
    request = RankRequest(genres=["horror", "comedy"], people=["Keanu Reeves"], year_min=2010, year_max=2015,
                          liked_ids=["2"], wants_recent=True)
    cand = np.arange(len(MOVIES))
    vectors = np.eye(len(MOVIES), 8, dtype=np.float32)
    feats = signals.compute(table, request, cand, vectors, None, {"2": vectors[1]})
    col = {name: feats[:, signals.INDEX[name]] for name in signals.SIGNALS}
    assert col["genre_match"][0] == 0.5 and col["genre_match"][7] == 0.0  # The Shining: horror of (horror, comedy)
    assert col["person_match"][8] == 1.0 and col["person_match"].sum() == 1.0
    assert col["era_match"][8] == 1.0 and col["era_match"][0] == 0.0
    assert col["recent_match"][3] == 1.0 and col["recent_match"][0] == 0.0  # newest year is 2017
    assert col["is_liked"][1] == 1.0 and col["liked_max"][1] == pytest.approx(1.0)
    assert col["age_0_0"][3] == 1.0 and col["age_29_10000"][0] == 1.0


def test_genre_match_ignores_genres_the_catalog_lacks_and_cold_signals_only_when_cold():
    table = signals.ItemTable(MOVIES, CollabModel())
    cand = np.arange(len(MOVIES))
    vectors = np.eye(len(MOVIES), 8, dtype=np.float32)
    cold = signals.compute(table, RankRequest(genres=["horror", "wearables"]), cand, vectors, None, {})
    col = {name: cold[:, signals.INDEX[name]] for name in signals.SIGNALS}
    assert col["genre_match"][0] == 1.0  # "wearables" (from "watch") is no movie genre: it does not dilute
    assert np.array_equal(col["cold_genre_match"], col["genre_match"])
    warm = signals.compute(table, RankRequest(genres=["horror"], liked_ids=["2"]), cand, vectors, None,
                           {"2": vectors[1]})
    for name in ("cold_text_sim", "cold_genre_match", "cold_top", "cold_genre_top"):
        assert not warm[:, signals.INDEX[name]].any()


def test_cosine_cache_gives_the_same_signals(index):
    ranker = Ranker(index, MOVIES, weights=content_weights())
    request = RankRequest(query_text="haunted house", seeker_text="I want something with Jack Nicholson",
                          liked_ids=["3"], mentioned_ids=["8"], recommended_ids=["2"], rejected_ids=["2"])
    _, first = ranker.features(request)
    _, again = ranker.features(request)  # from the cache
    ranker._cosines.clear()
    plain = signals.compute(ranker.table, request, np.arange(len(MOVIES)), ranker._vectors,
                            ranker.embed_query(request.query_text),
                            {i: ranker._vectors[ranker.table.pos[i]] for i in ("3", "8", "2")},
                            ranker._vectors[ranker._ref], ranker.embed_query(request.seeker_text))
    assert np.allclose(first, again) and np.allclose(first, plain, atol=1e-5)
    col = {name: first[:, signals.INDEX[name]] for name in signals.SIGNALS}
    assert col["person_match"][0] == 1.0 and col["rejected_max"].any() and col["seeker_sim"].any()
