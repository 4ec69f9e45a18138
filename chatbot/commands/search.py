"""`python -m chatbot search`: query a catalog's index by text or by liked items, with filters."""

from __future__ import annotations

import argparse
import json

from chatbot.catalogs import resolve_catalog
from chatbot.config import get_settings
from chatbot.embedders import get_embedder
from chatbot.filters import Constraints
from chatbot.loaders import load_catalog
from chatbot.store import open_index


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="search a catalog by text or liked items",
                                   description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("query", nargs="?", default="", help="free text, in any language")
    parser.add_argument("--catalog", default=None, help="shipped catalog name or file path")
    parser.add_argument("--name", default=None, help="index name (default: the catalog's file name)")
    parser.add_argument("-k", type=int, default=10, help="how many results")
    parser.add_argument("--like", nargs="*", default=[], metavar="ID", help="item ids to find more like")
    parser.add_argument("--dislike", nargs="*", default=[], metavar="ID", help="item ids to move away from")
    parser.add_argument("--kind", nargs="*", default=[], help="movie, series, product")
    parser.add_argument("--genre", nargs="*", default=[], help="genres or categories, any of them")
    parser.add_argument("--exclude-genre", nargs="*", default=[], help="genres or categories to leave out")
    parser.add_argument("--year-min", type=int)
    parser.add_argument("--year-max", type=int)
    parser.add_argument("--price-min", type=float)
    parser.add_argument("--price-max", type=float)
    parser.add_argument("--language", nargs="*", default=[], help="original language codes, e.g. zh en")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    name, path = resolve_catalog(settings, args.catalog or settings.default_catalog)
    items = {item.id: item for item in load_catalog(path).items}
    index = open_index(settings, args.name or name, get_embedder(settings))
    if index.count() < len(items):
        index.sync(list(items.values()), batch_size=settings.embed_batch_size)
    constraints = Constraints(kinds=args.kind, genres_include=args.genre, genres_exclude=args.exclude_genre,
                              year_min=args.year_min, year_max=args.year_max, price_min=args.price_min,
                              price_max=args.price_max, languages=args.language)
    where = constraints.to_where()
    if args.like or args.dislike:
        hits = index.query_like(args.like, args.dislike, k=args.k, where=where)
    elif args.query:
        hits = index.query_text(args.query, args.k, where=where)
    else:
        print("error: give a query or --like IDs")
        return 2
    results = [{"id": item_id, "score": round(score, 4), "title": items[item_id].title if item_id in items else None,
                "title_zh": items[item_id].title_zh if item_id in items else None,
                "year": items[item_id].year if item_id in items else None,
                "price": items[item_id].price if item_id in items else None}
               for item_id, score in hits]
    if args.json:
        print(json.dumps({"query": args.query, "where": where, "results": results}, ensure_ascii=False))
    else:
        for rank, row in enumerate(results, 1):
            extra = row["year"] or (f"{row['price']:g}" if row["price"] is not None else "")
            zh = f" / {row['title_zh']}" if row["title_zh"] and row["title_zh"] != row["title"] else ""
            print(f"{rank:2d}. {row['score']:.3f}  {row['title']}{zh} ({extra})  [{row['id']}]")
    return 0
