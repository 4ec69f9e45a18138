"""`python -m chatbot eval`: the ReDial protocol on any ReDial-format dialogue file.

Every turn's `context` is read into a ranking request (never `rec`, `resp`, `template` or
`entity`), the whole catalog is ranked by the same Ranker the chat uses, and Recall@1/10/50 and
NDCG@10 of the `rec` labels are printed. `--cv K` tunes the weights on K-1 folds of the file's
dialogues and scores the K-th (dialogue co-occurrence from the training folds only): the
cross-validated figure. `--save-weights PATH` fits on the whole file and writes the weights.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime, timezone

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="Recall@K / NDCG of the ranker on a ReDial-format dialogue file",
                                   description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("--catalog", required=True, help="catalog file (e.g. ../shared/data/redial/id2info.json)")
    parser.add_argument("--format", dest="fmt", default=None, help="catalog format (default: detected)")
    parser.add_argument("--dialogs", required=True, help="ReDial-format JSONL (dialog_id, turn_id, context, rec)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N labelled turns")
    parser.add_argument("--baseline", action="append", choices=["popularity", "random"], default=[],
                        help="also score a reference ranker in the same run (repeatable)")
    parser.add_argument("--interactions", nargs="+", default=None,
                        help="interaction CSVs (default: what is stored beside the index, if anything)")
    parser.add_argument("--signals", action="store_true", help="also score each signal alone")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="tune on K-1 folds, score the K-th")
    parser.add_argument("--model", action="append", default=None, metavar="MODEL",
                        help="what --cv and --save-weights fit: deep (linear + networks, default), linear, lambdarank "
                             "(linear + LightGBM trees), or KIND-without-GROUP (a signal group left out: "
                             "seeker, rejected, svd, new), each optionally with :dedup (fitted on the dedup objective: "
                             "novel labels only, named items never ranked, as in the chat); repeat to compare in the "
                             "same run (the first is the ranker)")
    parser.add_argument("--protocol", action="append", choices=["all", "dedup"], default=None,
                        help="all: every label (default); dedup: labels named earlier in the dialogue dropped and "
                             "items already named never ranked, as in the chat; repeat for both side by side")
    parser.add_argument("--train-share", type=float, default=1.0, metavar="F",
                        help="with --cv: tune on (and learn dialogue co-occurrence from) only this share of the "
                             "training folds' dialogues, scored on the same test turns (a learning curve)")
    parser.add_argument("--seed", type=int, default=0, help="fold assignment seed for --cv / --save-weights")
    parser.add_argument("--save-weights", default=None, metavar="PATH",
                        help="fit weights on all turns of --dialogs and write them to PATH (the first --model; "
                             "any others to PATH-MODEL.json beside it)")
    parser.add_argument("--weights", default=None, metavar="PATH", help="ranker weights (default: shipped)")
    parser.add_argument("--rerank", choices=["llm"], default=None,
                        help="also let the configured chat model (LLM_MODEL / LLM_BACKEND) re-rank the ranker's top 10 "
                             "on each turn (use with --limit: seconds per turn on a CPU), scored beside the ranker "
                             "alone on the same turns")
    parser.add_argument("--name", default=None, help="index name (default: the catalog file's name)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    from pathlib import Path

    from chatbot.config import get_settings
    from chatbot.embedders import get_embedder
    from chatbot.loaders import load_catalog
    from chatbot.evaluation import tuning
    from chatbot.ranking import collaborative
    from chatbot.ranking.dialog_context import DialogReader
    from chatbot.evaluation.redial import evaluate, to_eval_turns
    from chatbot.ranking.interactions import read_dialogs, read_many
    from chatbot.ranking.ranker import Ranker, load_weights
    from chatbot.store import open_index

    models = args.model or ["deep"]
    protocols = list(dict.fromkeys(args.protocol or ["all"]))
    try:
        for name in models:
            tuning.check_model(name)
    except ValueError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    if not 0 < args.train_share <= 1:
        print("eval: --train-share must be in (0, 1]", file=sys.stderr)
        return 2
    settings = get_settings()
    catalog = Path(args.catalog)
    loaded = load_catalog(catalog, fmt=args.fmt)
    items = loaded.items
    index = open_index(settings, args.name or catalog.stem, get_embedder(settings))
    index.sync(items, batch_size=settings.embed_batch_size, progress=not args.json)
    base_rows = read_many(args.interactions) if args.interactions else []
    base = collaborative.learn(base_rows, items) if args.interactions else collaborative.load(index)
    weights = load_weights(args.weights)
    ranker = Ranker(index, items, collab=base, weights=weights)
    reader = DialogReader(items)
    turns = to_eval_turns(read_dialogs(args.dialogs), reader)
    if args.limit:
        turns = turns[:args.limit]
    head = {"catalog": str(catalog), "dialogs": str(args.dialogs), "items": len(items), "embedder": index.embedder.name,
            "interactions": {name: s.users for name, s in base.sources.items()}}
    if args.rerank:
        return _rerank(args, settings, ranker, reader, turns, protocols, head)
    if args.save_weights:
        fitted = tuning.fit_all(ranker, reader, turns, base, base_rows, folds=max(args.cv, 5), seed=args.seed,
                                models=models)
        head["saved_weights"] = _save_weights(args, fitted, len(turns), index.embedder.name)
    if args.cv:
        result = tuning.cross_validate(ranker, reader, turns, base, base_rows, folds=args.cv, seed=args.seed,
                                       models=models, baselines=args.baseline, per_signal=args.signals,
                                       protocols=protocols, train_share=args.train_share)
    else:
        result = evaluate(ranker, reader, turns, baselines=args.baseline, per_signal=args.signals,
                          protocols=protocols)
        result["weights"] = weights.meta
    result = {**head, **result}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_table(result)
    return 0


def _rerank(args: argparse.Namespace, settings, ranker, reader, turns, protocols: list[str], head: dict) -> int:
    from chatbot.evaluation.rerank import rerank_turns
    from chatbot.llm.factory import build_chat_model

    handle = build_chat_model(settings, background=False)
    if not handle.wait_ready(900) or handle.model is None:
        print(f"eval: --rerank llm needs a chat model ({handle.status().mode})", file=sys.stderr)
        return 2
    try:
        result = {**head, "llm": handle.status().mode,
                  "rerank": [rerank_turns(ranker, reader, turns, handle.model, protocol, settings.llm_timeout_s,
                                          settings.llm_max_new_tokens) for protocol in protocols]}
    finally:
        handle.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _save_weights(args: argparse.Namespace, fitted: dict, turns: int, embedder: str) -> list[str]:
    """The first model's weights to --save-weights, any others beside it as PATH-MODEL.json."""
    from pathlib import Path

    written = []
    for n, (name, weights) in enumerate(fitted.items()):
        weights.meta = {"fitted_on": str(args.dialogs), "turns": turns, "oof_folds": max(args.cv, 5),
                        "seed": args.seed, "model": name, "interactions": [str(p) for p in (args.interactions or [])],
                        "embedder": embedder, "command": "python -m chatbot " + " ".join(sys.argv[1:]),
                        "written": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        path = Path(args.save_weights)
        path = path if n == 0 else path.with_name(f"{path.stem}-{name.replace(':', '-')}{path.suffix}")
        path.write_text(json.dumps(weights.model_dump()) + "\n", encoding="utf-8")
        written.append(str(path))
    return written


def _print_table(result: dict) -> None:
    cols = ("recall@1", "recall@10", "recall@50", "ndcg@10")
    print(f"{'ranker':36} " + " ".join(f"{c:>10}" for c in cols))
    for protocol, part in (result.get("protocols") or {result.get("protocol", "all"): result}).items():
        rows = [("full ranker", part)]
        rows += [(f"model {n}", r) for n, r in part.get("models", {}).items()]
        rows += [(f"baseline {n}", r) for n, r in part.get("baselines", {}).items()]
        rows += [(f"signal {n}", r) for n, r in part.get("signals", {}).items()]
        for name, r in rows:
            print(f"{protocol + ': ' + name:36} " + " ".join(f"{r[c]:>10.4f}" for c in cols))
    print(f"turns {result['turns']}, labels {result['labels']}, {result['seconds']} s, "
          f"p50 {result.get('ms_per_turn_p50')} ms, p95 {result.get('ms_per_turn_p95')} ms per turn")
