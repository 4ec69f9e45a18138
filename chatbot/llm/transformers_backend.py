"""A local Hugging Face chat model run with its chat template, streamed token by token.

Loading happens on a background thread so the UI can start at once; `status` says
"loading", "ready" or "failed: <why>" and `stream` raises LLMError until the model is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from chatbot.errors import LLMError
from chatbot.llm.base import ChatMessage, ChatModel

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"


class TransformersChatModel(ChatModel):
    backend = "transformers"

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int | None = None, background: bool = True) -> None:
        self.name = model or DEFAULT_MODEL
        self.threads = threads
        self._status = "loading"
        self._ready = threading.Event()
        self._tokenizer = None
        self._model = None
        self.last_generation_tokens = 0
        self._generate_lock = threading.Lock()  # one generation at a time on a small CPU
        if background:
            threading.Thread(target=self._load, name=f"load-{self.name}", daemon=True).start()
        else:
            self._load()

    @property
    def status(self) -> str:
        return self._status

    def describe(self) -> str:
        return f"LLM: local transformers {self.name}"

    def wait_ready(self, timeout_s: float | None = None) -> bool:
        """Block until loading ends (ready or failed); True when ready."""
        self._ready.wait(timeout_s)
        return self._status == "ready"

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            if self.threads:
                torch.set_num_threads(self.threads)
            tokenizer = AutoTokenizer.from_pretrained(self.name)
            if not getattr(tokenizer, "chat_template", None):
                raise LLMError("the tokenizer has no chat template (not a chat model)")
            model = AutoModelForCausalLM.from_pretrained(self.name, dtype=torch.float32)
            model.eval()
            self._tokenizer, self._model = tokenizer, model
            self._status = "ready"
            log.info("transformers model %s loaded in %.1f s", self.name, time.perf_counter() - started)
        except Exception as exc:  # any failure means: run without this model
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            self._status = f"failed: {reason}"
            log.warning("transformers model %s could not load: %s", self.name, reason)
        finally:
            self._ready.set()

    def count_tokens(self, text: str) -> int:
        if self._tokenizer is None:
            return super().count_tokens(text)
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(self, messages: list[ChatMessage], *, max_new_tokens: int = 256, temperature: float = 0.2,
               timeout_s: float = 30.0) -> Iterator[str]:
        if self._status != "ready":
            raise LLMError(f"local model {self.name} is not ready ({self._status})")
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = threading.Event()
        deadline = time.monotonic() + timeout_s

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return stop.is_set() or time.monotonic() > deadline

        class _CountingStreamer(TextIteratorStreamer):
            generated = 0

            def put(self, value) -> None:
                if not (self.skip_prompt and self.next_tokens_are_prompt):
                    self.generated += int(value.shape[-1]) if value.dim() else 1
                super().put(value)

        tokenizer, model = self._tokenizer, self._model
        inputs = tokenizer.apply_chat_template([m.model_dump() for m in messages], add_generation_prompt=True,
                                               return_dict=True, return_tensors="pt")
        streamer = _CountingStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True,
                                        timeout=max(1.0, timeout_s))
        kwargs = dict(**inputs, max_new_tokens=max_new_tokens, streamer=streamer,
                      stopping_criteria=StoppingCriteriaList([_Stop()]), pad_token_id=tokenizer.eos_token_id)
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=0.9)
        else:
            kwargs.update(do_sample=False)
        failure: list[BaseException] = []

        def run() -> None:
            with self._generate_lock:
                try:
                    model.generate(**kwargs)
                except Exception as exc:  # surfaced to the caller below
                    failure.append(exc)
                    streamer.end()

        worker = threading.Thread(target=run, name="generate", daemon=True)
        worker.start()
        try:
            for text in streamer:
                if text:
                    yield text
        except Exception as exc:  # queue.Empty: no token within the timeout
            stop.set()
            raise LLMError(f"local model {self.name} stalled") from exc
        finally:
            stop.set()  # the caller stopped reading (or finished): end generation early
            self.last_generation_tokens = streamer.generated  # diagnostics for the bench only
        if failure:
            raise LLMError(f"local model {self.name} failed: {type(failure[0]).__name__}")
