"""Interaction data: the documented CSV format and importers (MovieLens, ReDial dialogue files).

Format (UTF-8 CSV with a header): `user_id,item_id,rating[,timestamp][,source]`
- `item_id`: a catalog item id (rows naming unknown items are skipped when learning);
- `rating`: any positive number (a MovieLens star rating, 1.0 for a plain "interacted");
- `timestamp`: optional Unix seconds; `source`: optional label, default "ratings". Rows of each
  source are learned separately (e.g. "ratings" from MovieLens, "dialogue" from chat logs), so
  each gets its own learned weight in the ranker.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel

from chatbot.errors import ChatbotError
from chatbot.items import Item

log = logging.getLogger(__name__)

FIELDS = ("user_id", "item_id", "rating", "timestamp", "source")
DEFAULT_SOURCE = "ratings"
DIALOGUE_SOURCE = "dialogue"


class InteractionError(ChatbotError):
    """An interaction file cannot be read."""


class Interaction(BaseModel):
    user_id: str
    item_id: str
    rating: float = 1.0
    timestamp: int | None = None
    source: str = DEFAULT_SOURCE


def read_interactions(path: str | Path) -> list[Interaction]:
    """Read one interactions CSV. Raises InteractionError on a missing file or header."""
    path = Path(path)
    if not path.exists():
        raise InteractionError(f"No interactions file at {path}")
    rows: list[Interaction] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"user_id", "item_id"} - set(reader.fieldnames or [])
        if missing:
            raise InteractionError(f"{path}: header must start user_id,item_id,rating (missing {sorted(missing)})")
        for line, row in enumerate(reader, start=2):
            try:
                rating = float(row.get("rating") or 1.0)
                stamp = row.get("timestamp") or None
                rows.append(Interaction(user_id=row["user_id"], item_id=row["item_id"], rating=rating,
                                        timestamp=int(float(stamp)) if stamp else None,
                                        source=(row.get("source") or DEFAULT_SOURCE).strip()))
            except (ValueError, TypeError) as exc:
                log.warning("%s line %d skipped: %s", path, line, exc)
    return rows


def read_many(paths: str | Path | Sequence[str | Path] | None) -> list[Interaction]:
    """Read several files (a list, or one string with comma-separated paths)."""
    if not paths:
        return []
    if isinstance(paths, (str, Path)):
        paths = [p for p in str(paths).split(",") if p.strip()]
    rows: list[Interaction] = []
    for path in paths:
        rows.extend(read_interactions(Path(str(path).strip())))
    return rows


def write_interactions(rows: Iterable[Interaction], path: str | Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow([row.user_id, row.item_id, f"{row.rating:g}",
                             "" if row.timestamp is None else row.timestamp, row.source])
            count += 1
    return count


def _imdb_key(value: object) -> str | None:
    text = str(value or "").strip().lower().removeprefix("tt")
    return str(int(text)) if text.isdigit() else None


def import_movielens(ratings: str | Path, links: str | Path, items: Sequence[Item]) -> list[Interaction]:
    """MovieLens ratings.csv + links.csv -> interactions on catalog ids, joined by the item's IMDb id
    (`source_keys.imdb_id`, or an `imdb_id` attribute in a catalog of one's own)."""
    by_imdb = {}
    for item in items:
        key = _imdb_key(item.source_keys.get("imdb_id") or item.attributes.get("imdb_id"))
        if key:
            by_imdb.setdefault(key, item.id)
    movie_to_item: dict[str, str] = {}
    with Path(links).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = _imdb_key(row.get("imdbId"))
            if key and key in by_imdb:
                movie_to_item[row["movieId"]] = by_imdb[key]
    rows: list[Interaction] = []
    with Path(ratings).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            item_id = movie_to_item.get(row["movieId"])
            if item_id is None:
                continue
            stamp = row.get("timestamp")
            rows.append(Interaction(user_id=f"ml:{row['userId']}", item_id=item_id, rating=float(row["rating"]),
                                    timestamp=int(stamp) if stamp else None, source=DEFAULT_SOURCE))
    log.info("MovieLens: %d ratings on %d catalog items", len(rows), len(set(movie_to_item.values())))
    return rows


def dialogue_interactions(turns: Iterable[dict], name_to_id: dict[str, str]) -> list[Interaction]:
    """ReDial-format turns -> one user per dialogue: 1.0 for movies the recommender suggested,
    0.5 for movies only mentioned. Reads `context` and `rec` only."""
    from chatbot.ranking.dialog_context import find_titles

    scores: dict[str, dict[str, float]] = {}
    for turn in turns:
        mine = scores.setdefault(str(turn["dialog_id"]), {})
        for text in turn.get("context", []):
            for item_id in find_titles(text, name_to_id):
                mine[item_id] = max(mine.get(item_id, 0.0), 0.5)
        for name in turn.get("rec", []):
            if name in name_to_id:
                mine[name_to_id[name]] = 1.0
    return [Interaction(user_id=f"dialog:{dialog}", item_id=item_id, rating=rating, source=DIALOGUE_SOURCE)
            for dialog, mine in scores.items() for item_id, rating in mine.items()]


def read_dialogs(path: str | Path) -> list[dict]:
    """A ReDial-format JSONL file (one recommender turn per line)."""
    path = Path(path)
    if not path.exists():
        raise InteractionError(f"No dialogue file at {path}")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
