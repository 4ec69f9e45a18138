"""Learning the ranker's weights on dialogues, with cross-validation by dialogue.

The weights maximise the softmax likelihood of the labelled items among each turn's top
candidates: first the linear weights alone (L-BFGS, L2), then, on the candidates those weights
pick, the linear weights together with small ReLU networks over the same signals (torch, AdamW;
a few seeds, averaged). Signals that come from dialogue co-occurrence are computed out of fold:
a turn's "dialogue" interaction data never includes its own dialogue, and in cross-validation the
scored fold's dialogues are neither tuned on nor used as interaction data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize

from chatbot.evaluation import ltr
from chatbot.evaluation.redial import EvalTurn, Scores, score_turns
from chatbot.ranking import signals
from chatbot.ranking.collaborative import CollabModel, learn_source
from chatbot.ranking.dialog_context import DialogReader
from chatbot.ranking.interactions import DIALOGUE_SOURCE, Interaction, dialogue_interactions
from chatbot.ranking.network import Network, from_torch
from chatbot.ranking.ranker import Ranker, Scorer, Weights
from chatbot.ranking.request import RankRequest

log = logging.getLogger(__name__)

KEEP = 300  # per turn: this many best candidates by the current weights, and this many sampled from the rest
L2 = 1e-4
HIDDEN = 16  # units in each of the networks' two hidden layers
SEEDS = 5  # networks fitted from different random starts; the ranker adds their mean
EPOCHS = 20
BATCH = 64  # turns per step
LEARNING_RATE = 3e-3
DECAY = 1e-4
NEW_SIGNALS = ("seeker_sim", "rejected_max", *(f"svd_{s}_{a}" for s in signals.SOURCES for a in ("liked", "recent")))
DEDUP_SUFFIX = ":dedup"  # a model fitted on the dedup objective (novel labels, named items never ranked)
SIGNAL_GROUPS = {"seeker": ("seeker_sim",), "rejected": ("rejected_max",),
                 "svd": tuple(n for n in NEW_SIGNALS if n.startswith("svd_")), "new": NEW_SIGNALS}


def assign_folds(turns: Sequence[EvalTurn], folds: int, seed: int) -> dict[str, int]:
    dialogs = sorted({t.dialog_id for t in turns})
    order = np.random.default_rng(seed).permutation(len(dialogs))
    return {dialogs[i]: n % folds for n, i in enumerate(order)}


def kept_dialogs(fold_of: dict[str, int], share: float, seed: int) -> set[str]:
    """The first `share` of the dialogues in a seeded order (nested: a smaller share's are in a larger one's)."""
    dialogs = sorted(fold_of)
    order = np.random.default_rng(seed + 1).permutation(len(dialogs))
    return {dialogs[i] for i in order[: round(share * len(dialogs))]}


def collab_with_dialogues(base: CollabModel, base_rows: Sequence[Interaction], turns: Sequence[EvalTurn],
                          reader: DialogReader, items: set[str]) -> CollabModel:
    """`base` plus a "dialogue" source learned from these turns (and any dialogue rows in the base data)."""
    raw = [{"dialog_id": t.dialog_id, "context": t.context,
            "rec": [reader_name(reader, i) for i in t.labels]} for t in turns]
    rows = [r for r in base_rows if r.source == DIALOGUE_SOURCE] + dialogue_interactions(raw, reader.name_to_id)
    sources = dict(base.sources)
    sources[DIALOGUE_SOURCE] = learn_source(rows, items)
    return CollabModel(sources=sources)


def reader_name(reader: DialogReader, item_id: str) -> str:
    names = getattr(reader, "_id_to_name", None)
    if names is None:
        names = {}
        for name, i in reader.name_to_id.items():
            names.setdefault(i, name)
        reader._id_to_name = names  # type: ignore[attr-defined]
    return names.get(item_id, "")


class FitData:
    """Stacked candidate rows of many turns for a sampled-softmax fit: each turn keeps its best rows
    by the current weights, the items named in the dialogue and its labels exactly, plus a uniform
    sample of the rest whose scores get a log(rest/sample) offset (so the fit sees the whole catalog)."""

    def __init__(self, keep: int = KEEP, sample: int = KEEP, seed: int = 0) -> None:
        self.blocks: list[np.ndarray] = []
        self.offsets: list[np.ndarray] = []
        self.labels: list[np.ndarray] = []
        self.keep, self.sample = keep, sample
        self.rng = np.random.default_rng(seed)

    def add(self, feats: np.ndarray, label_rows: np.ndarray, w: np.ndarray, named_rows: np.ndarray) -> None:
        if len(label_rows) == 0 or len(feats) == 0:
            return
        n = len(feats)
        scores = feats @ w
        k = min(self.keep, n)
        top = np.argpartition(-scores, k - 1)[:k]
        exact = np.unique(np.concatenate([top, label_rows, named_rows]).astype(np.int64))
        rest_mask = np.ones(n, dtype=bool)
        rest_mask[exact] = False
        rest = np.flatnonzero(rest_mask)
        picked = self.rng.choice(rest, size=min(self.sample, len(rest)), replace=False) if len(rest) else rest
        rows = np.concatenate([exact, picked])
        offset = np.zeros(len(rows), dtype=np.float32)
        if len(picked):
            offset[len(exact):] = np.log(len(rest) / len(picked))
        self.blocks.append(feats[rows])
        self.offsets.append(offset)
        self.labels.append(np.searchsorted(exact, np.asarray(label_rows, dtype=np.int64)))

    def padded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(signals turns x rows x signals, offsets turns x rows with padding at -1e4, label shares
        turns x rows summing to one per turn): the blocks stacked to the longest one."""
        turns, rows = len(self.blocks), max(len(b) for b in self.blocks)
        X = np.zeros((turns, rows, self.blocks[0].shape[1]), dtype=np.float32)
        off = np.full((turns, rows), -1e4, dtype=np.float32)
        y = np.zeros((turns, rows), dtype=np.float32)
        for t, (block, offset, labels) in enumerate(zip(self.blocks, self.offsets, self.labels)):
            X[t, :len(block)] = block
            off[t, :len(block)] = offset
            np.add.at(y[t], labels, 1.0 / len(labels))
        return X, off, y


