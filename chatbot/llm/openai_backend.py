"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, TGI) through LangChain's
`ChatOpenAI`. Timeouts and retries are the library's; the key is never logged or shown."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from chatbot.errors import LLMError

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


def build_openai(model: str, base_url: str, api_key: str, timeout_s: float, max_retries: int,
                 max_tokens: int) -> ChatOpenAI:
    return ChatOpenAI(model=model or DEFAULT_MODEL, base_url=base_url or None, api_key=api_key or "not-needed",
                      timeout=timeout_s, max_retries=max(0, max_retries), max_tokens=max_tokens, temperature=0.2,
                      streaming=True, stream_usage=True)


class OpenAIErrors:
    """Turns the SDK's exceptions into LLMError with a reason a person can act on (never the key)."""

    def __init__(self, base_url: str) -> None:
        self.url = public_url(base_url)

    def __call__(self, exc: Exception) -> LLMError:
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"timeout: {self.url} did not answer in time")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"cannot reach {self.url}")
        if isinstance(exc, openai.AuthenticationError):
            return LLMError(f"{self.url} refused the API key (HTTP 401)")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"{self.url} answered HTTP {exc.status_code}")
        if isinstance(exc, openai.OpenAIError):
            return LLMError(f"{self.url} failed: {type(exc).__name__}")
        return LLMError(f"{self.url} sent a broken stream ({type(exc).__name__})")


def probe_openai(model: ChatOpenAI, base_url: str, timeout_s: float) -> None:
    """Check that the server answers (its model list, else one tiny completion); raises LLMError with a reason."""
    try:
        model.root_client.with_options(timeout=timeout_s, max_retries=0).models.list()
        return
    except (openai.AuthenticationError, openai.APIConnectionError) as exc:
        raise OpenAIErrors(base_url)(exc) from exc
    except openai.OpenAIError:
        pass  # some servers lack /models: try one tiny completion instead
    try:
        model.bind(max_tokens=1, timeout=timeout_s).invoke([HumanMessage("Say OK.")])
    except Exception as exc:  # every SDK failure is described
        raise OpenAIErrors(base_url)(exc) from exc
