"""Build the configured chat model; never raise. A backend that cannot start leaves the app on `none`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.base import BackgroundLoad

log = logging.getLogger(__name__)

NO_LLM_MODE = "No LLM: answers are built from catalog facts"
NO_LLM_MODE_ZH = "无 LLM 模式：回答由目录中的事实生成"

Backend = Literal["none", "llamacpp", "transformers", "openai"]
Role = Literal["pick", "explain"]
LOCAL_BACKENDS = ("llamacpp", "transformers")


class LLMStatus(BaseModel):
    backend: str  # what was asked for: none | llamacpp | transformers | openai
    state: Literal["off", "loading", "ready", "failed"]
    mode: str  # one human-readable line for the UI
    detail: str = ""  # why it failed, when it did


def default_role(backend: str) -> Role:
    """Measured (README, LLM performance): a small local model explains the ranker's choice better than it
    chooses; a model behind a server API picks among the ranker's top candidates."""
    return "explain" if backend in LOCAL_BACKENDS else "pick"


class LLMHandle:
    """The process-wide LLM: the model when it is ready, else None (the no-LLM mode answers).

    `loading` is a local model's background load; `probe` checks a server once in the background. `slots`
    bounds how many turns use the model at once (1 on a CPU: the others wait their turn, never the page)."""

    def __init__(self, backend: str, model: BaseChatModel | None = None, failure: str = "",
                 secrets: tuple[str, ...] = (), *, loading: BackgroundLoad | None = None,
                 probe: Callable[[], None] | None = None, label: str = "", role: Role | None = None,
                 slots: int = 1, describe_error: Callable[[Exception], LLMError] | None = None,
                 close: Callable[[], None] | None = None, name: str = "",
                 background_model: BaseChatModel | None = None) -> None:
        self.backend = backend
        self.model_id = f"{backend}:{name or backend}" if model is not None else "none"  # cache keys
        self.secrets = secrets  # values no reply may contain (the API key)
        self.role: Role = role or default_role(backend)
        self.label = label or (f"LLM: {backend}" if model else "")
        self.slots = threading.BoundedSemaphore(max(1, slots))
        self._turns_waiting = 0
        self._waiting_lock = threading.Condition()
        self.describe_error = describe_error
        self._model = model
        self._background_model = background_model or model  # llama.cpp: its own slot, so chat keeps its cache
        self._failure = failure
        self._loading = loading
        self._close = close
        self._probe_done = threading.Event()
        if probe is None:
            self._probe_done.set()
        else:
            threading.Thread(target=self._probe, args=(probe,), name="llm-probe", daemon=True).start()

    @property
    def model(self) -> BaseChatModel | None:
        """The chat model to use for this turn, or None when the no-LLM mode must answer."""
        return self._model if self.status().state == "ready" else None

    @property
    def background_model(self) -> BaseChatModel | None:
        """The chat model for background work (selling points), or None when the model is not ready."""
        return self._background_model if self.model is not None else None

    def status(self) -> LLMStatus:
        failure = self._failure or (self._loading.failure if self._loading and self._loading.state == "failed" else "")
        if failure:
            return LLMStatus(backend=self.backend, state="failed", detail=failure,
                             mode=f"{NO_LLM_MODE} ({self.backend} unavailable: {failure})")
        if self._model is None:
            return LLMStatus(backend=self.backend, state="off", mode=NO_LLM_MODE)
        if (self._loading and self._loading.state == "loading") or not self._probe_done.is_set():
            return LLMStatus(backend=self.backend, state="loading",
                             mode=f"{self.label} (loading; the no-LLM mode answers meanwhile)")
        return LLMStatus(backend=self.backend, state="ready", mode=f"{self.label} (role: {self.role})")

    def _probe(self, probe: Callable[[], None]) -> None:
        try:
            probe()
        except LLMError as exc:
            self._failure = str(exc)
            log.warning("LLM backend %s unavailable, using the no-LLM mode: %s", self.backend, exc)
        except Exception as exc:  # never let a probe take the app down
            self._failure = type(exc).__name__
            log.warning("LLM backend %s probe failed: %s", self.backend, type(exc).__name__)
        finally:
            self._probe_done.set()

    def wait_ready(self, timeout_s: float | None = None) -> bool:
        """Block until loading/probing ends; True when the model is ready."""
        if self._loading is not None:
            self._loading.wait(timeout_s)
        self._probe_done.wait(timeout_s)
        return self.status().state == "ready"

    @contextmanager
    def turn_slot(self, timeout_s: float) -> Iterator[bool]:
        """Hold the model for one chat turn; yields False when it did not come free within `timeout_s`.
        Chat turns go before background work (`background_slot`)."""
        with self._waiting_lock:
            self._turns_waiting += 1
        got = self.slots.acquire(timeout=max(0.0, timeout_s))
        with self._waiting_lock:
            self._turns_waiting -= 1
            self._waiting_lock.notify_all()
        try:
            yield got
        finally:
            if got:
                self.slots.release()

    def turn_waiting(self) -> bool:
        """True while a chat turn waits for the model (background work then stops at once)."""
        return self._turns_waiting > 0

    @contextmanager
    def background_slot(self) -> Iterator[None]:
        """Hold the model for background work (selling points), only while no chat turn waits for it."""
        while True:
            with self._waiting_lock:
                self._waiting_lock.wait_for(lambda: self._turns_waiting == 0)
            if self.slots.acquire(timeout=0.5):
                with self._waiting_lock:
                    if self._turns_waiting == 0:
                        break
                self.slots.release()
        try:
            yield
        finally:
            self.slots.release()

    def close(self) -> None:
        """Free a local model (also done at exit)."""
        if self._close is not None:
            self._close()


