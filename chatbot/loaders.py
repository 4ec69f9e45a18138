"""Catalog loading: canonical JSONL, CSV, ReDial `id2info.json` and Douban JSONL into `Item`s.

Every valid row is kept and every bad row becomes a `RowError` (or, with strict=True, a
`CatalogError` listing them). Files are read as bytes and decoded per line, so one broken line
never takes the rest of the file with it.

Formats
-------
jsonl   canonical: one `Item` JSON object per line. Blank lines and lines starting with '#'
        are skipped.
csv     a header row, then one item per row. Columns:
        id,kind,title,title_zh,description,description_zh,year,price,currency,genres,tags,
        language,popularity,selling_points,image_url, plus `people.<role>` columns (people.director,
        people.cast, people.brand, ...) and `attr.<name>` columns (free attributes; cells that
        read as int, float or true/false are parsed, others stay text).
        List cells (genres, tags, selling_points, people.*) are separated by "|".
        Empty cells mean missing. An unknown column is reported once, as a RowError on line 1,
        and its cells are ignored.
redial  ReDial `id2info.json`: {"<movie id>": {"name": "Pari (1995)", "genre": [...],
        "plot": "...", "director": [...], "writer": [...], "star": [...], "imdb_id": "tt..."}}.
        Errors carry the JSON key in `key` instead of a line number.
douban  Douban JSONL (movie_id, title, summary, genres "剧情, 喜剧", directors, actors,
        screenwriters, release_date, countries, languages, runtime, rating, total_ratings).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chatbot.errors import CatalogError
from chatbot.genres import canonical_genre
from chatbot.items import Item

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "redial", "douban")
MAX_LINE_BYTES = 1_000_000  # a longer line is rejected without parsing

CSV_COLUMNS = ("id", "kind", "title", "title_zh", "description", "description_zh", "year", "price",
               "currency", "genres", "tags", "language", "popularity", "selling_points", "image_url")
CSV_LIST_COLUMNS = {"genres", "tags", "selling_points"}
_YEAR_IN_NAME = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>\d{4})\)\s*$")
_YEAR = re.compile(r"(\d{4})")
_CHINESE_LANGUAGES = ("汉语", "普通话", "粤语")


class RowError(BaseModel):
    """One rejected row: where it is and why."""

    file: str
    line: int | None = None
    key: str | None = None
    field: str | None = None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.key is not None:
            where += f":[{self.key}]"
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}: {field}{self.message}"


class LoadResult(BaseModel):
    """The items that loaded, the rows that did not, and the file they came from."""

    items: list[Item]
    errors: list[RowError]
    source: str


# ---------------------------------------------------------------- reading


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise CatalogError(f"catalog file not found: {path}")
    if not path.is_file():
        raise CatalogError(f"catalog path is not a file: {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog file {path}: {exc}") from exc


def _lines(data: bytes, source: str, errors: list[RowError]) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded text) for every non-blank, non-comment line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if len(raw) > MAX_LINE_BYTES:
            errors.append(RowError(file=source, line=number, message=f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(RowError(file=source, line=number, message=f"invalid UTF-8: {exc.reason} at byte {exc.start}"))
            continue
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        yield number, text


def _json_object(text: str, source: str, number: int, errors: list[RowError]) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        message = f"invalid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "invalid JSON: nested too deep"
        errors.append(RowError(file=source, line=number, message=message))
        return None
    if not isinstance(value, dict):
        errors.append(RowError(file=source, line=number, message=f"expected a JSON object, got {type(value).__name__}"))
        return None
    return value


def _validation_errors(exc: ValidationError, source: str, line: int | None, key: str | None) -> list[RowError]:
    out = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or None
        out.append(RowError(file=source, line=line, key=key, field=field, message=err["msg"]))
    return out


class _Collector:
    """Validates rows into Items, rejecting later duplicates of an id."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Item] = []
        self.errors: list[RowError] = []
        self._seen: dict[str, str] = {}

    def add(self, data: dict[str, Any], line: int | None = None, key: str | None = None) -> None:
        try:
            item = Item.model_validate(data)
        except ValidationError as exc:
            self.errors.extend(_validation_errors(exc, self.source, line, key))
            return
        where = str(line) if line is not None else f"key {key!r}"
        if item.id in self._seen:
            first = self._seen[item.id]
            self.errors.append(RowError(file=self.source, line=line, key=key, field="id",
                                        message=f"duplicate id {item.id!r}, first seen on {first}"))
            return
        self._seen[item.id] = f"line {where}" if line is not None else where
        self.items.append(item)


