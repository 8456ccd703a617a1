"""``kgqa ask``, ``search``, ``eval`` and ``reindex``: the answering commands.

``app.py`` adds them next to the graph commands; ``ingest`` and ``delete`` run
through :class:`Library` so the passage index follows every change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg import KnowledgeGraph

from .library import Library

__all__ = ["add_commands", "open_for", "INDEXED_COMMANDS"]

#: Commands that need the passage index (the rest open the graph alone).
INDEXED_COMMANDS = frozenset({"ingest", "delete", "ask", "search", "eval", "reindex", "stats"})


def open_for(command: str, *, progress: bool = False) -> Any:
    """What ``run_command`` should open for a command: the library, or just the graph."""
    if command == "reindex":
        return lambda settings: Library(settings, rebuild=True, progress=progress)
    if command in INDEXED_COMMANDS:
        return lambda settings: Library(settings, progress=progress)
    return KnowledgeGraph


def _questions(text: str) -> Iterator[str]:
    if text != "-":
        yield text
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def _answerer(library: Library) -> Any:
    from .answer import Answerer

    return Answerer(library)  # with the chat model of KGQA_LLM, if one is set


def _ask(args: argparse.Namespace, library: Library) -> int:
    answerer = _answerer(library)
    status = 0
    for question in _questions(args.question):
        try:
            if args.json:
                print(json.dumps(answerer.ask(question).to_json(), ensure_ascii=False), flush=True)
            elif args.stream and answerer.chat_model is not None:
                final = None
                for chunk in answerer.stream(question):
                    if isinstance(chunk, str):
                        print(chunk, end="", flush=True)
                    else:
                        final = chunk
                print("\n")
                if final is not None:
                    print(final.format())
            else:
                print(answerer.ask(question).format(), end="\n\n" if args.question == "-" else "\n")
        except ValueError as exc:  # an empty or oversized question: say so, go on with the next
            status = 1
            message = {"error": str(exc), "question": question}
            print(json.dumps(message) if args.json else f"kgqa: error: {exc}", file=sys.stdout if args.json else sys.stderr)
    return status


def _search(args: argparse.Namespace, library: Library) -> int:
    from .answer import Answerer

    answerer = Answerer(library)
    for question in _questions(args.question):
        citations = answerer.search(question, k=args.k)
        if args.json:
            print(json.dumps({"question": question, "citations": [c.to_json() for c in citations]},
                             ensure_ascii=False), flush=True)
            continue
        print(f"? {question}")
        for c in citations:
            print(f"[{c.n}] {c.sentence}\n     — {c.label} ({c.article}#char={c.start},{c.end})")
    return 0


def _eval(args: argparse.Namespace, library: Library) -> int:
    from .evaluation import evaluate_qa

    scores = evaluate_qa(args.qa, _answerer(library))
    print(json.dumps(scores.to_json(), indent=1) if args.json else scores.format(details=args.details))
    return 0


def _reindex(args: argparse.Namespace, library: Library) -> int:
    print(f"passage index rebuilt: {len(library.index)} sentences from {len(library.index.articles)} articles")
    return 0


def _stats_and_models(args: argparse.Namespace, library: Library) -> int:
    status = int(args.graph_stats(args, library))
    settings = library.settings
    print(f"passage encoder: {library.embeddings.model_name} ({settings.embedding_backend}), "
          f"{len(library.snapshot().index):,} passages")
    from .relevance import load_relevance

    stage = load_relevance(settings.cross_encoder)
    if stage is None:
        print("cross-encoder: off (KGQA_CROSS_ENCODER=off)")
    else:
        print(f"cross-encoder: {stage.encoder.name} at {stage.encoder.folder}, model.onnx sha256 "
              f"{stage.encoder.checksum}, reads the best {stage.depth} sentences")
    return status


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the answering commands to a ``kgqa`` sub-parser set."""
    p = sub.add_parser("ask", help="answer a question with cited sentences")
    p.add_argument("question", help="the question ('-': one per line from stdin, one answer per line)")
    p.add_argument("--json", action="store_true", help="print the answer contract as JSON")
    p.add_argument("--stream", action="store_true", help="stream the LLM's answer as it is written (KGQA_LLM)")
    p.set_defaults(handler=_ask)

    p = sub.add_parser("search", help="rank stored sentences for a question")
    p.add_argument("question", help="the question ('-': one per line from stdin)")
    p.add_argument("-k", type=int, default=10, help="how many sentences (default 10)")
    p.add_argument("--json", action="store_true", help="print citations as JSON")
    p.set_defaults(handler=_search)

    p = sub.add_parser("eval", help="answer accuracy, evidence hits, abstention and latency on a QA file")
    p.add_argument("qa", type=Path, metavar="QA.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--details", action="store_true", help="list every wrong answer")
    p.set_defaults(handler=_eval)

    p = sub.add_parser("reindex", help="rebuild the passage index from the graph")
    p.set_defaults(handler=_reindex)

    if "stats" in sub.choices:  # the graph's counts (kg.cli), then the models that answer from them
        sub.choices["stats"].set_defaults(handler=_stats_and_models, graph_stats=sub.choices["stats"].get_default(
            "handler"))
