"""Shared fixtures: isolated settings per test, the real packaged embedder, a fixed-vector fake."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

from chatbot.config import Settings
from chatbot.embedders import Embedder, get_embedder

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data, or skip the test when the evaluation data is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path}")
    return path


class FakeEmbedder(Embedder):
    """Deterministic bag-of-words vectors: fast, and similar texts get similar vectors."""

    def __init__(self, name: str = "fake-bow", dim: int = 64) -> None:
        self.name, self.dim = name, dim
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split():
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        vector[0] += 0.01
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts):
        self.calls += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    embed_queries = embed_passages


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_backend="none", _env_file=None)


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The default packaged embedder (e5 where it runs, else MiniLM): loaded once per test run."""
    return get_embedder(Settings(_env_file=None))


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
