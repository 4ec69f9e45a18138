"""Learning-to-rank with LightGBM's `lambdarank`: trees that re-rank the linear score's best items
(`trees.CASCADE` per turn), fitted on those rows with the linear score as the starting point
(`init_score`), so the ranker scores linear + trees there and the linear part still gives the
reasons. A tenth of the turns is held out to stop adding trees when NDCG@50 stops rising."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chatbot.ranking import signals
from chatbot.ranking.trees import CASCADE

ROUNDS = 300
EARLY_STOP = 20
VALID_SHARE = 0.1
PARAMS = {"objective": "lambdarank", "learning_rate": 0.08, "num_leaves": 31, "min_data_in_leaf": 100,
          "feature_fraction": 0.8, "bagging_fraction": 0.5, "bagging_freq": 1, "lambda_l2": 1.0,
          "lambdarank_truncation_level": 60, "metric": "ndcg", "eval_at": [50], "num_threads": 1,
          "verbose": -1, "seed": 0, "deterministic": True, "force_row_wise": True}


def fit_lambdarank(blocks: Sequence[np.ndarray], labels: Sequence[np.ndarray], linear: np.ndarray,
                   mask: np.ndarray | None = None, seed: int = 0, depth: int = CASCADE) -> str:
    """A LightGBM model (its text form) over the signal columns: each block is one turn's candidate rows,
    `labels` the rows of its labels; the linear weights pick each turn's `depth` best rows (the ones the
    trees will re-rank) and give their starting score. Turns with no label among them teach nothing."""
    import lightgbm as lgb

    blocks, labels = _cascade(blocks, labels, linear if mask is None else linear * mask, depth)
    if not blocks:
        return ""
    order = np.random.default_rng(seed).permutation(len(blocks))
    n_valid = max(1, int(len(blocks) * VALID_SHARE)) if len(blocks) >= 10 else 0
    train = _dataset(lgb, [blocks[i] for i in order[n_valid:]], [labels[i] for i in order[n_valid:]], linear, mask)
    valid_sets, callbacks = None, None
    if n_valid:
        valid_sets = [_dataset(lgb, [blocks[i] for i in order[:n_valid]], [labels[i] for i in order[:n_valid]],
                               linear, mask, reference=train)]
        callbacks = [lgb.early_stopping(EARLY_STOP, verbose=False)]
    booster = lgb.train(PARAMS, train, num_boost_round=ROUNDS, valid_sets=valid_sets, callbacks=callbacks)
    return booster.model_to_string(num_iteration=booster.best_iteration or None)


def _cascade(blocks: Sequence[np.ndarray], labels: Sequence[np.ndarray], linear: np.ndarray,
             depth: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    kept_blocks, kept_labels = [], []
    for block, rows in zip(blocks, labels):
        scores = block @ linear
        top = np.argsort(-scores, kind="stable")[:depth]
        at = {int(r): n for n, r in enumerate(top)}
        hits = np.array([at[int(r)] for r in rows if int(r) in at], dtype=np.int64)
        if len(hits):
            kept_blocks.append(block[top])
            kept_labels.append(hits)
    return kept_blocks, kept_labels


def _dataset(lgb, blocks: Sequence[np.ndarray], labels: Sequence[np.ndarray], linear: np.ndarray,
             mask: np.ndarray | None, reference=None):
    X = np.concatenate(blocks).astype(np.float32)
    if mask is not None:
        X *= mask
    y = np.zeros(len(X), dtype=np.float32)
    start = 0
    for block, rows in zip(blocks, labels):
        y[start + np.asarray(rows, dtype=np.int64)] = 1.0
        start += len(block)
    return lgb.Dataset(X, label=y, group=[len(b) for b in blocks], init_score=X @ linear,
                       feature_name=list(signals.SIGNALS), reference=reference)
