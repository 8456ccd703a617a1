"""Benchmark: fact extraction throughput next to a bare spaCy ``nlp.pipe`` over the same sentences.

For the first ``--articles`` BBC articles it splits sentences once, then times,
alternating and ``--repeat`` times each, (a) ``nlp.pipe`` alone and (b) kgqa's
extraction (the same pipe plus every rule: entities, resolution, acronyms,
posts, statements, relations, dates), each with 1 and with 2 processes.
Prints median words/s and the overhead ratio (b)/(a). Then, unless
``--no-ingest``, a full BBC ingest with extraction into a fresh embedded store:
time, triples and size on disk.

    .venv/bin/python bench/extraction.py [--articles 600] [--repeat 3] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import KnowledgeGraph, Settings, load_file  # noqa: E402
from kg.extraction import AliasTable, Extractor  # noqa: E402
from kg.rdf import article_sentences  # noqa: E402

CORPUS = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument("--ingest-only", action="store_true", help="skip the pipe comparison")
    args = parser.parse_args()

    articles = [a for a in load_file(args.corpus, max_bytes=10**9, max_chars=10**7) if not isinstance(a, Exception)]
    articles = articles[: args.articles]
    items = [(a, article_sentences(a)) for a in articles]
    texts = [s.text for _, sentences in items for s in sentences]
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(articles)} BBC articles, {len(texts)} sentences, {words} words")

    for processes in ([] if args.ingest_only else args.processes):
        extractor = Extractor("en_core_web_sm", processes=processes, batch_size=args.batch_size)
        nlp = extractor.nlp
        list(nlp.pipe(texts[:200]))  # warm up
        bare, full = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=processes):
                pass
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            extractor.extract(items, AliasTable())
            full.append(time.perf_counter() - started)
        b, f = statistics.median(bare), statistics.median(full)
        print(f"n_process={processes}: bare nlp.pipe {words / b:,.0f} words/s ({b:.1f} s); "
              f"kgqa extraction {words / f:,.0f} words/s ({f:.1f} s); overhead {f / b:.2f}x "
              f"(medians of {args.repeat}; runs bare {[round(x, 1) for x in bare]}, extraction {[round(x, 1) for x in full]})")

    if args.no_ingest:
        return
    for processes in (max(args.processes),):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp) / "built", nlp_processes=processes)
            with KnowledgeGraph(settings) as graph:
                report = graph.ingest([args.corpus])
                stats = graph.stats()
            size = folder_bytes(settings.store_path)
        print(f"full BBC ingest with extraction (nlp_processes={processes}): {report.stored} stored, "
              f"{len(report.duplicates)} duplicates, {len(report.errors)} errors in {report.seconds:.1f} s "
              f"({report.stored / report.seconds:.1f} articles/s); {stats['sentences']} sentences, "
              f"{stats['triples']} triples; store {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
