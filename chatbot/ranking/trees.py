"""The ranker's tree part: LightGBM lambdarank trees (fitted by `python -m chatbot eval --model
lambdarank --save-weights`, stored as text in weights.json), scored in-process on the CPU."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CASCADE = 150  # the trees re-rank this many best items by the linear score; the rest stay below, in order


def rerank(base: np.ndarray, feats: np.ndarray, trees: Trees, depth: int = CASCADE) -> np.ndarray:
    """Scores where the `depth` best rows by `base` get `base` + the trees' score and every other row
    stays below all of them, in its old order."""
    if len(base) <= depth:
        return base + trees(feats)
    top = np.argpartition(-base, depth - 1)[:depth]
    out = base.astype(np.float32).copy()
    out[top] = base[top] + trees(feats[top])
    rest = np.ones(len(base), dtype=bool)
    rest[top] = False
    out[rest] = base[rest] - (float(base[rest].max()) - float(out[top].min())) - 1.0
    return out


class Trees:
    """A LightGBM model over named signal columns; columns it does not know are dropped and ones it
    knew that are gone read as 0, so a changed signal list never shifts its inputs."""

    def __init__(self, model_text: str, names: Sequence[str]) -> None:
        import lightgbm as lgb

        self.booster = lgb.Booster(model_str=model_text)
        known = {name: n for n, name in enumerate(names)}
        self.columns = [known.get(name, -1) for name in self.booster.feature_name()]

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        if self.columns == list(range(feats.shape[1])):
            x = feats
        else:
            x = np.zeros((len(feats), len(self.columns)), dtype=np.float32)
            for n, col in enumerate(self.columns):
                if col >= 0:
                    x[:, n] = feats[:, col]
        return self.booster.predict(x, num_threads=1).astype(np.float32)
