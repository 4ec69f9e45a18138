"""The project's small error tree. Library code raises these; only the UI edge turns them into friendly text."""


class ChatbotError(Exception):
    """Base class for every error this project raises on purpose."""


class CatalogError(ChatbotError):
    """A catalog file could not be read, or (with --strict) held a bad row."""


class StoreError(ChatbotError):
    """The vector index could not be built, opened or queried."""


class EmbedderError(ChatbotError):
    """No embedding backend could be loaded."""


class LLMError(ChatbotError):
    """The chat model failed: down, timed out, or answered something unusable."""


class PromptError(ChatbotError):
    """A prompt file is missing or was rendered without one of its variables."""
