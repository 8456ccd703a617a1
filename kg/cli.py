"""The ``kgqa`` command line for the knowledge graph: ingest, articles, delete, sparql, export, stats.

``app.py`` builds the parser (so later layers can add their commands) and
passes the settings in; nothing here reads the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError, KgqaError
from .graph import EXPORT_FORMATS, KnowledgeGraph
from .results import FORMATS
from .settings import Settings

__all__ = ["add_commands", "run_command"]

Handler = Callable[[argparse.Namespace, KnowledgeGraph], int]


def _ingest(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    report = graph.ingest(args.paths, progress=not args.quiet and sys.stderr.isatty())
    for article_id, original in report.duplicates[:20]:
        print(f"duplicate: {article_id} has the same text as {original}; skipped", file=sys.stderr)
    print(report.summary())
    return 1 if report.errors else 0


def _articles(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    rows = graph.articles()
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("no articles yet: run `kgqa ingest PATH`")
        return 0
    width = max(len(r.id) for r in rows)
    for r in rows:
        print(f"{r.id.ljust(width)}  {r.sentences:>4} sentences  {r.published or '-':<10}  {r.headline or ''}")
    print(f"({len(rows)} articles)")
    return 0


def _delete(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    for article_id in args.ids:
        graph.delete(article_id)
        print(f"deleted {article_id}")
    return 0


def _sparql(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    if args.file:
        try:
            query = Path(args.file).read_text(encoding="utf-8") if args.file != "-" else sys.stdin.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise KgqaError(f"cannot read the query file {args.file}: {exc}", status=400) from None
    elif args.query:
        query = args.query
    else:
        raise KgqaError("give a query, or -f FILE", status=400)
    result = graph.query(query, timeout=args.timeout, row_limit=args.limit)
    sys.stdout.write(result.render(args.format))
    if result.truncated:
        print(f"kgqa: results cut at {args.limit or graph.settings.row_limit} rows (raise with --limit)", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    if args.output and args.output != "-":
        target = Path(args.output)
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as out:
            count = graph.export(args.format, out)
        partial.replace(target)  # never leave a half-written export under the real name
        print(f"wrote {count} statements to {target}", file=sys.stderr)
    else:
        graph.export(args.format, sys.stdout.buffer)
    return 0


def _stats(args: argparse.Namespace, graph: KnowledgeGraph) -> int:
    stats = graph.stats()
    size = graph.store.size_on_disk()
    stats_text = ", ".join(f"{k}: {v}" for k, v in stats.items())
    where = f"{graph.store.kind} store at {graph.store.location}"
    print(f"{stats_text}\n{where}" + (f" ({size / 1e6:.1f} MB)" if size else ""))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the knowledge-graph commands to a ``kgqa`` sub-parser set."""
    p = sub.add_parser("ingest", help="load article files or folders into the store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_ingest)

    p = sub.add_parser("articles", help="list stored articles")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_articles)

    p = sub.add_parser("delete", help="remove articles (their graphs) by id")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=_delete)

    p = sub.add_parser("sparql", help="run a read-only SPARQL query (union of all article graphs)")
    p.add_argument("query", nargs="?", help="the query text")
    p.add_argument("-f", "--file", help="read the query from FILE ('-' for stdin)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--timeout", type=float, help="deadline in seconds (default KGQA_QUERY_TIMEOUT)")
    p.add_argument("--limit", type=int, help="row cap (default KGQA_ROW_LIMIT)")
    p.set_defaults(handler=_sparql)

    p = sub.add_parser("export", help="dump the whole graph")
    p.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="trig")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(handler=_export)

    p = sub.add_parser("stats", help="count articles, sentences and triples")
    p.set_defaults(handler=_stats)

    p = sub.add_parser("eval-facts", help="precision and recall of fact extraction against a gold file")
    p.add_argument("gold", type=Path, metavar="GOLD", help="gold fact file (JSON; see kg/evaluation.py)")
    p.add_argument("--details", action="store_true", help="list every missed and extra fact")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--split", choices=("dev", "test"), help="only the gold's dev or test articles (split by "
                   "article id, as the question sets are)")
    p.set_defaults(handler=_eval_facts, standalone=True)

    p = sub.add_parser("eval-pairs", help="precision and recall of cross-article entity resolution against "
                       "hand-written mention pairs")
    p.add_argument("gold", type=Path, metavar="PAIRS", help="pair file (JSON; see kg/entity_pairs.py)")
    p.add_argument("--details", action="store_true", help="list every pair got wrong")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--split", choices=("dev", "test", "mixed"), help="only pairs whose articles are both dev, "
                   "both test, or one of each")
    p.set_defaults(handler=_eval_pairs, standalone=True)


def _eval_facts(args: argparse.Namespace, settings: Settings) -> int:
    from .evaluation import evaluate_facts
    from .extraction import Extractor

    if not settings.nlp_model:
        raise ConfigError("KGQA_NLP_MODEL is empty: there is no extraction to evaluate")
    extractor = Extractor(settings.nlp_model, batch_size=settings.nlp_batch_size)
    scores = evaluate_facts(args.gold, extractor, args.split)
    print(json.dumps(scores.to_json(), indent=1) if args.json else scores.format(details=args.details))
    return 0


def _eval_pairs(args: argparse.Namespace, settings: Settings) -> int:
    from .entity_pairs import evaluate_pairs
    from .extraction import Extractor

    if not settings.nlp_model:
        raise ConfigError("KGQA_NLP_MODEL is empty: there is no extraction to evaluate")
    extractor = Extractor(settings.nlp_model, processes=settings.nlp_processes, batch_size=settings.nlp_batch_size)
    scores = evaluate_pairs(args.gold, extractor, args.split)
    print(json.dumps(scores.to_json(), indent=1) if args.json else scores.format(details=args.details))
    return 0


def run_command(
    args: argparse.Namespace, settings: Settings, open_graph: Callable[[Settings], Any] = KnowledgeGraph
) -> int:
    """Run a parsed command; errors become one line on stderr and exit code 1.

    ``open_graph`` builds what the handlers work on: a :class:`KnowledgeGraph`,
    or anything with its methods and context manager (the answering layer passes
    one that keeps its passage index in step with every ingest and delete).
    """
    try:
        if getattr(args, "standalone", False):  # needs no store
            return int(args.handler(args, settings))
        with open_graph(settings) as graph:
            return int(args.handler(args, graph))
    except KgqaError as exc:
        print(f"kgqa: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`kgqa export | head`): not an error; keep Python quiet on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("kgqa: interrupted; every article is stored whole or not at all", file=sys.stderr)
        return 130
