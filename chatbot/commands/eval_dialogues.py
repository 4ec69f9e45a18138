"""`python -m chatbot eval-dialogues`: play conversation suites (../shared/dialogues/FORMAT.md) through the
chat service the app uses, with the configured LLM backend, and score every check. The JSON summary is
printed last. Exit 0 whatever the pass rate; 2 when a suite is invalid or the service cannot start.
"""

from __future__ import annotations

import argparse
import json
import sys

LLM_LOAD_TIMEOUT_S = 900.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval-dialogues", help="play conversation suites and score their checks",
                                   description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("--suite", nargs="+", required=True, metavar="FILE", help="suite YAML files")
    parser.add_argument("--json", action="store_true", help="print only the JSON summary line")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="play only the first N conversations")
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="play only conversations in this language")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chatbot.config import get_settings
    from chatbot.evaluation.dialogues import run_conversations
    from chatbot.evaluation.suite import load_suites
    from chatbot.service import ChatService

    settings = get_settings()
    loader, conversations = load_suites(settings, args.suite)  # SuiteError (exit 2) before anything starts
    if args.lang:
        conversations = [c for c in conversations if c.lang == args.lang]
    if args.limit is not None:
        conversations = conversations[: max(args.limit, 0)]
    service = ChatService(settings)
    if settings.llm_backend != "none":
        service.llm.wait_ready(LLM_LOAD_TIMEOUT_S)
    quiet = args.json
    result = run_conversations(service, loader, conversations, args.suite,
                               progress=None if quiet else lambda line: print(line, file=sys.stderr))
    summary = result.summary()
    if not quiet:
        _print_report(summary, result)
    print(json.dumps(summary.model_dump(), ensure_ascii=False))
    return 0


def _print_report(summary, result) -> None:
    print(f"{summary.conversations} conversations, {summary.turns} turns, {summary.checks} checks: "
          f"{summary.passed} passed ({summary.pass_rate:.1%}); LLM: {summary.llm}")
    print(f"{'check':20} {'passed':>7} {'checks':>7} {'rate':>7}")
    for name, count in [*summary.by_check.items(), *((f"lang {k}", v) for k, v in summary.by_lang.items())]:
        rate = count.passed / count.checks if count.checks else 0.0
        print(f"{name:20} {count.passed:>7} {count.checks:>7} {rate:>7.1%}")
    print(f"turn ms p50 {summary.turn_ms_p50}, p95 {summary.turn_ms_p95}; first cards ms p50 "
          f"{summary.first_cards_ms_p50}, p95 {summary.first_cards_ms_p95}; picked by {summary.picker_sources}")
    for ms, conversation, turn, user in result.slowest:
        print(f"slow {ms} ms: {conversation} turn {turn} {user!r}")
    for failure in result.failures:
        print(f"FAIL {failure.conversation} turn {failure.turn} [{failure.check}] {failure.user!r}\n"
              f"     expected {failure.expected}\n     got {failure.got}")
