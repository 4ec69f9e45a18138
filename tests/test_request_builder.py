"""One ranking request for the chat and the evaluation: the builder's cues, and the chat's path through
the parser fills every signal the shipped weights use."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.dialogue.parser import parse_message
from chatbot.dialogue.state import DialogueState
from chatbot.dialogue.titles import TitleMatcher
from chatbot.filters import Constraints
from chatbot.ranking import signals
from chatbot.ranking.collaborative import learn
from chatbot.ranking.interactions import Interaction
from chatbot.ranking.ranker import PRIOR_SIGNALS, Ranker, load_weights
from chatbot.ranking.request_builder import ConversationFacts, build_request, era_of, wants_recent
from chatbot.store import open_index
from ranking_fixtures import MOVIES


def test_cues_in_english_and_chinese():
    assert era_of(["anything from the 80s"]) == (1980, 1989)
    assert era_of(["80年代的喜剧"]) == (1980, 1989)
    assert era_of(["an old classic"]) == (None, 1995)
    assert era_of(["a 90s one", "no, 80s"]) == (1980, 1989)  # the latest wins
    assert wants_recent(["something new"]) and wants_recent(["最新的电影"]) and not wants_recent(["a funny one"])


def test_builder_keeps_roles_apart_and_resolved_eras_win():
    request = build_request(ConversationFacts(
        liked=["1", "1", "2"], disliked=["2", "3"], mentioned=["1", "3", "4"], rejected=["1", "5"],
        seeker_words=["from the 90s", "Jack Nicholson"], year_min=2000, year_max=2009,
        constraints=Constraints(year_min=2000), exclude=["9", "9"], query_words=["a", "b"]))
    assert request.liked_ids == ["1", "2"] and request.disliked_ids == ["3"] and request.mentioned_ids == ["4"]
    assert request.rejected_ids == ["5"] and request.exclude_ids == ["9"]
    assert (request.year_min, request.year_max) == (2000, 2009)
    assert request.query_text == "a b" and "Jack Nicholson" in request.seeker_text


@pytest.fixture
def ranker(settings, fake_embedder):
    index = open_index(settings, "builder-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    rows = [Interaction(user_id=f"u{n}", item_id=i, rating=4.0) for n in range(6) for i in ("1", "2", "4", "9")]
    rows += [Interaction(user_id=f"d{n}", item_id=i, rating=1.0, source="dialogue")
             for n in range(6) for i in ("1", "2", "4", "11")]
    return Ranker(index, MOVIES, collab=learn(rows, MOVIES), weights=load_weights())


def _chat_requests(ranker):
    """Scripted conversations through the chat's parser, state and manager: two cold starts, a warm one."""
    from chatbot.dialogue.manager import DialogueManager

    titles = TitleMatcher(MOVIES)
    manager = DialogueManager.__new__(DialogueManager)  # `_request` reads nothing of the manager itself
    requests = []
    for script in (["Something new with Ryan Gosling please, a romance"], ["a horror from the 80s"],
                   ["I loved The Shining and It Follows. I hated Superbad. I haven't seen Die Hard. "
                    "What should I watch next?", "something else please"]):
        state = DialogueState()
        for message in script:
            parsed = parse_message(message, titles, state.parse_context())
            state.apply(parsed)
            seen = [*state.shown_ids, *state.liked_ids, *state.disliked_ids, *state.mentioned_ids]
            request = manager._request(state, parsed, exclude=seen)
            requests.append(request)
            state.record_shown([c.item.id for c in ranker.rank(request, k=2)])
    return requests


def test_the_chat_fills_every_signal_the_weights_use(ranker):
    weights = ranker.weights.weights
    used = {name for name, w in weights.items() if w and name not in PRIOR_SIGNALS and not name.startswith("ctx_")}
    filled: set[str] = set()
    for request in _chat_requests(ranker):
        # the chat never shows what was named (exclude_ids); the flags for those items are scored without it
        _, feats = ranker.features(request.model_copy(update={"exclude_ids": []}))
        filled |= {name for name in signals.SIGNALS if np.any(feats[:, signals.INDEX[name]])}
    assert used - filled == set()
    assert {"person_match", "recent_match", "era_match", "rejected_max", "seeker_sim"} <= filled
