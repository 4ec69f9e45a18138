"""`python -m chatbot index`: build or update the Chroma index of a catalog (safe to re-run)."""

from __future__ import annotations

import argparse
import json
import time

from chatbot.catalogs import resolve_catalog
from chatbot.config import get_settings
from chatbot.embedders import get_embedder
from chatbot.loaders import load_catalog
from chatbot.shipped_vectors import load_vectors, save_vectors, stale_items
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
    parser.add_argument("--export-vectors", action="store_true",
                        help="write the index's vectors beside the catalog file (<catalog>.<embedder>.vectors.npz), "
                             "so that a fresh start restores them instead of embedding")
    parser.add_argument("--no-shipped-vectors", action="store_true",
                        help="embed every new or changed item even when a shipped vectors file has it")
    parser.add_argument("--check-vectors", action="store_true",
                        help="only check that the shipped vectors file matches the catalog; exit 1 when stale")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    name, path = resolve_catalog(settings, args.catalog or settings.default_catalog)
    loaded = load_catalog(path, fmt=args.fmt, strict=args.strict)
    for error in loaded.errors:
        print(f"skipped: {error}")
    embedder = get_embedder(settings)
    if args.check_vectors:
        stale = stale_items(path, embedder.name, embedder.dim, loaded.items)
        print(json.dumps({"catalog": str(path), "embedder": embedder.name, "stale": len(stale), "examples": stale[:5]}))
        return 1 if stale else 0
    index = open_index(settings, args.name or name, embedder)
    shipped = {} if args.no_shipped_vectors else load_vectors(path, embedder.name, embedder.dim)
    started = time.perf_counter()
    report = index.sync(loaded.items, batch_size=settings.embed_batch_size, progress=not args.no_progress,
                        shipped=shipped)
    seconds = time.perf_counter() - started
    summary = {"catalog": str(path), "index": index.name, "embedder": index.embedder.name,
               "items": len(loaded.items), "bad_rows": len(loaded.errors), **report.model_dump(),
               "embedded": report.embedded, "seconds": round(seconds, 1),
               "embedded_per_s": round(report.embedded / seconds, 1) if report.embedded else None}
    if args.export_vectors:
        summary["vectors_file"] = str(save_vectors(path, embedder.name, loaded.items, index.all_vectors()))
    if args.interactions:
        from chatbot.ranking.collaborative import learn_and_store

        summary["interactions"] = learn_and_store(index, loaded.items, args.interactions)
    print(json.dumps(summary, ensure_ascii=False))
    return 0
