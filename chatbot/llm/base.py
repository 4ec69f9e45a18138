"""Reading a LangChain chat model within a deadline, and the background loading every local model shares.

`stream_within` reads `runnable.stream(messages)` on a worker thread, so that a stalled or trickling model
cannot pass the deadline; when the reader stops, the stream is closed and the model stops generating.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable

from chatbot.errors import LLMError

log = logging.getLogger(__name__)

LoadState = Literal["loading", "ready", "failed"]


def chunk_text(chunk: object) -> str:
    """The text of one streamed LangChain message chunk."""
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return ""


def stream_within(runnable: Runnable, messages: Sequence[BaseMessage], deadline: float,
                  describe_error: Callable[[Exception], LLMError] | None = None) -> Iterator[str]:
    """The answer's text chunks; LLMError("timeout ...") when `deadline` (a `time.monotonic()` value) passes,
    or the model's error as an LLMError."""
    chunks: queue.Queue = queue.Queue()
    cancel = threading.Event()
    done = object()

    def work() -> None:
        stream = runnable.stream(list(messages))
        try:
            for chunk in stream:
                if cancel.is_set():
                    break
                text = chunk_text(chunk)
                if text:
                    chunks.put(text)
            chunks.put(done)
        except Exception as exc:  # handed to the reading side
            chunks.put(exc if isinstance(exc, LLMError) else
                       (describe_error(exc) if describe_error else LLMError(f"{type(exc).__name__}: {exc}")))
        finally:
            close = getattr(stream, "close", None)  # a generator: closing it stops the model
            if close is not None:
                close()

    threading.Thread(target=work, name="llm-stream", daemon=True).start()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LLMError("timeout: no answer within the time budget")
            try:
                chunk = chunks.get(timeout=left)
            except queue.Empty:
                raise LLMError("timeout: no answer within the time budget") from None
            if chunk is done:
                return
            if isinstance(chunk, LLMError):
                raise chunk
            yield chunk
    finally:
        cancel.set()


def complete_within(runnable: Runnable, messages: Sequence[BaseMessage], timeout_s: float,
                    describe_error: Callable[[Exception], LLMError] | None = None) -> str:
    """The whole answer, or LLMError when it does not arrive within `timeout_s`."""
    return "".join(stream_within(runnable, messages, time.monotonic() + timeout_s, describe_error))


class BackgroundLoad:
    """A local model's weights, loaded on a background thread so the app can answer (without it) at once."""

    def __init__(self, name: str, load: Callable[[], object], background: bool = True) -> None:
        self.name = name
        self._load = load
        self.value: object | None = None
        self.state: LoadState = "loading"
        self.failure = ""
        self.seconds = 0.0
        self._done = threading.Event()
        if background:
            threading.Thread(target=self._run, name=f"load-{name}", daemon=True).start()
        else:
            self._run()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            self.value = self._load()
            self.state = "ready"
            log.info("model %s loaded in %.1f s", self.name, time.perf_counter() - started)
        except Exception as exc:  # any failure means: run without this model
            self.failure = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            self.state = "failed"
            log.warning("model %s could not load: %s", self.name, self.failure)
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until loading ends; True when the model is ready."""
        self._done.wait(timeout_s)
        return self.state == "ready"

    def get(self) -> object:
        if self.state != "ready":
            raise LLMError(f"local model {self.name} is not ready ({self.state}{': ' + self.failure if self.failure else ''})")
        return self.value
