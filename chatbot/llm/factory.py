"""Build the configured chat model; never raise. A backend that cannot start leaves the app on `none`."""

from __future__ import annotations

import logging
import threading
from typing import Literal

from pydantic import BaseModel

from chatbot.config import Settings
from chatbot.errors import LLMError
from chatbot.llm.base import ChatModel

log = logging.getLogger(__name__)

NO_LLM_MODE = "No LLM: answers are built from catalog facts"
NO_LLM_MODE_ZH = "无 LLM 模式：回答由目录中的事实生成"


class LLMStatus(BaseModel):
    backend: str  # what was asked for: none | transformers | openai
    state: Literal["off", "loading", "ready", "failed"]
    mode: str  # one human-readable line for the UI
    detail: str = ""  # why it failed, when it did


class LLMHandle:
    """The process-wide LLM: the model when it is ready, else None (the no-LLM mode answers)."""

    def __init__(self, backend: str, model: ChatModel | None = None, failure: str = "",
                 secrets: tuple[str, ...] = ()) -> None:
        self.backend = backend
        self.secrets = secrets  # values no reply may contain (the API key); pass to pick_and_explain
        self._model = model
        self._failure = failure
        self._probe_done = threading.Event()
        if model is None or not hasattr(model, "probe"):
            self._probe_done.set()

    @property
    def model(self) -> ChatModel | None:
        """The chat model to use for this turn, or None when the no-LLM mode must answer."""
        return self._model if self.status().state == "ready" else None

    def status(self) -> LLMStatus:
        if self._model is None:
            if self._failure:
                return LLMStatus(backend=self.backend, state="failed", detail=self._failure,
                                 mode=f"{NO_LLM_MODE} ({self.backend} unavailable: {self._failure})")
            return LLMStatus(backend=self.backend, state="off", mode=NO_LLM_MODE)
        load_state = getattr(self._model, "status", "ready")
        describe = getattr(self._model, "describe", lambda: f"LLM: {self._model.name}")()
        if self._failure or load_state.startswith("failed"):
            why = self._failure or load_state.removeprefix("failed: ")
            return LLMStatus(backend=self.backend, state="failed", detail=why,
                             mode=f"{NO_LLM_MODE} ({self.backend} unavailable: {why})")
        if load_state == "loading" or not self._probe_done.is_set():
            return LLMStatus(backend=self.backend, state="loading",
                             mode=f"{describe} (loading; the no-LLM mode answers meanwhile)")
        return LLMStatus(backend=self.backend, state="ready", mode=describe)

    def _probe(self, timeout_s: float) -> None:
        try:
            self._model.probe(timeout_s)  # type: ignore[union-attr]
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
        self._probe_done.wait(timeout_s)
        waiter = getattr(self._model, "wait_ready", None)
        if waiter is not None:
            waiter(timeout_s)
        return self.status().state == "ready"


def build_chat_model(settings: Settings, *, probe: bool = True) -> LLMHandle:
    """The LLM handle for `settings.llm_backend`; loading and probing run in the background."""
    backend = settings.llm_backend
    try:
        if backend == "none":
            return LLMHandle("none")
        if backend == "transformers":
            from chatbot.llm.transformers_backend import TransformersChatModel

            return LLMHandle(backend, TransformersChatModel(settings.llm_model))
        if backend == "openai":
            from chatbot.llm.openai_backend import OpenAIChatModel

            key = settings.openai_api_key.get_secret_value()
            if not key and not settings.openai_base_url:
                return _failed(backend, "no OPENAI_API_KEY and no OPENAI_BASE_URL set")
            model = OpenAIChatModel(settings.llm_model, settings.openai_base_url, key,
                                    timeout_s=settings.llm_timeout_s, max_retries=settings.llm_max_retries)
            handle = LLMHandle(backend, model, secrets=(key,) if key else ())
            if probe:
                threading.Thread(target=handle._probe, args=(min(10.0, settings.llm_timeout_s),),
                                 name="llm-probe", daemon=True).start()
            else:
                handle._probe_done.set()
            return handle
        return _failed(backend, f"unknown LLM_BACKEND '{backend}'")
    except Exception as exc:  # a missing package or a bad setting: run without the LLM
        return _failed(backend, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")


def _failed(backend: str, why: str) -> LLMHandle:
    log.warning("LLM backend %s unavailable, using the no-LLM mode: %s", backend, why)
    return LLMHandle(backend, None, failure=why)
