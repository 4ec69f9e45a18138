"""A local Hugging Face chat model (a hub id, a folder, or a `.gguf` file) as a LangChain chat model.

Loads on a background thread; runs the model's chat template and streams token by token. A GGUF file is
loaded by transformers itself (`from_pretrained(folder, gguf_file=name)`, needs `gguf` and `accelerate`).
A `response_format` (OpenAI style: a JSON schema, or any JSON object) constrains decoding through
lm-format-enforcer (json_constraint.py); the picker's validator stays the last line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from chatbot.errors import LLMError
from chatbot.llm.base import BackgroundLoad
from chatbot.llm.json_constraint import allowed_tokens_fn, response_schema

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"


class TransformersRuntime:
    """Tokenizer and model, loaded in the background; one generation at a time."""

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int | None = None, background: bool = True) -> None:
        self.name = model or DEFAULT_MODEL
        self.threads = threads
        self.generate_lock = threading.Lock()
        self.load = BackgroundLoad(Path(self.name).name, self._load, background)

    def _load(self) -> tuple[object, object]:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self.threads:
            torch.set_num_threads(self.threads)
        source, extra = self.name, {}
        if self.name.endswith(".gguf"):
            path = Path(self.name).expanduser()
            if not path.is_file():
                raise LLMError(f"model file {path} not found")
            source, extra = str(path.parent), {"gguf_file": path.name}
        tokenizer = AutoTokenizer.from_pretrained(source, **extra)
        if not getattr(tokenizer, "chat_template", None):
            raise LLMError("the tokenizer has no chat template (not a chat model)")
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, **extra)
        model.eval()
        return tokenizer, model


class ChatLocalTransformers(BaseChatModel):
    """LangChain chat model over `TransformersRuntime` (streams with `TextIteratorStreamer`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runtime: TransformersRuntime
    max_tokens: int = 256
    temperature: float = 0.2

    @property
    def _llm_type(self) -> str:
        return "transformers"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        chunks = list(self._stream(messages, stop, run_manager, **kwargs))
        message = AIMessageChunk(content="")
        for chunk in chunks:
            message += chunk.message
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        tokenizer, model = self.runtime.load.get()  # type: ignore[misc]
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        halt = threading.Event()

        class _Halt(StoppingCriteria):
            def __call__(self, input_ids, scores, **_: Any) -> bool:
                return halt.is_set()

        inputs = tokenizer.apply_chat_template(convert_to_openai_messages(messages), add_generation_prompt=True,
                                               return_dict=True, return_tensors="pt")
        prompt_tokens = int(inputs["input_ids"].shape[-1])
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        temperature = float(kwargs.get("temperature", self.temperature))
        options = dict(**inputs, max_new_tokens=int(kwargs.get("max_tokens", self.max_tokens)), streamer=streamer,
                       stopping_criteria=StoppingCriteriaList([_Halt()]), pad_token_id=tokenizer.eos_token_id,
                       do_sample=temperature > 0, **({"temperature": temperature, "top_p": 0.9} if temperature > 0 else {}))
        constrain, schema = response_schema(kwargs.get("response_format"))
        if constrain:  # valid JSON by construction (lm-format-enforcer), the validator stays the last line
            options["prefix_allowed_tokens_fn"] = allowed_tokens_fn(tokenizer, schema)
        failure: list[BaseException] = []
        generated: list[int] = []

        def run() -> None:
            with self.runtime.generate_lock:
                try:
                    output = model.generate(**options)
                    generated.append(int(output.shape[-1]) - prompt_tokens)
                except Exception as exc:  # surfaced to the reader below
                    failure.append(exc)
                    streamer.end()

        started = time.monotonic()
        worker = threading.Thread(target=run, name="generate", daemon=True)
        worker.start()
        try:
            for text in streamer:
                if text:
                    if run_manager:
                        run_manager.on_llm_new_token(text)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))
        except Exception as exc:  # queue.Empty: no token within the streamer's timeout
            raise LLMError(f"local model {self.runtime.name} stalled") from exc
        finally:
            halt.set()  # the reader stopped (or finished): end generation early
        worker.join(timeout=5)
        if failure:
            raise LLMError(f"local model {self.runtime.name} failed: {type(failure[0]).__name__}")
        out = generated[0] if generated else 0
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", usage_metadata=UsageMetadata(input_tokens=prompt_tokens, output_tokens=out,
                                                     total_tokens=prompt_tokens + out),
            response_metadata={"seconds": round(time.monotonic() - started, 3)}))
