"""`python -m chatbot interactions`: write interaction CSVs (user_id,item_id,rating,timestamp,source)
from MovieLens or from ReDial-format dialogue files, joined to a catalog's item ids."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("interactions", help="import interaction data for the collaborative signal",
                                   description=__doc__.split(":", 1)[1].strip())
    kinds = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    ml = kinds.add_parser("import-movielens", help="MovieLens ratings.csv + links.csv -> interactions (by IMDb id)")
    ml.add_argument("--ratings", required=True)
    ml.add_argument("--links", required=True)
    dialogs = kinds.add_parser("import-dialogs", help="ReDial-format dialogues -> one user per dialogue")
    dialogs.add_argument("--dialogs", required=True, nargs="+")
    for sub in (ml, dialogs):
        sub.add_argument("--catalog", required=True, help="catalog file whose item ids the rows use")
        sub.add_argument("--format", dest="fmt", default=None)
        sub.add_argument("--out", required=True, help="CSV to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chatbot.loaders import load_catalog
    from chatbot.ranking.dialog_context import DialogReader
    from chatbot.ranking.interactions import (dialogue_interactions, import_movielens, read_dialogs,
                                              write_interactions)

    items = load_catalog(args.catalog, fmt=args.fmt).items
    if args.action == "import-movielens":
        rows = import_movielens(args.ratings, args.links, items)
    else:
        name_to_id = DialogReader(items).name_to_id
        rows = [row for path in args.dialogs for row in dialogue_interactions(read_dialogs(path), name_to_id)]
    written = write_interactions(rows, args.out)
    print(json.dumps({"out": args.out, "rows": written, "users": len({r.user_id for r in rows}),
                      "items": len({r.item_id for r in rows})}))
    return 0
