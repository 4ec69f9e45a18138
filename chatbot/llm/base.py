"""The one chat-model interface every backend implements: stream text for a list of messages."""

from __future__ import annotations

import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel

from chatbot.errors import LLMError


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatModel(ABC):
    """A chat model. `stream` is the one method a backend writes; it raises `LLMError` on failure."""

    name: str = "model"
    backend: str = "abstract"

    @abstractmethod
    def stream(self, messages: list[ChatMessage], *, max_new_tokens: int = 256, temperature: float = 0.2,
               timeout_s: float = 30.0) -> Iterator[str]:
        """Yield the answer in chunks as it is generated."""

    def complete(self, messages: list[ChatMessage], *, max_new_tokens: int = 256, temperature: float = 0.2,
                 timeout_s: float = 30.0) -> str:
        """The whole answer as one string."""
        return "".join(self.stream(messages, max_new_tokens=max_new_tokens, temperature=temperature,
                                   timeout_s=timeout_s))

    def count_tokens(self, text: str) -> int:
        """Approximate token count (backends with a tokenizer override this)."""
        return max(1, len(text) // 4) if text else 0


def stream_with_deadline(model: ChatModel, messages: list[ChatMessage], deadline: float, max_new_tokens: int = 256,
                         temperature: float = 0.2) -> Iterator[str]:
    """`model.stream` read on a worker thread, so that a stalled or trickling model cannot pass `deadline`
    (a `time.monotonic()` value). Raises LLMError("timeout ...") or the model's LLMError."""
    chunks: queue.Queue = queue.Queue()
    cancel = threading.Event()
    done = object()

    def work() -> None:
        stream = None
        try:
            stream = model.stream(messages, max_new_tokens=max_new_tokens, temperature=temperature,
                                  timeout_s=max(0.1, deadline - time.monotonic()))
            for chunk in stream:
                if cancel.is_set():
                    break
                chunks.put(chunk)
            chunks.put(done)
        except Exception as exc:  # handed to the reading side
            chunks.put(exc if isinstance(exc, LLMError) else LLMError(f"{type(exc).__name__}: {exc}"))
        finally:
            if stream is not None and hasattr(stream, "close"):
                stream.close()

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


def complete_within(model: ChatModel, messages: list[ChatMessage], timeout_s: float, max_new_tokens: int = 256,
                    temperature: float = 0.2) -> str:
    """The whole answer, or LLMError when it does not arrive within `timeout_s`."""
    return "".join(stream_with_deadline(model, messages, time.monotonic() + timeout_s, max_new_tokens, temperature))
