"""`python -m chatbot index`: build or update the Chroma index of a catalog (safe to re-run)."""

from __future__ import annotations

import argparse
import json

from chatbot.catalogs import resolve_catalog
from chatbot.config import get_settings
from chatbot.embedders import get_embedder
from chatbot.loaders import load_catalog
from chatbot.store import open_index


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("index", help="build or update the index of a catalog",
                                   description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("--catalog", default=None, help="shipped catalog name (movies, products) or a file path")
    parser.add_argument("--format", dest="fmt", choices=["jsonl", "csv", "redial", "douban"], default=None,
                        help="catalog file format (default: detected)")
    parser.add_argument("--name", default=None, help="index name (default: the catalog's file name)")
    parser.add_argument("--strict", action="store_true", help="fail on the first bad row instead of skipping it")
    parser.add_argument("--interactions", default=None,
                        help="interaction data (user_id,item_id,rating CSV) to learn item-item relations from")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    name, path = resolve_catalog(settings, args.catalog or settings.default_catalog)
    loaded = load_catalog(path, fmt=args.fmt, strict=args.strict)
    for error in loaded.errors:
        print(f"skipped: {error}")
    index = open_index(settings, args.name or name, get_embedder(settings))
    report = index.sync(loaded.items, batch_size=settings.embed_batch_size, progress=not args.no_progress)
    summary = {"catalog": str(path), "index": index.name, "embedder": index.embedder.name,
               "items": len(loaded.items), "bad_rows": len(loaded.errors), **report.model_dump()}
    if args.interactions:
        from chatbot.ranking.collaborative import learn_and_store

        summary["interactions"] = learn_and_store(index, loaded.items, args.interactions)
    print(json.dumps(summary, ensure_ascii=False))
    return 0
