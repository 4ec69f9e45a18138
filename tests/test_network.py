"""The ranker's non-linear part: numpy networks match torch, are wired into the ranker's score, and
the fit learns what a linear score cannot (evidence whose worth depends on the context)."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.evaluation import tuning
from chatbot.ranking import signals
from chatbot.ranking.network import Layer, Network, forward, from_torch
from chatbot.ranking.ranker import Ranker, Scorer, Weights
from chatbot.ranking.request import RankRequest
from chatbot.store import open_index
from ranking_fixtures import MOVIES

torch = pytest.importorskip("torch")


def test_numpy_forward_matches_torch_and_follows_signal_names():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    x = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    expected = net(torch.from_numpy(x)).detach().numpy()[:, 0]
    stored = Network.model_validate_json(from_torch(net, ["a", "b", "c"], digits=7).model_dump_json())
    assert forward(stored.compile(["a", "b", "c"]), x) == pytest.approx(expected, abs=1e-4)
    # columns in another order, plus a signal the network never saw: same scores
    reordered = np.concatenate([x[:, [2, 0, 1]], np.full((7, 1), 9.0, dtype=np.float32)], axis=1)
    assert forward(stored.compile(["c", "a", "b", "new"]), reordered) == pytest.approx(expected, abs=1e-4)


def _gate(on: str, when: str, big: float = 500.0) -> Network:
    """Adds `big` x signal `on` only while context flag `when` is 0: relu(on - when) * big."""
    return Network(inputs=[on, when], layers=[Layer(weight=[[1.0], [-1.0]], bias=[0.0]),
                                              Layer(weight=[[big]], bias=[0.0])])


def test_ranker_adds_the_networks_mean_to_the_linear_score(settings, fake_embedder):
    index = open_index(settings, "network-test", fake_embedder)
    index.sync(MOVIES, progress=False)
    linear = {name: 0.0 for name in signals.SIGNALS}
    linear["text_sim"] = 1.0
    plain = Ranker(index, MOVIES, weights=Weights(weights=linear))
    gated = Ranker(index, MOVIES, weights=Weights(weights=linear, deep=[_gate("pop_item", "ctx_has_items")] * 2))
    cold = RankRequest(query_text="a haunted horror movie")
    warm = cold.model_copy(update={"liked_ids": ["3"]})
    most_popular = max(MOVIES, key=lambda m: m.popularity or 0).id
    cand, feats = gated.features(cold)
    assert gated.scores(feats) == pytest.approx(plain.scores(feats) + 500.0 * feats[:, signals.INDEX["pop_item"]],
                                                abs=1e-3)
    assert gated.rank(cold, k=1)[0].item.id == most_popular  # no item named yet: popularity rules
    assert [c.item.id for c in gated.rank(warm, k=3)] == [c.item.id for c in plain.rank(warm, k=3)]


def _synthetic(turns: int, seed: int) -> tuning.FitData:
    """Turns of 40 candidates: the label has the best 'text_sim' in cold turns and the best
    'liked_max' in warm ones (ctx_has_items), the other signal being noise: a linear score cannot
    follow both."""
    rng = np.random.default_rng(seed)
    data = tuning.FitData(keep=40, sample=0, seed=seed)
    a, b, ctx = signals.INDEX["text_sim"], signals.INDEX["liked_max"], signals.INDEX["ctx_has_items"]
    nothing = np.array([], dtype=np.int64)
    for t in range(turns):
        feats = np.zeros((40, len(signals.SIGNALS)), dtype=np.float32)
        feats[:, a] = rng.normal(size=40)
        feats[:, b] = rng.normal(size=40)
        warm = t % 2
        feats[:, ctx] = warm
        feats[:, signals.INDEX["year_close"]] = 0.5  # never varies (and pop_item is always 0)
        label = int(np.argmax(feats[:, b] if warm else feats[:, a]))
        data.add(feats, np.array([label]), np.zeros(len(signals.SIGNALS), dtype=np.float32), nothing)
    return data


def _top1(weights: Weights, data: tuning.FitData) -> float:
    score = Scorer(weights)
    hits = [int(np.argmax(score(block))) in set(labels.tolist()) for block, labels in zip(data.blocks, data.labels)]
    return float(np.mean(hits))


def test_fit_learns_context_dependent_evidence_a_linear_fit_cannot():
    train, test = _synthetic(400, seed=1), _synthetic(200, seed=2)
    start = np.zeros(len(signals.SIGNALS), dtype=np.float32)
    linear = tuning.fit(train, start=start)
    w, networks = tuning.fit_deep(train, start=linear, seeds=2, epochs=30)
    assert len(networks) == 2 and networks[0].inputs == list(signals.SIGNALS)
    linear_top1 = _top1(Weights(weights=dict(zip(signals.SIGNALS, map(float, linear)))), test)
    deep_top1 = _top1(Weights(weights=dict(zip(signals.SIGNALS, map(float, w))), deep=networks), test)
    assert deep_top1 > linear_top1 + 0.2, (linear_top1, deep_top1)
    # signals that never varied in training have no say: a catalog where they do vary gets the same scores
    block = test.blocks[0]
    varied = block.copy()
    varied[:, signals.INDEX["pop_item"]] = np.linspace(0, 1, len(block))
    varied[:, signals.INDEX["year_close"]] = np.linspace(1, 0, len(block))
    for net in networks:
        compiled = net.compile(signals.SIGNALS)
        assert forward(compiled, varied) == pytest.approx(forward(compiled, block), abs=1e-4)


def test_ranker_bench_times_the_full_ranker_beside_the_linear_part(settings, fake_embedder):
    from chatbot.benchmarks.ranker import _time_models
    from chatbot.ranking.dialog_context import DialogReader
    from chatbot.evaluation.redial import to_eval_turns
    from ranking_fixtures import DIALOGS

    index = open_index(settings, "network-bench", fake_embedder)
    index.sync(MOVIES, progress=False)
    shipped = Weights(weights={"text_sim": 1.0}, deep=[_gate("pop_item", "ctx_has_items")])
    ranker = Ranker(index, MOVIES, weights=shipped)
    reader = DialogReader(MOVIES)
    result = _time_models(ranker, reader, to_eval_turns(DIALOGS, reader))
    assert result["turns"] == result["linear_only"]["turns"] == len(DIALOGS)
    assert {"ms_p50", "ms_p95"} <= set(result) and {"ms_p50", "ms_p95"} <= set(result["linear_only"])
    assert ranker.weights is shipped and ranker.scores.networks  # the shipped model is back
