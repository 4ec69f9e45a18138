"""`python -m chatbot enrich`: write the selling points of a catalog's items once, with the configured LLM,
into the selling-point cache the chat reads (safe to re-run: cached items cost nothing)."""

from __future__ import annotations

import argparse
import json
import sys

from chatbot.catalogs import resolve_catalog
from chatbot.config import get_settings
from chatbot.errors import LLMError
from chatbot.llm.factory import build_chat_model, resolve_backend
from chatbot.llm.selling_points import SellingPointWriter, enrich_items, open_cache
from chatbot.loaders import load_catalog

NOTHING_TO_WRITE = ("No LLM configured: nothing to write. Without an LLM, selling points are built from "
                    "catalog facts on the fly at chat time; set LLM_BACKEND to fill the cache.")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enrich", help="write LLM selling points for a catalog into the cache",
                                   description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("--catalog", default=None, help="shipped catalog name (movies, products) or a file path")
    parser.add_argument("--format", dest="fmt", choices=["jsonl", "csv", "redial", "douban"], default=None,
                        help="catalog file format (default: detected)")
    parser.add_argument("--limit", type=_count, default=None, help="enrich at most N items (default: all)")
    parser.add_argument("--lang", nargs="+", choices=["en", "zh"], default=["en", "zh"],
                        help="languages to write (default: en zh)")
    parser.add_argument("--wait", type=float, default=600.0,
                        help="seconds to wait for the LLM to load or answer its probe (default: 600)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    name, path = resolve_catalog(settings, args.catalog or settings.default_catalog)
    loaded = load_catalog(path, fmt=args.fmt)
    for error in loaded.errors:
        print(f"skipped: {error}", file=sys.stderr)
    langs = list(dict.fromkeys(args.lang))
    summary: dict[str, object] = {"catalog": str(path), "items": len(loaded.items), "langs": langs}
    if resolve_backend(settings) == "none":
        print(NOTHING_TO_WRITE, file=sys.stderr)
        print(json.dumps({**summary, "llm": "none", "written": 0, "note": NOTHING_TO_WRITE}, ensure_ascii=False))
        return 0
    handle = build_chat_model(settings)
    if not handle.wait_ready(args.wait):
        status = handle.status()
        raise LLMError(f"the {settings.llm_backend} LLM is not ready ({status.state}): "
                       f"{status.detail or 'still loading'}; nothing was written")
    writer = SellingPointWriter(handle.model, handle.model_id, settings.llm_max_new_tokens, settings.llm_max_retries)
    cache = open_cache(settings.data_dir)
    try:
        report = enrich_items(loaded.items, writer, cache, limit=args.limit, progress=not args.no_progress,
                              langs=langs)
        entries = len(cache)
    finally:
        cache.close()
    print(json.dumps({**summary, "llm": handle.status().mode, "model": writer.model_name,
                      "cache": str(cache.path), "cache_entries": entries, **report.model_dump()},
                     ensure_ascii=False))
    return 0
