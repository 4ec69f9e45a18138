"""Conversation suites (../shared/dialogues/FORMAT.md): the typed model of a suite file, loading it, and
resolving every item reference against its catalog before anything is played.

A suite that names an unknown item, names one ambiguously, or uses an unknown check or `where` field is
invalid: `SuiteError` says which file, conversation, turn and reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chatbot.catalogs import resolve_catalog
from chatbot.config import Settings
from chatbot.errors import ChatbotError
from chatbot.items import Item
from chatbot.loaders import load_catalog
from chatbot.items import Lang

ITEM_CHECKS = ("picks_subset_of", "first_pick_in", "picks_include_any", "picks_exclude",
               "liked", "liked_include", "disliked_include", "liked_exclude")
_YEAR_SUFFIX = re.compile(r"^(.*?)\s*[(（]\s*(\d{4})\s*[)）]$")


class SuiteError(ChatbotError):
    """The suite itself is wrong (not the bot): the message names file, conversation, turn and reference."""


def _as_text_list(value: object) -> object:
    """A single value becomes a one-entry list; numbers (a title such as 2046) become text."""
    if value is None:
        return value
    values = value if isinstance(value, list) else [value]
    return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in values]


class Where(BaseModel):
    """Facts every pick must satisfy."""

    model_config = ConfigDict(extra="forbid")

    genres_any: list[str] | None = None
    genres_none: list[str] | None = None
    country_in: list[str] | None = None
    language_in: list[str] | None = None
    kind_in: list[str] | None = None
    year_min: int | None = None
    year_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    people_any: list[str] | None = None
    tags_any: list[str] | None = None

    coerce_lists = field_validator("genres_any", "genres_none", "country_in", "language_in", "kind_in", "people_any",
                             "tags_any", mode="before")(_as_text_list)


class Expect(BaseModel):
    """The checks of one turn (FORMAT.md's table); all optional."""

    model_config = ConfigDict(extra="forbid")

    picks_subset_of: list[str] | None = None
    first_pick_in: list[str] | None = None
    picks_include_any: list[str] | None = None
    picks_exclude: list[str] | None = None
    n_picks: int | None = Field(default=None, ge=0)
    min_picks: int | None = Field(default=None, ge=0)
    max_picks: int | None = Field(default=None, ge=0)
    where: Where | None = None
    no_repeat: bool | None = None
    reply_lang: Lang | None = None
    reply_mentions_any: list[str] | None = None
    reply_excludes: list[str] | None = None
    liked: list[str] | None = None
    liked_include: list[str] | None = None
    disliked_include: list[str] | None = None
    liked_exclude: list[str] | None = None

    coerce_lists = field_validator(*ITEM_CHECKS, "reply_mentions_any", "reply_excludes", mode="before")(_as_text_list)

    def given(self) -> list[str]:
        """The checks this turn asks for, in the table's order (`no_repeat: false` asks for nothing)."""
        return [name for name in type(self).model_fields
                if getattr(self, name) is not None and not (name == "no_repeat" and not self.no_repeat)]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str
    expect: Expect | None = None

    @field_validator("user", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    catalog: str = Field(min_length=1)
    lang: Lang
    note: str = ""
    turns: list[Turn] = Field(min_length=1)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ResolvedTurn(BaseModel):
    """One turn with its item references turned into catalog ids."""

    user: str
    expect: Expect | None = None
    item_ids: dict[str, list[str]] = Field(default_factory=dict)  # check -> ids, for the ITEM_CHECKS given
    mentions: list[list[str]] = Field(default_factory=list)  # reply_mentions_any: each entry's accepted texts


class ResolvedConversation(BaseModel):
    suite: str
    id: str
    catalog: str  # what the service opens: a shipped name or an absolute path
    lang: Lang
    turns: list[ResolvedTurn]


@dataclass
class CatalogRefs:
    """Item references of one catalog: id, exact `title` or `title_zh` (any case), optionally `Title (year)`."""

    items: dict[str, Item]
    by_title: dict[str, list[Item]] = field(default_factory=dict)

    @classmethod
    def build(cls, items: Iterable[Item]) -> CatalogRefs:
        refs = cls(items={item.id: item for item in items})
        for item in refs.items.values():
            for title in {t for t in (item.title, item.title_zh) if t}:
                refs.by_title.setdefault(_key(title), []).append(item)
        return refs

    def matches(self, ref: str) -> list[Item]:
        text = ref.strip()
        if text.startswith("《") and text.endswith("》"):
            text = text[1:-1].strip()
        if text in self.items:
            return [self.items[text]]
        found = self.by_title.get(_key(text), [])
        if found:
            return found
        year_form = _YEAR_SUFFIX.match(text)
        if year_form:
            year = int(year_form.group(2))
            return [i for i in self.by_title.get(_key(year_form.group(1)), []) if i.year == year]
        return []

    def resolve(self, ref: str) -> str:
        """The one item id `ref` names; ValueError when it names none or several."""
        found = self.matches(ref)
        if not found:
            raise ValueError(f"item reference '{ref}' matches no item of the catalog")
        if len(found) > 1:
            options = ", ".join(f"{i.id} ({i.year})" if i.year else i.id for i in found)
            raise ValueError(f"item reference '{ref}' is ambiguous: it matches {options}; add the year, e.g. "
                             f"'{ref} ({found[0].year})', or use the id")
        return found[0].id


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def item_texts(item: Item) -> list[str]:
    """The texts that count as naming `item` in a reply (either language)."""
    return [t for t in dict.fromkeys([item.title, item.title_zh]) if t]


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: `user: no` is the message "no", not False."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _where(path: Path, conv: str, turn: int | None = None) -> str:
    place = f"suite {path}, conversation '{conv}'"
    return place if turn is None else f"{place}, turn {turn}"


def _explain(exc: ValidationError, skip: int = 0) -> str:
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"][skip:])
        if error["type"] == "extra_forbidden":
            kind = "where field" if "where" in error["loc"] else "check" if "expect" in error["loc"] else "field"
            parts.append(f"unknown {kind} '{error['loc'][-1]}'")
        else:
            parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)


class SuiteLoader:
    """Reads suite files and resolves them; catalogs are loaded once and shared across files."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalogs: dict[str, tuple[str, CatalogRefs]] = {}

    def catalog(self, name: str, base: Path) -> tuple[str, CatalogRefs]:
        """(what the service opens, the catalog's references) for a catalog name or a path."""
        candidate = Path(name)
        if not candidate.is_absolute() and not candidate.exists() and (base / candidate).exists():
            name = str((base / candidate).resolve())
        if name not in self._catalogs:
            _, path = resolve_catalog(self.settings, name)
            loaded = load_catalog(path)
            self._catalogs[name] = (name, CatalogRefs.build(loaded.items))
        return self._catalogs[name]

    def refs(self, catalog: str) -> CatalogRefs:
        return self._catalogs[catalog][1]

    def load(self, path: Path) -> list[ResolvedConversation]:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a safe loader)
        except (OSError, yaml.YAMLError) as exc:
            raise SuiteError(f"suite {path}: cannot read it: {exc}") from exc
        if not isinstance(raw, list):
            raise SuiteError(f"suite {path}: the file must hold a list of conversations")
        seen: set[str] = set()
        return [self._conversation(path, index, entry, seen) for index, entry in enumerate(raw)]

    def _conversation(self, path: Path, index: int, entry: object, seen: set[str]) -> ResolvedConversation:
        name = str(entry.get("id", f"#{index + 1}")) if isinstance(entry, dict) else f"#{index + 1}"
        raw_turns = entry.get("turns") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(raw_turns, list):
            raise SuiteError(f"{_where(path, name)}: a conversation needs id, catalog, lang and a list of turns")
        turns: list[Turn] = []
        for number, raw_turn in enumerate(raw_turns, start=1):
            try:
                turns.append(Turn.model_validate(raw_turn))
            except ValidationError as exc:
                raise SuiteError(f"{_where(path, name, number)}: {_explain(exc)}") from exc
        try:
            conv = Conversation.model_validate({**entry, "turns": [t.model_dump() for t in turns]})
        except ValidationError as exc:
            raise SuiteError(f"{_where(path, name)}: {_explain(exc)}") from exc
        if conv.id in seen:
            raise SuiteError(f"{_where(path, name)}: the id is used twice in this suite")
        seen.add(conv.id)
        try:
            opened, refs = self.catalog(conv.catalog, path.parent)
        except ChatbotError as exc:
            raise SuiteError(f"{_where(path, name)}: {exc}") from exc
        resolved = [self._turn(path, name, number, turn, refs) for number, turn in enumerate(turns, start=1)]
        return ResolvedConversation(suite=str(path), id=conv.id, catalog=opened, lang=conv.lang, turns=resolved)

    @staticmethod
    def _turn(path: Path, conv: str, number: int, turn: Turn, refs: CatalogRefs) -> ResolvedTurn:
        resolved = ResolvedTurn(user=turn.user, expect=turn.expect)
        if turn.expect is None:
            return resolved
        for check in ITEM_CHECKS:
            values = getattr(turn.expect, check)
            if values is None:
                continue
            ids = []
            for ref in values:
                try:
                    ids.append(refs.resolve(ref))
                except ValueError as exc:
                    raise SuiteError(f"{_where(path, conv, number)}: {check}: {exc}") from exc
            resolved.item_ids[check] = ids
        for entry in turn.expect.reply_mentions_any or []:
            found = refs.matches(entry)
            texts = [entry] + (item_texts(found[0]) if len(found) == 1 else [])
            resolved.mentions.append(list(dict.fromkeys(texts)))
        return resolved


def load_suites(settings: Settings, paths: Iterable[str | Path]) -> tuple[SuiteLoader, list[ResolvedConversation]]:
    """Every conversation of every file, validated and resolved (SuiteError on the first problem)."""
    loader = SuiteLoader(settings)
    conversations: list[ResolvedConversation] = []
    for path in paths:
        conversations += loader.load(Path(path))
    return loader, conversations
