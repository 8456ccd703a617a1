"""Benchmark: every example query of docs/querying.md (and so of the SPARQL tab) on a whole library.

Runs each query of docs/querying.md through
``KnowledgeGraph.query`` (the guard, the deadline and the row cap users get),
once cold and ``--repeat`` times warm, and prints the median warm time, the
cold time and the rows, against the 2 s each must answer in (issue 24). As a
baseline measured in the same run it times one plain scan of the store
(``SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }``): a query slower than that is
joining more than it reads.

    .venv/bin/python bench/readme_queries.py [--data-dir bench/results/bbc-onnx-int8] [--repeat 5]

The library must exist (``bench/bbc_qa.py`` builds ``bench/results/bbc-onnx-int8``,
or ``kgqa ingest ../shared/bench/bbc`` with ``KGQA_DATA_DIR`` set).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import KgqaError, KnowledgeGraph, Settings  # noqa: E402
from web.ui.sparql_tab import example_queries  # noqa: E402

TARGET_S = 2.0
BASELINE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _time(graph: KnowledgeGraph, query: str, timeout: float) -> tuple[float, int | str]:
    started = time.perf_counter()
    try:
        result = graph.query(query, timeout=timeout)
    except KgqaError as exc:
        return time.perf_counter() - started, type(exc).__name__
    rows: int | str = len(result.rows) if result.form == "SELECT" else result.form
    return time.perf_counter() - started, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "results" / "bbc-onnx-int8")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    if not (args.data_dir / "store").is_dir():
        print(f"no store in {args.data_dir}; build the BBC library first (see the docstring)", file=sys.stderr)
        return 2
    settings = Settings(data_dir=args.data_dir, query_timeout=args.timeout, nlp_model="")
    with KnowledgeGraph(settings) as graph:
        articles = graph.stats()["articles"]
        cold, _ = _time(graph, BASELINE, args.timeout)
        base = statistics.median(_time(graph, BASELINE, args.timeout)[0] for _ in range(args.repeat))
        print(f"{args.data_dir}: {articles:,} articles; baseline scan {base * 1000:.0f} ms "
              f"(cold {cold * 1000:.0f} ms)")
        print(f"{'query':<58} {'cold s':>7} {'warm s':>7} {'x scan':>7} {'rows':>7}  < {TARGET_S:g} s")
        worst = 0.0
        for title, query in example_queries().items():
            cold, rows = _time(graph, query, args.timeout)
            warm = statistics.median(_time(graph, query, args.timeout)[0] for _ in range(args.repeat))
            worst = max(worst, warm, cold)
            ok = "yes" if max(warm, cold) < TARGET_S and isinstance(rows, int) else "NO"
            print(f"{title[:58]:<58} {cold:7.2f} {warm:7.2f} {warm / base:7.2f} {rows!s:>7}  {ok}")
        print(f"slowest: {worst:.2f} s")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
