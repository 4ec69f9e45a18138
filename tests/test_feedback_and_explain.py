"""Card feedback, cards in another language and the decision panel's reasons, through the real chat
service (real catalog, real embedder, real Chroma, the shipped ranker weights)."""

from __future__ import annotations

import pytest
from app_support import app_settings

from chatbot.dialogue.explain_trace import KIND_OF, contributions, kind_of
from chatbot.dialogue.state import DialogueState
from chatbot.ranking import signals
from chatbot.ranking.request import RankRequest
from chatbot.service import ChatService

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    service = ChatService(app_settings(tmp_path_factory.mktemp("feedback")))
    service.warm_up()
    return service


def final(service: ChatService, session, message: str):
    return [u for u in service.respond(session, message) if u.done][-1]


def test_each_button_changes_the_state_as_its_words_would():
    state = DialogueState(mentioned_ids=["a"], disliked_ids=["b"])
    state.feedback("a", "like")
    state.feedback("b", "like")
    assert state.liked_ids == ["a", "b"] and state.disliked_ids == [] and state.mentioned_ids == []
    state.feedback("a", "dislike")
    assert state.liked_ids == ["b"] and state.disliked_ids == ["a"]
    state.feedback("c", "seen")
    state.feedback("d", "not_interested")
    assert state.mentioned_ids == ["c"] and "d" not in state.disliked_ids + state.liked_ids + state.mentioned_ids
    assert {"a", "b", "c", "d"} <= set(state.shown_ids), "nothing that got feedback is suggested again"
    assert state.card_feedback == {"a": "dislike", "b": "like", "c": "seen", "d": "not_interested"}
    state.reset()
    assert state.card_feedback == {}


def test_feedback_shapes_the_next_turn_and_shows_in_its_trace(service):
    session = service.new_session("movies", "en")
    first = final(service, session, "Grand science fiction please")
    liked, hidden = first.cards[0], first.cards[1]
    assert service.feedback(session, liked.item_id, "like")
    assert service.feedback(session, hidden.item_id, "not_interested")
    assert not service.feedback(session, "no-such-item", "like"), "only cards on screen take feedback"
    more = final(service, session, "Show me more")
    assert {liked.item_id, hidden.item_id}.isdisjoint(c.item_id for c in more.cards)
    assert liked.title in more.trace.liked and more.trace.feedback[liked.title] == "like"
    assert more.trace.feedback[hidden.title] == "not_interested"
    anchored = [c for cand in more.trace.candidates for c in cand.contributions if c.anchor_titles]
    assert anchored and all(c.anchor_titles["en"] == liked.title for c in anchored), \
        "“similar to X, which you liked” names only the liked item"


def test_contributions_add_up_the_linear_score_by_kind(service):
    session = service.new_session("movies", "en")
    update = final(service, session, "I loved Interstellar, something like it")
    engine = service.engines.get("movies")
    weights = engine.ranker.weights.weights
    request_liked = session.state.liked_ids
    assert request_liked
    for cand in update.trace.candidates:
        assert cand.contributions, "every candidate has reasons in words"
        for c in cand.contributions:
            assert c.kind in set(KIND_OF.values()) | {"recency"}
    ranked = engine.ranker.rank(RankRequest(query_text="space", liked_ids=request_liked), k=3)
    for cand in ranked:
        parts = contributions(cand, weights, engine.items, request_liked)
        by_kind: dict[str, float] = {}
        for name, value in cand.signals.items():
            if kind_of(name):
                by_kind[kind_of(name)] = by_kind.get(kind_of(name), 0.0) + weights.get(name, 0.0) * value
        for c in parts:
            assert c.value == pytest.approx(by_kind[c.kind], abs=1e-3)
    assert all(kind_of(name) or name.startswith("ctx_") for name in signals.SIGNALS), \
        "every signal about the item belongs to a kind of reason"


def test_cards_come_back_in_the_other_language(service):
    session = service.new_session("movies", "en")
    update = final(service, session, "I loved Interstellar")
    english = [c.title for c in update.cards]
    chinese = service.cards_in(session, "zh")
    engine = service.engines.get("movies")
    assert [c.item_id for c in chinese] == [c.item_id for c in update.cards]
    assert [c.title for c in chinese] == [engine.items[c.item_id].display_title("zh") for c in chinese] != english
    assert session.cards == chinese


def test_the_kind_of_a_catalog_comes_from_the_service(service):
    assert service.catalog_kind("movies") == "movie" and service.catalog_kind("products") == "product"
