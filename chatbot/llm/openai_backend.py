"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, TGI) through the `openai` SDK."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import openai

from chatbot.errors import LLMError
from chatbot.llm.base import ChatMessage, ChatModel

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"


def public_url(url: str) -> str:
    """The URL without credentials or query string, safe to show and log."""
    if not url:
        return "https://api.openai.com/v1"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class OpenAIChatModel(ChatModel):
    """Streams from `/v1/chat/completions`. Timeouts and retries are bounded; the key is never logged."""

    backend = "openai"

    def __init__(self, model: str = DEFAULT_MODEL, base_url: str = "", api_key: str = "", timeout_s: float = 30.0,
                 max_retries: int = 1) -> None:
        self.name = model or DEFAULT_MODEL
        self.base_url = public_url(base_url)
        self._client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url or None,
                                     timeout=timeout_s, max_retries=max(0, max_retries))

    def describe(self) -> str:
        return f"LLM: openai-compatible {self.name} via {self.base_url}"

    def stream(self, messages: list[ChatMessage], *, max_new_tokens: int = 256, temperature: float = 0.2,
               timeout_s: float = 30.0) -> Iterator[str]:
        try:
            response = self._client.chat.completions.create(
                model=self.name, messages=[m.model_dump() for m in messages], stream=True,
                max_tokens=max_new_tokens, temperature=temperature, timeout=timeout_s)
            try:
                for chunk in response:
                    if not chunk.choices:
                        continue
                    text = chunk.choices[0].delta.content if chunk.choices[0].delta else None
                    if text:
                        yield text
            finally:
                response.close()
        except openai.APITimeoutError as exc:
            raise LLMError(f"{self.base_url} did not answer within {timeout_s:g} s") from exc
        except openai.APIConnectionError as exc:
            raise LLMError(f"cannot reach {self.base_url}") from exc
        except openai.AuthenticationError as exc:
            raise LLMError(f"{self.base_url} refused the API key (HTTP 401)") from exc
        except openai.APIStatusError as exc:
            raise LLMError(f"{self.base_url} answered HTTP {exc.status_code}") from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"{self.base_url} failed: {type(exc).__name__}") from exc
        except LLMError:
            raise
        except Exception as exc:  # malformed chunks, a connection cut mid-stream (httpx errors)
            raise LLMError(f"{self.base_url} sent a broken stream ({type(exc).__name__})") from exc

    def probe(self, timeout_s: float = 5.0) -> None:
        """Check that the server answers; raises LLMError with a human reason."""
        try:
            self._client.with_options(timeout=timeout_s, max_retries=0).models.list()
            return
        except openai.AuthenticationError as exc:
            raise LLMError(f"{self.base_url} refused the API key (HTTP 401)") from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise LLMError(f"cannot reach {self.base_url}") from exc
        except openai.OpenAIError:
            pass  # some servers lack /models: try one tiny completion instead
        for _ in self.stream([ChatMessage(role="user", content="Say OK.")], max_new_tokens=1, timeout_s=timeout_s):
            break