# ---------------------------------------------------------------- formats


def _load_jsonl(data: bytes, source: str) -> _Collector:
    out = _Collector(source)
    for number, text in _lines(data, source, out.errors):
        row = _json_object(text, source, number, out.errors)
        if row is not None:
            out.add(row, line=number)
    return out


def _parse_scalar(cell: str) -> str | int | float | bool:
    lowered = cell.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


def _split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _load_csv(data: bytes, source: str) -> _Collector:
    out = _Collector(source)
    decoded: list[tuple[int, str]] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        if len(raw) > MAX_LINE_BYTES:
            out.errors.append(RowError(file=source, line=number, message=f"line longer than {MAX_LINE_BYTES} bytes"))
            continue
        try:
            decoded.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            out.errors.append(RowError(file=source, line=number, message=f"invalid UTF-8: {exc.reason} at byte {exc.start}"))
    if not decoded:
        return out
    # Keep physical line numbers: parse each record from the text that follows its start line.
    text = "".join(part for _, part in decoded)
    starts = [number for number, _ in decoded]
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    consumed = 0
    try:
        for record in reader:
            line = starts[min(consumed, len(starts) - 1)]
            consumed = reader.line_num
            if header is None:
                header = [name.strip() for name in record]
                for name in header:
                    if name not in CSV_COLUMNS and not name.startswith(("people.", "attr.")):
                        out.errors.append(RowError(file=source, line=line, field=name, message="unknown column"))
                if "id" not in header:
                    out.errors.append(RowError(file=source, line=line, field="id", message="missing required column"))
                continue
            if not any(cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
                continue
            if len(record) != len(header):
                out.errors.append(RowError(file=source, line=line,
                                           message=f"expected {len(header)} cells, got {len(record)}"))
                continue
            out.add(_csv_row(header, record), line=line)
    except csv.Error as exc:
        out.errors.append(RowError(file=source, line=starts[min(consumed, len(starts) - 1)], message=f"invalid CSV: {exc}"))
    return out


def _csv_row(header: list[str], record: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    people: dict[str, list[str]] = {}
    attributes: dict[str, Any] = {}
    for name, cell in zip(header, record):
        cell = cell.strip()
        if not cell:
            continue
        if name.startswith("people."):
            people[name[len("people."):]] = _split_list(cell)
        elif name.startswith("attr."):
            attributes[name[len("attr."):]] = _parse_scalar(cell)
        elif name in CSV_LIST_COLUMNS:
            row[name] = _split_list(cell)
        elif name in CSV_COLUMNS:
            row[name] = cell
    if people:
        row["people"] = people
    if attributes:
        row["attributes"] = attributes
    return row


def _redial_row(key: str, info: dict[str, Any]) -> dict[str, Any]:
    name = info.get("name")
    title, year = name, None
    if isinstance(name, str):
        match = _YEAR_IN_NAME.match(name)
        if match:
            title, year = match.group("title"), int(match.group("year"))
    genres = info.get("genre") or []
    people = {role: info.get(field) or [] for role, field in (("director", "director"), ("writer", "writer"), ("cast", "star"))}
    source_keys = {"source_name": name} if isinstance(name, str) else {}
    if isinstance(info.get("imdb_id"), str):
        source_keys["imdb_id"] = info["imdb_id"]
    return {
        "id": key, "kind": "movie", "title": title, "year": year,
        "genres": [canonical_genre(g) for g in genres if isinstance(g, str)] if isinstance(genres, list) else genres,
        "description": info.get("plot") or "", "people": {k: v for k, v in people.items() if v},
        "source_keys": source_keys, "language": None,
    }


def _load_redial(data: bytes, source: str) -> _Collector:
    out = _Collector(source)
    try:
        top = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CatalogError(f"{source}: not a readable ReDial id2info.json: {exc}") from exc
    if not isinstance(top, dict):
        raise CatalogError(f"{source}: ReDial id2info.json must be a JSON object keyed by movie id")
    for key, info in top.items():
        if not isinstance(info, dict):
            out.errors.append(RowError(file=source, key=key, message="expected a JSON object"))
            continue
        out.add(_redial_row(key, info), key=key)
    return out


def _names(value: Any, separators: str = r"[,，]") -> list[str]:
    if not isinstance(value, str):
        return []
    return [part.strip() for part in re.split(separators, value) if part.strip()]


def _douban_row(row: dict[str, Any]) -> dict[str, Any]:
    movie_id = row.get("movie_id")
    title = row.get("title")
    year = None
    match = _YEAR.search(str(row.get("release_date") or ""))
    if match:
        year = int(match.group(1))
    people = {"director": _names(row.get("directors")), "cast": _names(row.get("actors")),
              "writer": _names(row.get("screenwriters"))}
    attributes: dict[str, Any] = {}
    countries = _names(row.get("countries"), r"[,，/]")
    if countries:
        attributes["country"] = countries[0]
    if isinstance(row.get("rating"), (int, float)) and not isinstance(row.get("rating"), bool):
        attributes["douban_rating"] = row["rating"]
    if isinstance(row.get("runtime"), str) and row["runtime"].strip():
        attributes["runtime"] = row["runtime"].strip()
    languages = [part.strip() for part in str(row.get("languages") or "").split("/") if part.strip()]
    language = "zh" if languages and any(mark in languages[0] for mark in _CHINESE_LANGUAGES) else None
    genres = [canonical_genre(g) for g in _names(row.get("genres"))]
    return {
        "id": f"douban-{movie_id}" if movie_id is not None and movie_id != "" else "", "kind": "movie",
        "title": title, "title_zh": title, "description": "", "description_zh": row.get("summary") or None,
        "year": year, "genres": genres, "people": {k: v for k, v in people.items() if v},
        "attributes": attributes, "popularity": row.get("total_ratings"), "language": language,
    }


def _load_douban(data: bytes, source: str) -> _Collector:
    out = _Collector(source)
    for number, text in _lines(data, source, out.errors):
        row = _json_object(text, source, number, out.errors)
        if row is not None:
            out.add(_douban_row(row), line=number)
    return out


_LOADERS = {"jsonl": _load_jsonl, "csv": _load_csv, "redial": _load_redial, "douban": _load_douban}


# ---------------------------------------------------------------- public API


def detect_format(path: Path, data: bytes) -> str:
    """Guess the format from the extension and the content (see the module docstring)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        try:
            top = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return "jsonl"
        if isinstance(top, dict) and top and all(isinstance(v, dict) and "name" in v for v in top.values()):
            return "redial"
        return "jsonl"
    for _, text in _lines(data, str(path), []):
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(value, dict):
            return "douban" if "movie_id" in value and "summary" in value else "jsonl"
    return "jsonl"


def load_catalog(path: Path | str, fmt: str | None = None, strict: bool = False) -> LoadResult:
    """Load a catalog file; bad rows become `errors` (or a CatalogError when strict)."""
    path = Path(path)
    if fmt is not None and fmt not in _LOADERS:
        raise CatalogError(f"unknown catalog format {fmt!r}; expected one of {', '.join(FORMATS)}")
    data = _read_bytes(path)
    fmt = fmt or detect_format(path, data)
    source = str(path)
    collected = _LOADERS[fmt](data, source)
    result = LoadResult(items=collected.items, errors=collected.errors, source=source)
    if result.errors:
        logger.warning("%s: %d items loaded, %d rows rejected", source, len(result.items), len(result.errors))
    if strict and result.errors:
        shown = "\n".join(str(err) for err in result.errors[:20])
        more = f"\n... and {len(result.errors) - 20} more" if len(result.errors) > 20 else ""
        raise CatalogError(f"{source}: {len(result.errors)} bad rows\n{shown}{more}")
    return result


def write_jsonl(items: Iterable[Item], path: Path | str) -> None:
    """Write items in the canonical JSONL format, atomically (temp file, then os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for item in items:
                handle.write(json.dumps(item.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False))
                handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
