"""`python -m chatbot bench`: benchmarks that print numbers beside a baseline or floor."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chatbot.config import PROJECT_ROOT, get_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="run a benchmark",
                                   description=__doc__.split(":", 1)[1].strip())
    kinds = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")

    retrieval = kinds.add_parser("retrieval", help="Chroma vs brute force: indexing rate, latency, recall")
    retrieval.add_argument("--items", type=int, nargs="+", default=[10000, 100000])
    retrieval.add_argument("--queries", type=int, default=200)
    retrieval.add_argument("-k", type=int, default=10)

    embedders = kinds.add_parser("embedders", help="compare the packaged embedders (quality, speed)")
    embedders.add_argument("--redial", default=str(PROJECT_ROOT.parent / "shared" / "data" / "redial"))
    embedders.add_argument("--limit", type=int, default=500, help="ReDial turns to score")
    embedders.add_argument("--catalog-sample", type=int, default=None,
                           help="rank the labelled items plus a random sample of the rest, N items in all")
    embedders.add_argument("--throughput-items", type=int, default=300,
                           help="ReDial catalog items embedded to measure indexing speed (0: skip)")
    embedders.add_argument("--speed-only", action="store_true", help="only load time and indexing speed")

    llm = kinds.add_parser("llm", help="llama.cpp vs transformers; recommendation turns per model role")
    llm.add_argument("--turns", type=int, default=12, help="recommendation turns per role")
    llm.add_argument("--roles", nargs="+", choices=["pick", "explain"], default=["explain", "pick"])
    llm.add_argument("--no-runtimes", action="store_true", help="skip the llama.cpp vs transformers comparison")

    load = kinds.add_parser("load", help="drive a running app with concurrent sessions")
    load.add_argument("--url", required=True)
    load.add_argument("--users", type=int, default=10)
    load.add_argument("--turns", type=int, default=5)

    first = kinds.add_parser("first-minute", help="fresh copy, empty data folder: seconds to the page and to the "
                                                  "first recommendation; then a restart on the full data folder")
    first.add_argument("--question", default=None, help="asked the moment the page answers")
    first.add_argument("--timeout", type=float, default=600.0)

    ranker = kinds.add_parser("ranker", help="per-turn cost of the full ranker at catalog size and 100k items")
    ranker.add_argument("--items", type=int, nargs="+", default=[0, 100000], help="0 = the catalog as it is")
    ranker.add_argument("--turns", type=int, default=200)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.bench == "retrieval":
        from chatbot.benchmarks.retrieval import run_retrieval_bench
        from chatbot.embedders import get_embedder

        result = run_retrieval_bench(settings, get_embedder(settings), args.items, args.queries, args.k)
    elif args.bench == "embedders":
        from chatbot.benchmarks.embedders import run_embedder_bench

        result = run_embedder_bench(settings, Path(args.redial), args.limit, args.catalog_sample,
                                    args.throughput_items, args.speed_only)
    elif args.bench == "llm":
        from chatbot.benchmarks.llm import run_llm_bench

        result = run_llm_bench(settings, turns=args.turns, roles=tuple(args.roles), runtimes=not args.no_runtimes)
    elif args.bench == "load":
        from chatbot.benchmarks.load import run_load_bench

        result = run_load_bench(args.url, args.users, args.turns)
    elif args.bench == "first-minute":
        from chatbot.benchmarks.first_minute import QUESTION, run_first_minute

        result = run_first_minute(args.question or QUESTION, timeout_s=args.timeout)
    else:
        from chatbot.benchmarks.ranker import run_ranker_bench

        result = run_ranker_bench(settings, args.items, args.turns)
    print(json.dumps(result, ensure_ascii=False))
    return 0