def fit(data: FitData, l2: float = L2, start: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
    """Weights maximising the mean log-softmax probability of each turn's labels (the signals `mask`
    sets to 0 left out)."""
    X = np.concatenate(data.blocks).astype(np.float32)
    if mask is not None:
        X *= mask
    off = np.concatenate(data.offsets).astype(np.float64)
    sizes = np.array([len(b) for b in data.blocks])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    seg = np.repeat(np.arange(len(sizes)), sizes)
    y = np.zeros(len(X))
    for s, lab in zip(starts, data.labels):
        np.add.at(y, s + lab, 1.0 / len(lab))
    n_turns = len(sizes)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = (X @ w.astype(np.float32)).astype(np.float64) + off
        zmax = np.maximum.reduceat(z, starts)
        e = np.exp(z - zmax[seg])
        total = np.add.reduceat(e, starts)
        lse = np.log(total) + zmax
        value = float(lse.sum() - y @ z) / n_turns + l2 * float(w @ w)
        p = e / total[seg]
        grad = (X.T @ (p - y).astype(np.float32)).astype(np.float64) / n_turns + 2 * l2 * w
        return value, grad

    w0 = np.zeros(X.shape[1]) if start is None else start.astype(np.float64) * (1 if mask is None else mask)
    result = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x.astype(np.float32)


def fit_deep(data: FitData, start: np.ndarray, hidden: int = HIDDEN, seeds: int = SEEDS,
             epochs: int = EPOCHS) -> tuple[np.ndarray, list[Network]]:
    """Linear weights (from `start`) and `seeds` networks, each pair fitted together to maximise the
    mean log-softmax probability of the labels; returns the mean linear weights and the networks."""
    import torch

    X, off, y = (torch.from_numpy(a) for a in data.padded())
    dim = X.shape[2]
    lows = np.min([block.min(axis=0) for block in data.blocks], axis=0)
    highs = np.max([block.max(axis=0) for block in data.blocks], axis=0)
    fixed = np.flatnonzero(lows == highs)  # signals that never vary in this data
    constant, constant_values = torch.from_numpy(fixed), torch.from_numpy(lows[fixed].astype(np.float32))
    linears, networks = [], []
    for seed in range(seeds):
        torch.manual_seed(seed)
        linear = torch.nn.Linear(dim, 1, bias=False)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(start.astype(np.float32))[None, :])
        net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                  torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
        params = [*linear.parameters(), *net.parameters()]
        optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=DECAY)
        order = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            for batch in torch.randperm(len(X), generator=order).split(BATCH):
                xb = X[batch]
                z = (linear(xb) + net(xb)).squeeze(-1) + off[batch]
                loss = -(y[batch] * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        with torch.no_grad():  # a signal that never varied taught the network nothing: fold it into the bias
            first = net[0]
            first.bias += first.weight[:, constant] @ constant_values
            first.weight[:, constant] = 0.0
        linears.append(linear.weight.detach().numpy()[0].copy())
        networks.append(from_torch(net, signals.SIGNALS))
    return np.mean(linears, axis=0), networks


def _collect(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], data: FitData, w: np.ndarray,
             qcache: dict[str, np.ndarray], novel: FitData | None = None) -> None:
    """Each turn's candidate rows into `data` (every label); into `novel` too, if given, the dedup
    objective: only the labels not named earlier, and the named items never among the rows."""
    pos = ranker.table.pos
    for turn in turns:
        request = reader.read(turn.context)
        qv = _query(ranker, request.query_text, qcache)
        cand, feats = ranker.features(request, qv)
        where = {int(p): r for r, p in enumerate(cand.tolist())}
        label_rows = np.array([where[pos[i]] for i in turn.labels if pos.get(i) in where], dtype=np.int64)
        named = [request.liked_ids, request.mentioned_ids, request.recommended_ids, request.disliked_ids]
        named_rows = np.array([where[pos[i]] for ids in named for i in ids if pos.get(i) in where], dtype=np.int64)
        data.add(feats, label_rows, w, named_rows)
        if novel is not None and turn.novel:
            keep = np.ones(len(cand), dtype=bool)
            keep[named_rows] = False
            rows = np.cumsum(keep) - 1
            novel_rows = np.array([rows[where[pos[i]]] for i in turn.novel if pos.get(i) in where
                                   and keep[where[pos[i]]]], dtype=np.int64)
            novel.add(feats[keep], novel_rows, w, np.zeros(0, dtype=np.int64))


