"""Paradigm 2: selling points written once per item, cached on disk, template text as the fallback.

Cache key = (item.content_hash(), prompt version, model name, language): a restart or a re-index never
rewrites them; changing the item, the prompt or the model does.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import ChatModel, complete_within
from chatbot.llm.grounding import FactChecker, leaks_prompt, replace_ids
from chatbot.item_text import selling_points_from_facts
from chatbot.prompts import load_prompt

log = logging.getLogger(__name__)

Source = Literal["catalog", "cache", "llm", "template"]
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)、]|[（(]?\d+[)）])\s*")


class SellingPoints(BaseModel):
    item_id: str
    points: list[str]
    source: Source


class SellingPointCache:
    """A sqlite file under data_dir. A corrupt or truncated file is logged, set aside and rebuilt."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            return self._rebuild(exc)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            conn.execute("CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, item_id TEXT, points TEXT, "
                         "source TEXT, created REAL)")
            conn.commit()
            return conn
        except sqlite3.DatabaseError:
            conn.close()
            raise

    def _rebuild(self, exc: Exception) -> sqlite3.Connection:
        broken = self.path.with_name(self.path.name + f".corrupt-{int(time.time())}")
        log.warning("selling-point cache %s is unreadable (%s); set aside as %s and rebuilt", self.path, exc,
                    broken.name)
        for suffix in ("", "-journal", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(broken) + suffix))
        return self._connect()

    @staticmethod
    def key(item: Item, prompt_version: str, model: str, lang: str) -> str:
        return f"{item.content_hash()}|{prompt_version}|{model}|{lang}"

    def get(self, key: str) -> list[str] | None:
        with self._lock:
            try:
                row = self._conn.execute("SELECT points FROM points WHERE key = ?", (key,)).fetchone()
            except sqlite3.DatabaseError as exc:
                self._conn = self._rebuild(exc)
                return None
        return [p for p in row[0].split("\n") if p] if row else None

    def put(self, key: str, item_id: str, points: Sequence[str], source: str) -> None:
        with self._lock:
            try:
                with self._conn:  # one transaction: the row is written whole or not at all
                    self._conn.execute("INSERT OR REPLACE INTO points VALUES (?, ?, ?, ?, ?)",
                                       (key, item_id, "\n".join(points), source, time.time()))
            except sqlite3.DatabaseError as exc:
                self._conn = self._rebuild(exc)

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_cache(data_dir: Path) -> SellingPointCache:
    return SellingPointCache(Path(data_dir) / "selling_points.sqlite")


def parse_bullets(text: str, max_chars: int = 160) -> list[str]:
    """Bullets from a model answer: one per line, list markers removed, blank and overlong lines dropped."""
    bullets = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip().strip('"“”').strip()
        if line and len(line) <= max_chars and not line.endswith(":") and not line.endswith("："):
            bullets.append(line)
    return bullets


class SellingPointWriter:
    """Writes 2-3 grounded bullets for an item with a chat model (or templates when `model` is None)."""

    def __init__(self, model: ChatModel | None, max_new_tokens: int = 160) -> None:
        self.model = model
        self.max_new_tokens = max_new_tokens

    @property
    def model_name(self) -> str:
        return f"{self.model.backend}:{self.model.name}" if self.model else "none"

    def version(self, lang: str) -> str:
        return load_prompt("selling_points", lang).version

    def write(self, item: Item, lang: str = "en", timeout_s: float = 30.0) -> SellingPoints:
        """LLM bullets that pass the fact check; raises LLMError when the model fails."""
        if self.model is None:
            return SellingPoints(item_id=item.id, points=selling_points_from_facts(item, lang), source="template")
        prompt = load_prompt("selling_points", lang)
        messages = prompt.render(item=item.to_text())
        answer = complete_within(self.model, messages, timeout_s, self.max_new_tokens, temperature=0.3)
        checker = FactChecker(item)
        kept = []
        for bullet in parse_bullets(answer):
            bullet = replace_ids(bullet, {item.id: item.display_title(lang)})
            problems = checker.problems(bullet)
            if problems or leaks_prompt(bullet, [prompt.system]):
                log.info("selling point for %s dropped (%s): %.80s", item.id, ", ".join(problems) or "leak", bullet)
                continue
            if bullet not in kept:
                kept.append(bullet)
        if len(kept) < 2:
            return SellingPoints(item_id=item.id, points=selling_points_from_facts(item, lang), source="template")
        return SellingPoints(item_id=item.id, points=kept[:3], source="llm")


def selling_points_for(items: Iterable[Item], writer: SellingPointWriter, cache: SellingPointCache | None,
                       lang: str = "en", budget_s: float = 4.0) -> dict[str, SellingPoints]:
    """Selling points for chat-time candidates: catalog, then cache, then the model within `budget_s`,
    else templates. Never raises."""
    deadline = time.monotonic() + budget_s
    result: dict[str, SellingPoints] = {}
    for item in items:
        if item.selling_points:
            result[item.id] = SellingPoints(item_id=item.id, points=item.selling_points[:3], source="catalog")
            continue
        if writer.model is None:
            result[item.id] = writer.write(item, lang)
            continue
        key = SellingPointCache.key(item, writer.version(lang), writer.model_name, lang)
        cached = cache.get(key) if cache is not None else None
        if cached:
            result[item.id] = SellingPoints(item_id=item.id, points=cached, source="cache")
            continue
        left = deadline - time.monotonic()
        points = None
        if left > 0.2:
            try:
                points = writer.write(item, lang, timeout_s=left)
                if cache is not None:
                    cache.put(key, item.id, points.points, points.source)
            except LLMError as exc:
                log.info("selling points for %s fell back to templates: %s", item.id, exc)
        result[item.id] = points or SellingPoints(item_id=item.id, points=selling_points_from_facts(item, lang),
                                                  source="template")
    return result


class EnrichReport(BaseModel):
    written: int = 0
    cached: int = 0
    template: int = 0
    failed: int = 0
    seconds: float = 0.0


def enrich_items(items: Sequence[Item], writer: SellingPointWriter, cache: SellingPointCache,
                 limit: int | None = None, progress: bool = True, *, langs: Sequence[str] = ("en", "zh"),
                 timeout_s: float = 60.0) -> EnrichReport:
    """Fill the cache for up to `limit` items lacking selling points (`python -m chatbot enrich`)."""
    from tqdm import tqdm

    started = time.perf_counter()
    report = EnrichReport()
    todo = [i for i in items if not i.selling_points][: limit if limit is not None else None]
    if writer.model is None:  # the no-LLM texts are built on the fly; nothing to store
        report.template = len(todo) * len(langs)
        return report
    for item in tqdm(todo, desc=f"selling points ({writer.model_name})", unit="item", disable=not progress):
        for lang in langs:
            key = SellingPointCache.key(item, writer.version(lang), writer.model_name, lang)
            if cache.get(key):
                report.cached += 1
                continue
            try:
                points = writer.write(item, lang, timeout_s=timeout_s)
            except LLMError as exc:
                log.warning("selling points for %s (%s) failed: %s", item.id, lang, exc)
                report.failed += 1
                continue
            cache.put(key, item.id, points.points, points.source)
            report.written += points.source == "llm"
            report.template += points.source == "template"
    report.seconds = round(time.perf_counter() - started, 3)
    return report
