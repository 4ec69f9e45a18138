"""The index on a real Chroma server (HttpClient): indexing, queries, an outage, and recovery."""

from __future__ import annotations

import pytest

from chatbot.errors import StoreError
from chatbot.store import forget_client, open_index
from chroma_server import ChromaServer, free_port
from test_store import ITEMS


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "chroma-server").start()
    yield srv
    srv.stop()


def test_index_and_query_through_a_chroma_server(settings, fake_embedder, server):
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server.port})
    index = open_index(remote, "demo", fake_embedder)
    assert index.sync(ITEMS, progress=False).added == len(ITEMS)
    index.artifacts.put_json("priors", {"titanic": 3})
    assert open_index(remote, "demo", fake_embedder).sync(ITEMS, progress=False).embedded == 0
    assert index.query_text("doomed ocean liner love story", 1)[0][0] == "titanic"
    assert index.artifacts.get_json("priors") == {"titanic": 3}
    assert not (settings.data_dir / "chroma").exists(), "server mode must not write a local index"
    forget_client(remote)


def test_unreachable_server_is_a_clear_error_and_the_index_recovers(settings, fake_embedder, tmp_path):
    port = free_port()
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})
    with pytest.raises(StoreError, match="Cannot reach the Chroma vector store"):
        open_index(remote, "demo", fake_embedder)

    server = ChromaServer(tmp_path / "srv", port=port).start()
    try:
        index = open_index(remote, "demo", fake_embedder)
        index.sync(ITEMS, progress=False)
        server.stop()
        with pytest.raises(StoreError):
            index.query_text("ocean liner", 1)
        forget_client(remote)
        with pytest.raises(StoreError):
            open_index(remote, "demo", fake_embedder)
        server.start()
        forget_client(remote)
        back = open_index(remote, "demo", fake_embedder)
        assert back.sync(ITEMS, progress=False).embedded == 0, "the server kept the index through the outage"
        assert back.query_text("doomed ocean liner love story", 1)[0][0] == "titanic"
    finally:
        server.stop()
        forget_client(remote)