def _query(ranker: Ranker, text: str, cache: dict[str, np.ndarray]) -> np.ndarray | None:
    text = text.strip()
    if not text:
        return None
    if text not in cache:
        cache[text] = ranker._query_vector(RankRequest(query_text=text))
    return cache[text]


def fit_oof(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], base: CollabModel,
            base_rows: Sequence[Interaction], folds: int, fold_of: dict[str, int], qcache: dict,
            skip_fold: int | None = None, models: Sequence[str] = ("deep",)) -> dict[str, Weights]:
    """Weights for each of `models` fitted on the turns outside `skip_fold`, each turn's dialogue
    signals out of fold: linear weights from the defaults, then (on the candidates those pick) the
    final fits, all on the same candidate rows."""
    items = set(ranker.table.ids)
    used = [f for f in range(folds) if f != skip_fold]
    def sources(j: int) -> list[EvalTurn]:
        return [t for t in turns if fold_of[t.dialog_id] not in (j, skip_fold)]

    collabs = {j: collab_with_dialogues(base, base_rows, sources(j), reader, items) for j in used}

    def collect(w: np.ndarray, novel: FitData | None = None) -> FitData:
        data = FitData()
        for j in used:
            ranker.set_collab(collabs[j])
            _collect(ranker, reader, [t for t in turns if fold_of[t.dialog_id] == j], data, w, qcache, novel)
        return data

    ranker.set_weights(Weights(weights=signals.default_weights(), meta={"source": "defaults"}))
    w = fit(collect(ranker.scores.linear), start=ranker.scores.linear)
    novel = FitData() if any(name.endswith(DEDUP_SUFFIX) for name in models) else None
    data = collect(w, novel)
    return {name: fit_model(novel if name.endswith(DEDUP_SUFFIX) else data, w, name.removesuffix(DEDUP_SUFFIX))
            for name in models}


def fit_model(data: FitData, start: np.ndarray, name: str) -> Weights:
    """One model on collected rows: `linear`, `deep` (linear + networks), `lambdarank` (linear + LightGBM
    trees); `KIND-without-GROUP` leaves a group of signals out (see `SIGNAL_GROUPS`)."""
    kind, _, without = name.partition("-without-")
    mask = signal_mask(without)
    w = fit(data, start=start, mask=mask)
    if kind == "linear":
        return _weights(w, [])
    if kind == "deep":
        if without:
            raise ValueError("the deep model fits on every signal")
        return _weights(*fit_deep(data, start=w))
    if kind == "lambdarank":
        return _weights(w, [], booster=ltr.fit_lambdarank(data.blocks, data.labels, w, mask))
    raise ValueError(f"unknown model {name!r}")


