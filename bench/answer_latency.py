"""Latency of `kgqa ask` (no LLM) over seed + SQuAD dev + BBC ingested together, and the answerer's cold start.

    .venv/bin/python bench/answer_latency.py            # builds bench/results/combined once (~10 min), then measures

Prints: the build (articles, sentences, seconds); cold start (a fresh process
opening the built store and index, loading the models and answering one
question; median of 3); warm latency p50/p95 over seed dev questions, a
sample of SQuAD questions and post questions drawn from the BBC graph.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from kg import Settings  # noqa: E402
from retrieval import Answerer, IndexMismatch, Library  # noqa: E402
from squad import write_articles  # noqa: E402

BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
SEED = ROOT / "data" / "articles"
DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"

COLD = """
import sys, time; t = time.perf_counter(); sys.path.insert(0, {root!r})
from pathlib import Path
from kg import Settings
from retrieval import Answerer, Library
lib = Library(Settings(data_dir=Path({data!r})))
a = Answerer(lib); a.ask("Who is Iran's Defense Minister?")
print(time.perf_counter() - t)
"""


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "results" / "combined")
    parser.add_argument("--processes", type=int, default=2, help="spaCy processes for the build")
    parser.add_argument("--squad-questions", type=int, default=200)
    parser.add_argument("--bbc-questions", type=int, default=60)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data, nlp_processes=args.processes)
    squad_file = HERE / "results" / "squad-dev.jsonl"
    squad_file.parent.mkdir(parents=True, exist_ok=True)
    squad_questions = write_articles(squad_file)
    started = time.perf_counter()
    try:
        Library(settings).close()
    except IndexMismatch as exc:  # built by an older kgqa: rebuild the index from the stored graph
        print(f"rebuilding the passage index: {exc}")
        Library(settings, rebuild=True, progress=True).close()
    with Library(settings, progress=True) as lib:
        report = lib.ingest([SEED, squad_file, BBC], progress=True)
        built = time.perf_counter() - started
        stats = lib.stats()
    print(f"corpus: {stats['articles']} articles, {stats['passages']} passages, {stats['triples']} triples "
          f"(this run wrote {report.articles} articles in {built:.1f} s)")

    cold = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT), data=str(args.data))],
                             capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin"})
        if out.returncode:
            raise SystemExit(f"the cold-start process failed:\n{out.stderr[-2000:]}")
        cold.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"cold start (process start to first answer): median {statistics.median(cold):.2f} s  "
          f"runs {', '.join(f'{c:.2f}' for c in cold)}")

    with Library(settings) as lib:
        answerer = Answerer(lib)
        rows = lib.graph.select("""SELECT DISTINCT ?title ?org WHERE { GRAPH ?g {
            ?p <https://w3id.org/kgqa/ns#title> ?title ; <http://www.w3.org/ns/org#postIn> ?o .
            ?o <http://www.w3.org/2000/01/rdf-schema#label> ?org } FILTER(REGEX(STR(?g), "/article/(business|entertainment|politics|sport|tech)/")) }
            LIMIT %d""" % args.bbc_questions)
        questions = [json.loads(line)["question"] for line in DEV.read_text().splitlines()]
        step = max(1, len(squad_questions) // args.squad_questions)
        questions += [q.question for q in squad_questions[::step][: args.squad_questions]]
        questions += [f"Who is the {r[0][1]} of {r[1][1]}?" for r in rows]
        answerer.ask(questions[0])
        timings: dict[str, list[float]] = {"seed": [], "squad": [], "bbc": []}
        n_seed, n_squad = 71, min(args.squad_questions, len(squad_questions[::step]))
        for i, q in enumerate(questions):
            t = time.perf_counter()
            answerer.ask(q)
            kind = "seed" if i < n_seed else "squad" if i < n_seed + n_squad else "bbc"
            timings[kind].append(time.perf_counter() - t)
    every = [t for ts in timings.values() for t in ts]
    print(f"warm ask latency over {len(every)} questions: p50 {1000 * statistics.median(every):.1f} ms, "
          f"p95 {1000 * percentile(every, 0.95):.1f} ms")
    for kind, ts in timings.items():
        if ts:
            print(f"  {kind:5s} n={len(ts):3d}  p50 {1000 * statistics.median(ts):6.1f} ms  p95 {1000 * percentile(ts, 0.95):6.1f} ms")


if __name__ == "__main__":
    main()
