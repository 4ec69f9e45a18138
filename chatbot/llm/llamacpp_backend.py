"""llama.cpp in-process (the `xllamacpp` wheel) as a LangChain chat model: a GGUF file on CPU.

The server keeps a prompt cache per slot between requests (a stable system prompt is prefilled once; chat
turns and background work each have their own slot, so writing selling points never evicts the chat's), applies
the model's own chat template, and constrains output to a JSON schema (`response_format`). It is closed
at exit, before the interpreter tears down its threads.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from chatbot.errors import LLMError
from chatbot.llm.base import BackgroundLoad

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"


def check_gguf(path: Path) -> None:
    """Raise LLMError with a plain reason when `path` is not a readable GGUF file."""
    if not path.is_file():
        raise LLMError(f"model file {path} not found")
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise LLMError(f"{path.name} is not a GGUF file")


class LlamaCppRuntime:
    """One xllamacpp Server for the process, loaded in the background and closed at exit."""

    def __init__(self, path: str | Path, *, n_ctx: int = 4096, threads: int = 2, background: bool = True) -> None:
        self.path = Path(path).expanduser()
        self.n_ctx, self.threads = n_ctx, threads
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._active = 0  # requests inside the server right now
        self.load = BackgroundLoad(self.path.name, self._start, background)
        atexit.register(self.close)

    def _start(self) -> object:
        check_gguf(self.path)
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.path)
        params.n_ctx = self.n_ctx * 2  # two slots of n_ctx each: chat turns and background work
        params.n_parallel = 2
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = -1
        try:
            return xllamacpp.Server(params)
        except Exception as exc:
            raise LLMError(f"llama.cpp could not load {self.path.name} ({str(exc)[:120] or type(exc).__name__})") \
                from exc

    def chat(self, request: dict, on_chunk=None) -> dict | None:
        """One OpenAI-style chat completion; with `on_chunk`, streamed (return True from it to stop)."""
        server = self.load.get()
        with self._idle:
            if self._closed.is_set():
                raise LLMError("llama.cpp is shut down")
            self._active += 1
        try:
            if on_chunk is None:
                answer = server.handle_chat_completions(request)
            else:
                answer = server.handle_chat_completions({**request, "stream": True},
                                                        lambda chunk: self._closed.is_set() or on_chunk(chunk))
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()
        if isinstance(answer, dict) and "error" in answer:
            raise LLMError(f"llama.cpp: {str(answer['error'])[:160]}")
        return answer

    def close(self, wait_s: float = 60.0) -> None:
        """Stop generation, wait for requests still inside the server (a prompt being read cannot be
        interrupted), and free the server. Registered with atexit: a server freed while a thread is still
        inside it, or never freed, aborts the process at exit."""
        self._closed.set()
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0, timeout=wait_s)
        with self._lock:
            if self.load.state == "ready" and self.load.value is not None:
                server, self.load.value = self.load.value, None
                del server


def _usage(timings: dict | None) -> UsageMetadata | None:
    if not timings:
        return None
    prompt, predicted = int(timings.get("prompt_n", 0)), int(timings.get("predicted_n", 0))
    return UsageMetadata(input_tokens=prompt, output_tokens=predicted, total_tokens=prompt + predicted)


class ChatLlamaCpp(BaseChatModel):
    """LangChain chat model over `LlamaCppRuntime`. Pass `response_format` (OpenAI style) via `.bind`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runtime: LlamaCppRuntime
    model_name: str = "gguf"
    max_tokens: int = 256
    temperature: float = 0.2
    slot: int | None = None  # llama.cpp slot: each keeps its own prompt cache (0: chat turns, 1: background work)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict:
        request = {"messages": convert_to_openai_messages(messages), "max_tokens": self.max_tokens,
                   "temperature": self.temperature}
        if stop:
            request["stop"] = stop
        if self.slot is not None:
            request["id_slot"] = self.slot
        request.update({k: v for k, v in kwargs.items() if k in ("max_tokens", "temperature", "response_format",
                                                                   "seed", "top_p")})
        return request

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        answer = self.runtime.chat(self._request(messages, stop, **kwargs)) or {}
        choices = answer.get("choices") or [{}]
        text = (choices[0].get("message") or {}).get("content") or ""
        message = AIMessage(content=text, usage_metadata=_usage(answer.get("timings")),
                            response_metadata={"timings": answer.get("timings", {}),
                                               "finish_reason": choices[0].get("finish_reason")})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        request = self._request(messages, stop, **kwargs)
        chunks: queue.Queue = queue.Queue()
        stop_event = threading.Event()
        end = object()

        def on_chunk(chunk: dict) -> bool:
            chunks.put(chunk)
            return stop_event.is_set()

        def work() -> None:
            try:
                self.runtime.chat(request, on_chunk)
            except Exception as exc:  # handed to the reader
                chunks.put(exc)
            finally:
                chunks.put(end)

        threading.Thread(target=work, name="llamacpp-generate", daemon=True).start()
        try:
            while (chunk := chunks.get()) is not end:
                if isinstance(chunk, Exception):
                    raise chunk if isinstance(chunk, LLMError) else LLMError(f"llama.cpp failed: {chunk}")
                if "error" in chunk:
                    raise LLMError(f"llama.cpp: {json.dumps(chunk['error'])[:160]}")
                choice = (chunk.get("choices") or [{}])[0]
                text = (choice.get("delta") or {}).get("content") or ""
                timings = chunk.get("timings")
                if text or timings:
                    message = AIMessageChunk(content=text, usage_metadata=_usage(timings),
                                             response_metadata={"timings": timings} if timings else {})
                    if run_manager and text:
                        run_manager.on_llm_new_token(text)
                    yield ChatGenerationChunk(message=message)
        finally:
            stop_event.set()  # the reader stopped (or finished): stop generating