def resolve_backend(settings: Settings) -> Backend:
    """`auto`: llamacpp for a .gguf LLM_MODEL (measured faster than transformers on CPU, README), transformers
    for another LLM_MODEL, openai when a server is configured, else none."""
    if settings.llm_backend != "auto":
        return settings.llm_backend
    if settings.llm_model.endswith(".gguf"):
        return "llamacpp"
    if settings.llm_model:
        return "transformers"
    if settings.openai_base_url or settings.openai_api_key.get_secret_value():
        return "openai"
    return "none"


def build_chat_model(settings: Settings, *, probe: bool = True, background: bool = True) -> LLMHandle:
    """The LLM handle for the configured backend; loading and probing run in the background."""
    backend = resolve_backend(settings)
    role = None if settings.llm_role == "auto" else settings.llm_role
    try:
        if backend == "none":
            return LLMHandle("none")
        if backend == "llamacpp":
            return _llamacpp(settings, role, background)
        if backend == "transformers":
            return _transformers(settings, role, background)
        return _openai(settings, role, probe)
    except Exception as exc:  # a missing package or a bad setting: run without the LLM
        return _failed(backend, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")


def _llamacpp(settings: Settings, role: Role | None, background: bool) -> LLMHandle:
    from chatbot.llm.llamacpp_backend import ChatLlamaCpp, LlamaCppRuntime

    if not settings.llm_model:
        return _failed("llamacpp", "LLM_MODEL must be the path of a .gguf file")
    runtime = LlamaCppRuntime(settings.llm_model, n_ctx=settings.llm_context_tokens, threads=settings.llm_threads,
                              background=background)
    chat, background_work = (ChatLlamaCpp(runtime=runtime, model_name=runtime.path.name, slot=slot,
                                          max_tokens=settings.llm_max_new_tokens) for slot in (0, 1))
    return LLMHandle("llamacpp", chat, loading=runtime.load, role=role, close=runtime.close, name=runtime.path.name,
                     label=f"LLM: llama.cpp {runtime.path.name}", background_model=background_work)


def _transformers(settings: Settings, role: Role | None, background: bool) -> LLMHandle:
    from chatbot.llm.transformers_backend import ChatLocalTransformers, TransformersRuntime

    runtime = TransformersRuntime(settings.llm_model, threads=settings.llm_threads, background=background)
    model = ChatLocalTransformers(runtime=runtime, max_tokens=settings.llm_max_new_tokens)
    return LLMHandle("transformers", model, loading=runtime.load, role=role, name=Path(runtime.name).name,
                     label=f"LLM: local transformers {Path(runtime.name).name}")


def _openai(settings: Settings, role: Role | None, probe: bool) -> LLMHandle:
    from chatbot.llm.openai_backend import OpenAIErrors, build_openai, probe_openai, public_url

    key = settings.openai_api_key.get_secret_value()
    if not key and not settings.openai_base_url:
        return _failed("openai", "no OPENAI_API_KEY and no OPENAI_BASE_URL set")
    model = build_openai(settings.llm_model, settings.openai_base_url, key, settings.llm_timeout_s,
                         settings.llm_max_retries, settings.llm_max_new_tokens)
    check = (lambda: probe_openai(model, settings.openai_base_url, min(10.0, settings.llm_timeout_s))) if probe else None
    return LLMHandle("openai", model, secrets=(key,) if key else (), probe=check, role=role, slots=4,
                     describe_error=OpenAIErrors(settings.openai_base_url), name=model.model_name,
                     label=f"LLM: openai-compatible {model.model_name} via {public_url(settings.openai_base_url)}")


def _failed(backend: str, why: str) -> LLMHandle:
    log.warning("LLM backend %s unavailable, using the no-LLM mode: %s", backend, why)
    return LLMHandle(backend, None, failure=why)
