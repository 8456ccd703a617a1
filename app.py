"""kgqa's composition root: reads the environment once and builds the command line.

The graph commands come from ``kg.cli``, the answering ones from ``retrieval.cli``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from kg import ConfigError, Settings
from kg.cli import add_commands, run_command
from retrieval import cli as retrieval_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kgqa",
        description="Knowledge-graph question answering over news articles. Settings: KGQA_* variables (see README).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_commands(sub)
    retrieval_cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The application, not the libraries, decides how logs look.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # bm25s sets its own logger to DEBUG; this application wants its index builds quiet.
    logging.getLogger("bm25s").setLevel(logging.INFO if args.verbose else logging.WARNING)
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"kgqa: error: {exc}", file=sys.stderr)
        return 2
    # Models are packaged; nothing may reach for the network at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    progress = not getattr(args, "quiet", False) and sys.stderr.isatty()
    return run_command(args, settings, open_graph=retrieval_cli.open_for(args.command, progress=progress))


if __name__ == "__main__":
    sys.exit(main())