def check_model(name: str) -> None:
    """Raise ValueError for a model name `fit_model` does not know."""
    kind, _, without = name.removesuffix(DEDUP_SUFFIX).partition("-without-")
    if kind not in ("linear", "deep", "lambdarank") or (without and without not in SIGNAL_GROUPS) or \
            (without and kind == "deep"):
        raise ValueError(f"unknown model {name!r}: linear, deep, lambdarank, or linear/lambdarank-without-"
                         f"{'|'.join(SIGNAL_GROUPS)}; any of them with {DEDUP_SUFFIX} to fit on the dedup objective")


def signal_mask(group: str) -> np.ndarray:
    mask = np.ones(len(signals.SIGNALS), dtype=np.float32)
    for name in SIGNAL_GROUPS[group] if group else ():
        mask[signals.INDEX[name]] = 0.0
    return mask


def _weights(w: np.ndarray, networks: list[Network], booster: str = "") -> Weights:
    return Weights(weights={name: round(float(v), 5) for name, v in zip(signals.SIGNALS, w)}, deep=networks,
                   booster=booster)


def cross_validate(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], base: CollabModel,
                   base_rows: Sequence[Interaction], folds: int = 5, seed: int = 0, models: Sequence[str] = ("deep",),
                   baselines: Sequence[str] = (), per_signal: bool = False,
                   protocols: Sequence[str] = ("all",), train_share: float = 1.0) -> dict:
    """Tune on K-1 folds, score the K-th, for every K: the cross-validated figure. The first of
    `models` is the ranker's; the others are scored on the same turns and signal matrices. With
    `train_share` < 1 only that share of the dialogues (the same ones in every fold, and a smaller
    share's dialogues are among a larger one's) is tuned on and used as interaction data: a learning
    curve, scored on the same test turns."""
    started = time.perf_counter()
    fold_of = assign_folds(turns, folds, seed)
    kept = kept_dialogs(fold_of, train_share, seed)
    qcache: dict[str, np.ndarray] = {}
    shipped = ranker.weights
    items = set(ranker.table.ids)
    total = Scores()
    per_fold: dict[str, list[float]] = {"recall@10": [], "recall@50": []}
    for k in range(folds):  # never the shipped weights: they were fitted on every fold
        train = [t for t in turns if fold_of[t.dialog_id] != k and t.dialog_id in kept]
        test = [t for t in turns if fold_of[t.dialog_id] == k]
        fitted = fit_oof(ranker, reader, train + test, base, base_rows, folds, fold_of, qcache, skip_fold=k,
                         models=models)
        ranker.set_collab(collab_with_dialogues(base, base_rows, train, reader, items))
        ranker.set_weights(fitted[models[0]])
        extra = {name: Scorer(w) for name, w in fitted.items() if name != models[0]}
        scores = score_turns(ranker, reader, test, baselines, per_signal, protocols, extra)
        fold = scores.tally("main", "ranker", protocols[0]).result()
        log.info("fold %d: %s", k, {key: fold[key] for key in ("recall@10", "recall@50", "turns")})
        for key in per_fold:
            per_fold[key].append(fold[key])
        total.merge(scores)
    ranker.set_weights(shipped)
    out = total.report(protocols)
    out["cv"] = {"folds": folds, "seed": seed, "by": "dialog_id", "model": models[0], "models": list(models),
                 "train_share": train_share,
                 **{f"per_fold_{key}": values for key, values in per_fold.items()}}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def fit_all(ranker: Ranker, reader: DialogReader, turns: Sequence[EvalTurn], base: CollabModel,
            base_rows: Sequence[Interaction], folds: int = 5, seed: int = 0,
            models: Sequence[str] = ("deep",)) -> dict[str, Weights]:
    """The shipped weights: fitted on every turn, each with out-of-fold dialogue signals."""
    fold_of = assign_folds(turns, folds, seed)
    shipped = ranker.weights
    try:
        return fit_oof(ranker, reader, turns, base, base_rows, folds, fold_of, {}, skip_fold=None, models=models)
    finally:
        ranker.set_weights(shipped)
