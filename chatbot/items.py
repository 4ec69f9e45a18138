"""The catalog item: one typed model for movies, series and e-commerce products."""

from __future__ import annotations

import hashlib
import json
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

ItemKind = Literal["movie", "series", "product"]
Lang = Literal["en", "zh"]  # the one language type: reply language, message language, UI language
Scalar = str | int | float | bool

MAX_TEXT_CHARS = 4000  # longer descriptions are cut when rendered for the embedder and the LLM


class Item(BaseModel):
    """One catalog entry. `title`/`description` are the primary (usually English) text,
    `title_zh`/`description_zh` the Chinese text where one exists."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    kind: ItemKind
    title: str = Field(min_length=1, max_length=500)
    title_zh: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", max_length=20000)
    description_zh: str | None = Field(default=None, max_length=20000)
    year: int | None = Field(default=None, ge=1870, le=2100)
    price: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, max_length=8)
    genres: list[str] = Field(default_factory=list)  # genres for films, categories for products
    people: dict[str, list[str]] = Field(default_factory=dict)  # role -> names: director, cast, brand
    tags: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, max_length=16)  # original language, e.g. "en", "zh"
    popularity: float | None = Field(default=None, ge=0)  # any non-negative prior: votes, sales
    selling_points: list[str] = Field(default_factory=list)
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    # how the source data names the item (ReDial's "Title (Year)", an IMDb id): joins dialogues and ratings to
    # it; identifiers, not facts, so never embedded, shown or given to the model
    source_keys: dict[str, str] = Field(default_factory=dict)
    image_url: str | None = Field(default=None, max_length=2000)  # a picture the browser loads (http/https only)

    @field_validator("genres", "tags")
    @classmethod
    def _normalise_labels(cls, values: list[str]) -> list[str]:
        seen: list[str] = []
        for value in values:
            label = value.strip().lower()
            if label and label not in seen:
                seen.append(label)
        return seen

    @field_validator("image_url")
    @classmethod
    def _web_image(cls, value: str | None) -> str | None:
        """Only absolute http(s) URLs without spaces or quotes: the page puts it in an <img src>."""
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in " \"'<>`\\"):
            raise ValueError("image_url must be an absolute http:// or https:// URL")
        return value

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    def display_title(self, lang: str = "en") -> str:
        if lang == "zh" and self.title_zh:
            return self.title_zh
        return self.title

    def display_description(self, lang: str = "en") -> str:
        if lang == "zh" and self.description_zh:
            return self.description_zh
        return self.description or (self.description_zh or "")

    def to_text(self) -> str:
        """The text the embedder and the LLM see: every fact the catalog holds, nothing else."""
        lines = [f"{self.title}" + (f" / {self.title_zh}" if self.title_zh else "")]
        facts = [self.kind]
        if self.year:
            facts.append(str(self.year))
        if self.price is not None:
            facts.append(f"{self.price:g} {self.currency or ''}".strip())
        if self.language:
            facts.append(f"language {self.language}")
        lines.append(", ".join(facts))
        if self.genres:
            lines.append("Genres: " + ", ".join(self.genres))
        for role, names in self.people.items():
            if names:
                lines.append(f"{role.capitalize()}: " + ", ".join(names))
        if self.tags:
            lines.append("Tags: " + ", ".join(self.tags))
        for text in (self.description, self.description_zh):
            if text:
                lines.append(text[:MAX_TEXT_CHARS])
        if self.selling_points:
            lines.append("Selling points: " + "; ".join(self.selling_points))
        for key, value in self.attributes.items():
            lines.append(f"{key}: {value}")
        return "\n".join(lines)

    def content_hash(self) -> str:
        """Stable hash of the item's data: what its embedding and its cached text features depend on."""
        # the picture changes neither the embedding nor the text; an item without source keys hashes as before they existed
        data = self.model_dump(exclude={"image_url"} | (set() if self.source_keys else {"source_keys"}))
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
