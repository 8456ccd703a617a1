"""Benchmark: BBC ingest (sentences + RDF) and SPARQL speed on three engines.

Prints articles/s, sentences/s, triples and store size for the 2,225 BBC
articles; then the median time of five representative queries through
kgqa's safe path (guard + deadline process + row cap), raw pyoxigraph on the
same store, and rdflib's in-memory store holding the same quads, with ratios.

    .venv/bin/python bench/ingest_and_query.py [--corpus PATH] [--repeat 15]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import KnowledgeGraph, Settings  # noqa: E402
from kg.vocab import PREFIXES  # noqa: E402

QUERIES = {
    "sentences per section (GROUP BY)": """
        SELECT ?section (COUNT(?s) AS ?n) WHERE { ?s a nif:Sentence ; kgqa:section ?section } GROUP BY ?section""",
    "articles and sentences per category": """
        SELECT ?cat (COUNT(?a) AS ?articles) (SUM(?n) AS ?sentences) WHERE {
          ?a a schema:NewsArticle ; schema:articleSection ?cat ; kgqa:sentenceCount ?n } GROUP BY ?cat ORDER BY ?cat""",
    "sentences mentioning a name, with headline": """
        SELECT ?headline ?text WHERE {
          ?s a nif:Sentence ; nif:anchorOf ?text ; nif:referenceContext ?c .
          ?a kgqa:hasContext ?c ; schema:headline ?headline .
          FILTER(CONTAINS(?text, "Blair")) } LIMIT 100""",
    "one article's sentences in order": """
        SELECT ?i ?text WHERE {
          ?a schema:identifier "politics/042" ; kgqa:hasContext ?c .
          ?s nif:referenceContext ?c ; kgqa:sentenceIndex ?i ; nif:anchorOf ?text } ORDER BY ?i""",
    "ten longest articles": """
        SELECT ?id ?headline ?n WHERE { ?a schema:identifier ?id ; schema:headline ?headline ; kgqa:sentenceCount ?n }
        ORDER BY DESC(?n) LIMIT 10""",
}


def median_ms(fn, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rdflib-repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    work = Path(tempfile.mkdtemp(prefix="kgqa-bench-"))
    settings = Settings(data_dir=work, base_iri="http://localhost:7860/id/")

    with KnowledgeGraph(settings) as graph:
        report = graph.ingest([args.corpus], progress=sys.stderr.isatty())
    seconds = report.seconds
    graph = KnowledgeGraph(settings)  # reopening lets RocksDB drop its write-ahead log: the size at rest
    size = folder_bytes(work / "store" / "db")
    print(f"== ingest {args.corpus.name}: sentences + RDF, no extraction ==")
    print(f"articles stored     {report.stored} (+{len(report.duplicates)} duplicates skipped, {len(report.errors)} errors)")
    print(f"time                {seconds:.1f} s")
    print(f"articles/s          {(report.stored + len(report.duplicates)) / seconds:.0f}")
    print(f"sentences/s         {report.sentences / seconds:.0f}  ({report.sentences} sentences)")
    print(f"triples             {report.triples}")
    print(f"store size          {size / 1e6:.1f} MB on disk")

    raw = graph.store.oxigraph  # type: ignore[attr-defined]
    dump = io.BytesIO()
    graph.export("nquads", dump)
    started = time.perf_counter()
    memory = rdflib.Dataset(default_union=True)
    memory.parse(data=dump.getvalue().decode(), format="nquads")
    print(f"rdflib in-memory load {time.perf_counter() - started:.1f} s ({len(memory)} triples in the union)")

    def safe(q: str):
        return lambda: len(graph.query(q).rows)

    def pyoxigraph_raw(q: str):
        def run() -> int:
            result = raw.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)
            return len([[solution[i] for i in range(len(result.variables))] for solution in result])
        return run

    def rdflib_memory(q: str):
        return lambda: len(list(memory.query(q, initNs=PREFIXES)))

    print(f"\n== SPARQL, median of {args.repeat} runs (rdflib: {args.rdflib_repeat}) ==")
    header = f"{'query':44} {'rows':>5} {'safe ms':>9} {'raw ms':>9} {'safe/raw':>9} {'rdflib ms':>10} {'rdflib/safe':>12}"
    print(header)
    results = []
    for name, q in QUERIES.items():
        safe(q)()  # warm: snapshot and query processes
        safe_ms, rows = median_ms(safe(q), args.repeat)
        raw_ms, raw_rows = median_ms(pyoxigraph_raw(q), args.repeat)
        rdf_ms, rdf_rows = median_ms(rdflib_memory(q), args.rdflib_repeat)
        assert rows == raw_rows == rdf_rows, (name, rows, raw_rows, rdf_rows)
        results.append({"query": name, "rows": rows, "safe_ms": safe_ms, "raw_ms": raw_ms, "rdflib_ms": rdf_ms})
        print(f"{name:44} {rows:>5} {safe_ms:>9.2f} {raw_ms:>9.2f} {safe_ms / raw_ms:>8.2f}x {rdf_ms:>10.1f} {rdf_ms / safe_ms:>11.0f}x")
    total = {k: sum(r[k] for r in results) for k in ("safe_ms", "raw_ms", "rdflib_ms")}
    ratios = sorted(r["safe_ms"] / r["raw_ms"] for r in results)
    print(f"{'all five (sum of medians)':44} {'':>5} {total['safe_ms']:>9.2f} {total['raw_ms']:>9.2f} "
          f"{total['safe_ms'] / total['raw_ms']:>8.2f}x {total['rdflib_ms']:>10.1f} {total['rdflib_ms'] / total['safe_ms']:>11.0f}x")
    print(f"median safe/raw ratio over the five queries: {statistics.median(ratios):.2f}x")
    graph.close()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest_and_query.json").write_text(json.dumps({
        "ingest": {"seconds": seconds, "stored": report.stored, "duplicates": len(report.duplicates),
                   "sentences": report.sentences, "triples": report.triples, "store_bytes": size},
        "queries": results,
    }, indent=1))


if __name__ == "__main__":
    main()
