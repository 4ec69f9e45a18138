"""Paradigm 2: selling points written once per item, offline (`enrich`, or in the background after indexing),
cached on disk. A chat turn only reads them (the catalog's own, then the cache): nobody waits for them. Items
with neither get their points from catalog facts in the dialogue layer, not here.

Cache key = (item.content_hash(), prompt version, model name, language): a restart or a re-index never
rewrites them; changing the item, the prompt or the model does.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from chatbot.errors import LLMError
from chatbot.items import Item
from chatbot.llm.base import chunk_text
from chatbot.llm.grounding import FactChecker, leaks_prompt, replace_ids
from chatbot.prompts import load_prompt

log = logging.getLogger(__name__)

Source = Literal["catalog", "cache", "llm"]
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


class Preempted(LLMError):
    """Background writing stopped because a chat turn needs the model."""


class SellingPointWriter:
    """Writes 2-3 grounded bullets for an item with a chat model. A failed request is retried by LangChain's
    `with_retry`."""

    def __init__(self, model: BaseChatModel | None, model_name: str = "none", max_new_tokens: int = 160,
                 retries: int = 1) -> None:
        self.model = model  # None: nothing to write (the no-LLM mode builds points from facts at chat time)
        self.model_name = model_name if model is not None else "none"
        self.max_new_tokens = max_new_tokens
        self.retries = retries

    def version(self, lang: str) -> str:
        return load_prompt("selling_points", lang).version

    def write(self, item: Item, lang: str = "en", stop: Callable[[], bool] | None = None) -> SellingPoints | None:
        """LLM bullets that pass the fact check; None when fewer than two survive; LLMError when the model fails.
        With `stop`, the answer streams and generation ends (Preempted) as soon as `stop()` is true."""
        if self.model is None:
            raise LLMError("no model to write selling points with")
        prompt = load_prompt("selling_points", lang)
        messages = prompt.render(item=item.to_text())
        model = self.model.bind(max_tokens=self.max_new_tokens, temperature=0.3)
        try:
            answer = self._streamed(model, messages, stop) if stop is not None else chunk_text(
                model.with_retry(stop_after_attempt=self.retries + 1, wait_exponential_jitter=False).invoke(messages))
        except Exception as exc:  # every model failure is an LLMError here
            raise exc if isinstance(exc, LLMError) else LLMError(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
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
        return SellingPoints(item_id=item.id, points=kept[:3], source="llm") if len(kept) >= 2 else None


    @staticmethod
    def _streamed(model: Runnable, messages: list, stop: Callable[[], bool]) -> str:
        text = ""
        for chunk in model.stream(messages):  # closing the stream stops the runtime's generation
            if stop():
                raise Preempted("a chat turn needs the model")
            text += chunk_text(chunk)
        return text


def selling_points_for(items: Iterable[Item], cache: SellingPointCache | None, model_name: str,
                       lang: str = "en") -> dict[str, SellingPoints]:
    """Selling points for chat-time candidates, without calling a model: the catalog's own, else the cache
    (written by `enrich` for `model_name`). Items with neither are left out. Never raises."""
    result: dict[str, SellingPoints] = {}
    version = load_prompt("selling_points", lang).version
    for item in items:
        if item.selling_points:
            result[item.id] = SellingPoints(item_id=item.id, points=item.selling_points[:3], source="catalog")
            continue
        cached = cache.get(SellingPointCache.key(item, version, model_name, lang)) \
            if cache is not None and model_name != "none" else None
        if cached:
            result[item.id] = SellingPoints(item_id=item.id, points=cached, source="cache")
    return result


class EnrichReport(BaseModel):
    written: int = 0
    cached: int = 0
    template: int = 0  # nothing usable written: the chat builds these from catalog facts
    failed: int = 0
    seconds: float = 0.0


def enrich_items(items: Sequence[Item], writer: SellingPointWriter, cache: SellingPointCache,
                 limit: int | None = None, progress: bool = True, *, langs: Sequence[str] = ("en", "zh"),
                 lock: Callable[[], AbstractContextManager] | None = None,
                 preempt: Callable[[], bool] | None = None) -> EnrichReport:
    """Fill the cache for up to `limit` items lacking selling points (`python -m chatbot enrich`, and in the
    background after indexing). `lock`: makes the context that holds the model, per item (chat turns first);
    `preempt`: true when a chat turn waits for the model, which then stops writing at once and tries the item
    again once the turn is done."""
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
                points = _write_between_turns(writer, item, lang, lock, preempt)
            except LLMError as exc:
                log.warning("selling points for %s (%s) failed: %s", item.id, lang, exc)
                report.failed += 1
                continue
            if points is None:
                report.template += 1
                continue
            cache.put(key, item.id, points.points, points.source)
            report.written += 1
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _write_between_turns(writer: SellingPointWriter, item: Item, lang: str,
                         lock: Callable[[], AbstractContextManager] | None,
                         preempt: Callable[[], bool] | None) -> SellingPoints | None:
    """One item's points, holding the model only between chat turns (and leaving it the moment one waits)."""
    if lock is None:
        return writer.write(item, lang)
    while True:
        with lock():
            try:
                return writer.write(item, lang, stop=preempt)
            except Preempted:
                log.debug("selling points for %s (%s) paused for a chat turn", item.id, lang)
