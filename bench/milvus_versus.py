"""The embedded passage index against Milvus Lite, on the same BBC graph, in one run.

    .venv/bin/python bench/milvus_versus.py --split dev

For each passage store (the embedded default, then ``KGQA_VECTOR_URI`` = a Milvus Lite file), over
the BBC questions of the split (``tests/qa/bbc``, as ``bench/bbc_qa.py``):

- ``kgqa ask``: strict answer accuracy, and the supporting sentence cited first (of answerable);
- ``kgqa search`` (with the cross-encoder): the supporting sentence ranked first;
- warm ``ask`` latency p50 / p95 (after a warm-up question; the ask loop above);
- adding one article (a BBC article under a new id) and deleting it again: median wall time of
  ``Library.ingest`` / ``Library.delete`` over 3 rounds after an untimed one, graph and passages together.

The graph is ``bench/bbc_qa.py``'s library (built by its first run); the Milvus Lite file is built
from that graph on the first run (``--uri``; ``--rebuild`` builds it again) and reused after.

    .venv/bin/python bench/milvus_versus.py --split dev --copies 5

runs on five copies of that library under other ids (``bench/library_copies.py``: 10,635 articles),
the embedded index and the Milvus Lite file each built from the copied graph on the first run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(HERE)]

from bbc_qa import pct, scored  # noqa: E402
from library_copies import build as build_copies  # noqa: E402
from check_questions import CORPUS, QUESTIONS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import Answerer, Library  # noqa: E402

PROBE_ID = "bench/milvus-versus-probe"


def measure(lib: Library, settings: Settings, rows: list[dict], probe: Path) -> dict[str, float]:
    if not rows:  # --changes-only
        added, deleted, names = changes(lib, probe)
        return {"add one article s": statistics.median(added), "delete one article s": statistics.median(deleted),
                "names re-read after delete s": statistics.median(names),
                "passages": float(len(lib.index)), "articles": float(len(lib.index.articles))}
    answerable = [r for r in rows if r["answers"]]
    answerer = Answerer(lib, settings.replace(abstain_below=0.0))
    answerer.ask("warm up")
    raw, latencies = [], []
    for r in rows:
        started = time.perf_counter()
        a = answerer.ask(r["question"])
        latencies.append(time.perf_counter() - started)
        if len(latencies) % 20 == 0:
            print(f"  {len(latencies)} questions, p50 so far {1000 * statistics.median(latencies):.0f} ms",
                  file=sys.stderr, flush=True)
        raw.append((r, a.answer, a.abstained, a.confidence, a.citations[0].sentence if a.citations else ""))
    results = scored(raw, settings.abstain_below)
    on_answerable = [x for x in results if x["row"]["answers"]]
    first = []
    for r in answerable:
        found = answerer.search(r["question"], k=10)
        first.append(bool(found) and any(e in found[0].sentence for e in r["evidence"]))
    added, deleted, names = changes(lib, probe)
    return {
        "strict": sum(x["strict"] for x in results) / len(results),
        "ask evidence first": sum(x["evidence_first"] for x in on_answerable) / len(on_answerable),
        "search evidence first": sum(first) / len(first),
        "ask p50 ms": 1000 * statistics.median(latencies),
        "ask p95 ms": 1000 * float(np.percentile(latencies, 95)),
        "add one article s": statistics.median(added), "delete one article s": statistics.median(deleted),
        "names re-read after delete s": statistics.median(names),
        "passages": float(len(lib.index)), "articles": float(len(lib.index.articles)),
    }


def changes(lib: Library, probe: Path, times: int = 3) -> tuple[list[float], list[float], list[float]]:
    """Wall times of adding the probe article and deleting it again, ``times`` each after an untimed round
    (which loads the NLP pipeline and warms the stores); and of the names table's read after each delete
    (in the background: the next ingest waits for it, so the bench waits before timing the next add)."""
    added, deleted, names = [], [], []
    for round_ in range(times + 1):
        started = time.perf_counter()
        report = lib.ingest([probe])
        took = time.perf_counter() - started
        article = report.written[0] if report.written else PROBE_ID
        started = time.perf_counter()
        lib.delete(article)
        gone = time.perf_counter()
        lib.wait_for_merges()
        if round_:
            added.append(took)
            deleted.append(gone - started)
            names.append(time.perf_counter() - gone)
    return added, deleted, names


def probe_article(folder: Path) -> Path:
    """One BBC article under an id the library does not hold (so ingesting it adds, deleting it removes)."""
    with CORPUS.open(encoding="utf-8") as src:
        record = json.loads(next(src))
    record["id"] = PROBE_ID
    record["title"] = record["title"] + " (probe)"
    path = folder / "probe.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=HERE / "results" / "bbc-onnx-int8",
                        help="bench/bbc_qa.py's library (its graph is read by both stores)")
    parser.add_argument("--uri", help="KGQA_VECTOR_URI (default bench/results/milvus/bbc.db, bbc-xN.db)")
    parser.add_argument("--copies", type=int, default=1, help="copies of the library (bench/library_copies.py)")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the Milvus collection from the graph")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--changes-only", action="store_true", help="only time adding and deleting an article")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of the split (0: all)")
    args = parser.parse_args()

    rows = [r for r in load_questions(args.questions) if args.split == "all" or split_of(r["article"]) == args.split]
    rows = [] if args.changes_only else rows[: args.limit or None]
    if args.copies > 1:
        args.data = build_copies(args.data, HERE / "results" / f"bbc-x{args.copies}", args.copies)
    uri = args.uri or str(HERE / "results" / "milvus" / ("bbc.db" if args.copies == 1 else f"bbc-x{args.copies}.db"))
    base = Settings(data_dir=args.data, encoder_cache=HERE / "results" / "encoder")
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        probe = probe_article(Path(tmp))
        for name, settings in (("embedded", base), ("Milvus Lite", base.replace(vector_uri=uri))):
            started = time.perf_counter()
            with Library(settings, progress=True, rebuild=args.rebuild and name != "embedded") as lib:
                opened = time.perf_counter() - started
                figures[name] = {"open s": opened, **measure(lib, settings, rows, probe)}
            print(f"{name}: {json.dumps({k: round(v, 3) for k, v in figures[name].items()})}", flush=True)

    print(f"\nBBC {args.split} split, {len(rows)} questions; {int(figures['embedded']['passages']):,} passages "
          f"in {int(figures['embedded']['articles']):,} articles")
    keys = [k for k in ("strict", "ask evidence first", "search evidence first", "ask p50 ms", "ask p95 ms",
                        "add one article s", "delete one article s", "names re-read after delete s", "open s")
            if k in figures["embedded"]]
    print(f"{'':24s} {'embedded':>10s} {'Milvus Lite':>12s} {'difference':>11s}")
    for k in keys:
        a, b = figures["embedded"][k], figures["Milvus Lite"][k]
        fmt = pct if "first" in k or k == "strict" else (lambda x: f"{x:.0f}" if "ms" in k else f"{x:.2f}")
        print(f"{k:24s} {fmt(a):>10s} {fmt(b):>12s} {fmt(b - a):>11s}")
    if "ask p95 ms" in figures["embedded"]:
        ratio = figures["Milvus Lite"]["ask p95 ms"] / figures["embedded"]["ask p95 ms"]
        print(f"ask p95 ratio Milvus Lite / embedded: {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
