"""Hard constraints on what may be recommended, passed to Chroma as `where` data, never as text."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chatbot.items import Item


class Constraints(BaseModel):
    """Hard filters. Empty lists and None mean 'no constraint'."""

    kinds: list[str] = Field(default_factory=list)
    genres_include: list[str] = Field(default_factory=list)  # item must have at least one
    genres_exclude: list[str] = Field(default_factory=list)  # item must have none
    year_min: int | None = None
    year_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    languages: list[str] = Field(default_factory=list)
    # checked in Python only (`accepts`): the ranker filters every candidate with it, Chroma's `where` need not
    countries: list[str] = Field(default_factory=list)  # attributes.country must be one of these
    people: list[str] = Field(default_factory=list)  # the item lists one of these names (any role)
    people_all: list[str] = Field(default_factory=list)  # ...and every one of these
    people_exclude: list[str] = Field(default_factory=list)  # the item lists none of these names
    tags_any: list[str] = Field(default_factory=list)  # the item has at least one of these tags
    tags_and: list[str] = Field(default_factory=list)  # ...and at least one of these ("要防水的" after speakers)
    tags_exclude: list[str] = Field(default_factory=list)  # the item has none of these tags

    def is_empty(self) -> bool:
        return self == Constraints()

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma `where` filter for these constraints (item metadata as written by `item_metadata`)."""
        clauses: list[dict[str, Any]] = []
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if len(self.genres_include) == 1:
            clauses.append({"genres": {"$contains": self.genres_include[0]}})
        elif self.genres_include:
            clauses.append({"$or": [{"genres": {"$contains": g}} for g in self.genres_include]})
        for genre in self.genres_exclude:
            clauses.append({"genres": {"$not_contains": genre}})
        if self.year_min is not None:
            clauses.append({"year": {"$gte": self.year_min}})
        if self.year_max is not None:
            clauses.append({"year": {"$lte": self.year_max}})
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if self.languages:
            clauses.append({"language": {"$in": list(self.languages)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, item: Item) -> bool:
        """The same test in Python, for items that do not come from a Chroma query."""
        if self.kinds and item.kind not in self.kinds:
            return False
        if self.genres_include and not set(self.genres_include) & set(item.genres):
            return False
        if set(self.genres_exclude) & set(item.genres):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if self.year_max is not None and (item.year is None or item.year > self.year_max):
            return False
        if self.price_min is not None and (item.price is None or item.price < self.price_min):
            return False
        if self.price_max is not None and (item.price is None or item.price > self.price_max):
            return False
        if self.languages and item.language not in self.languages:
            return False
        if self.countries and str(item.attributes.get("country", "")) not in self.countries:
            return False
        if self.people or self.people_all or self.people_exclude:
            names = {n for role in item.people.values() for n in role}
            if (self.people and not names & set(self.people)) or not set(self.people_all) <= names \
                    or names & set(self.people_exclude):
                return False
        if self.tags_any and not set(self.tags_any) & set(item.tags):
            return False
        if self.tags_and and not set(self.tags_and) & set(item.tags):
            return False
        return not set(self.tags_exclude) & set(item.tags)


def item_metadata(item: Item) -> dict[str, Any]:
    """Flat Chroma metadata for an item: the fields filters need. Missing values are left out,
    so an item with no year never matches a year range."""
    meta: dict[str, Any] = {"kind": item.kind, "content_hash": item.content_hash()}
    if item.genres:
        meta["genres"] = list(item.genres)
    if item.year is not None:
        meta["year"] = item.year
    if item.price is not None:
        meta["price"] = float(item.price)
    if item.language:
        meta["language"] = item.language
    return meta
