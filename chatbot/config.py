"""Configuration: read once from the environment (and .env) into one typed settings object.

Every variable is listed with its default in `.env.example`. On a Hugging Face Space, secrets and
variables arrive as environment variables and map straight onto these fields.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Catalogs and storage
    catalog_dir: Path = Field(default=PROJECT_ROOT / "catalog", description="Folder of shipped catalogs")
    default_catalog: str = Field(default="movies", description="Catalog the app opens with")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Index, caches and state")

    # Embeddings (paradigm 1)
    embedder: Literal["auto", "e5", "minilm", "sentence-transformers"] = "auto"
    embedder_model: str = Field(default="", description="Model id or path for EMBEDDER=sentence-transformers")
    embed_batch_size: int = 64

    # Chroma: embedded PersistentClient under data_dir unless CHROMA_HOST is set
    chroma_host: str = ""
    chroma_port: int = 8000
    chroma_ssl: bool = False

    # LLM (paradigms 2 and 3)
    # auto: llamacpp for a local .gguf LLM_MODEL, transformers for another LLM_MODEL, openai when
    # OPENAI_BASE_URL or OPENAI_API_KEY is set, else none
    llm_backend: Literal["auto", "none", "llamacpp", "transformers", "openai"] = "auto"
    llm_model: str = ""  # a .gguf path, a hub id or folder, or the server's model name; empty = backend default
    llm_role: Literal["auto", "pick", "explain"] = "auto"  # auto: explain on local models, pick on servers
    llm_threads: int = 2  # CPU threads for a local model
    llm_context_tokens: int = 4096  # llama.cpp context window, per slot (chat turns, background work)
    openai_base_url: str = ""
    openai_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 1
    llm_max_new_tokens: int = 256
    llm_turn_budget_s: float = 12.0  # the model's answer must be complete by then, else the ranker's stays
    llm_extraction_budget_s: float = 2.0  # model reading of a message the parser found nothing in
    llm_extraction: bool = True  # let the model read messages the deterministic parser is unsure about
    llm_enrich_in_background: bool = True  # write missing selling points after indexing when a model is set
    llm_explain_top: int = 2  # role explain: the model writes the reasons of the first N cards (the pick, the runner-up)

    # Chat
    max_message_chars: int = 2000
    recommendations_per_turn: int = 3
    candidates_for_llm: int = 6

    # Gradio server (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT are read by gradio itself too)
    gradio_server_name: str = "127.0.0.1"
    gradio_server_port: int = 7860
    queue_concurrency: int = 16  # turns in progress at once; one waiting for a busy model holds no CPU
    queue_max_size: int = 64

    log_level: str = "INFO"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own `Settings(...)` instead."""
    return Settings()
