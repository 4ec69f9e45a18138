"""The per-turn time budget, named: how long the model may work on one turn, and on what."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TurnBudget:
    """Started when the turn starts. `model_deadline`: the model's answer must be complete by then (else the
    ranker's answer stays); `extraction_deadline`: a model reading of the message must be done by then."""

    model_s: float
    extraction_s: float
    started: float = field(default_factory=time.monotonic)

    @property
    def model_deadline(self) -> float:
        return self.started + self.model_s

    @property
    def extraction_deadline(self) -> float:
        return min(self.model_deadline, self.started + self.extraction_s)

    def left(self) -> float:
        return max(0.0, self.model_deadline - time.monotonic())

    def slot_wait(self) -> float:
        """How long the turn may wait for a busy model: until half its budget is gone (a model that starts
        later would seldom finish in time; meanwhile the ranker's answer is on the page)."""
        return max(0.0, self.started + self.model_s / 2 - time.monotonic())

    def elapsed_ms(self) -> float:
        return round((time.monotonic() - self.started) * 1000, 1)
