"""The ranker's non-linear part: small ReLU networks over the signals, added to the linear score.

A linear score weighs every signal the same way in every conversation; the network lets the
weights depend on the situation (no item named yet, many suggestions already made, a genre asked
for). Networks are plain numbers in weights.json and run on numpy; torch is needed only to fit
them (`python -m chatbot eval --save-weights`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel


class Layer(BaseModel):
    weight: list[list[float]]  # inputs x outputs
    bias: list[float]


class Network(BaseModel):
    inputs: list[str]  # the signal names the first layer's rows stand for
    layers: list[Layer]  # ReLU between layers, none after the last (one output)

    def compile(self, names: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Arrays for `forward`, the first layer's rows put in the order of `names` (a signal the
        network does not know gets no weight; one it knew that is gone is dropped)."""
        arrays = [(np.asarray(layer.weight, dtype=np.float32), np.asarray(layer.bias, dtype=np.float32))
                  for layer in self.layers]
        first, bias = arrays[0]
        row = {name: n for n, name in enumerate(self.inputs)}
        ordered = np.zeros((len(names), first.shape[1]), dtype=np.float32)
        for n, name in enumerate(names):
            if name in row:
                ordered[n] = first[row[name]]
        return [(ordered, bias), *arrays[1:]]


def forward(compiled: Sequence[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    """One score per row of `x` (rows: candidates, columns: signals)."""
    h = x
    for n, (weight, bias) in enumerate(compiled):
        h = h @ weight + bias
        if n < len(compiled) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0]


def from_torch(sequential, inputs: Sequence[str], digits: int = 5) -> Network:
    """A Network from a torch Sequential of Linear and ReLU layers."""
    layers = []
    for module in sequential:
        if hasattr(module, "weight"):
            weight = module.weight.detach().cpu().numpy().T.round(digits).tolist()
            bias = module.bias.detach().cpu().numpy().round(digits).tolist()
            layers.append(Layer(weight=weight, bias=bias))
    return Network(inputs=list(inputs), layers=layers)
