"""Whole-corpus ingest into an empty library: wall time per stage, peak memory, size at rest, and the bare models.

    .venv/bin/python bench/ingest_speed.py                  # BBC (2,225 articles), ~13 min in all
    .venv/bin/python bench/ingest_speed.py --limit 300      # a quick look

One run, in this order, each part in its own process so their memory and
threads do not mix:

1. the ingest (``Library.ingest``, as ``kgqa ingest`` runs it) into an empty
   folder (the ONNX export is made beforehand, once, and shown apart), with
   the seconds of each stage (:mod:`kg.timing`; the indexing thread's stages
   run beside the parse, so stages may add up to more than the wall time) and the peak memory of the
   whole process tree (spaCy's workers included; proportional set sizes, so
   pages shared after a fork count once), sampled every 0.1 s;
2. the bare models over the very same texts: spaCy ``nlp.pipe`` alone (same
   pipeline, processes and batch size) over every sentence the ingest parsed,
   and the encoder alone over every text the index embedded;
3. torch (sentence-transformers) against the ONNX encoder on the same sample
   of those texts, for the encoder's speed-up;
4. the built library at rest (store + index on disk), a cold start to the
   first answer in a fresh process, and warm ``ask`` latency over the BBC
   questions of ``tests/qa/bbc``.

The ratios are computed from figures of this run only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "scripts")]

BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
ENCODER = HERE / "results" / "encoder"
STAGES = ("load", "segment", "parse", "facts", "RDF build", "RDF write", "read back", "embed sentences",
          "lexical index", "save", "compact")


def settings_for(data: Path, processes: int, backend: str):  # noqa: ANN201 - kg.Settings, imported late
    from kg import Settings

    return Settings(data_dir=data, nlp_processes=processes, embedding_backend=backend, encoder_cache=ENCODER)


# --- the parts, each run as `ingest_speed.py --part NAME` in a child process ---------------------------

def part_ingest(args: argparse.Namespace) -> dict:
    from kg.timing import collect
    from retrieval import Library

    started = time.perf_counter()
    with Library(settings_for(args.data, args.processes, args.backend)) as lib:
        opened = time.perf_counter() - started
        with collect() as times:
            t = time.perf_counter()
            report = lib.ingest([args.corpus])
            lib.wait_for_merges()
            wall = time.perf_counter() - t
        return {"wall": wall, "open": opened, "stages": times, "articles": report.articles,
                "sentences": len(lib.index), "segments": len(lib.index.segments), "errors": len(report.errors),
                "duplicates": len(report.duplicates)}


def _texts(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """What the ingest parsed (every sentence of every stored article) and what it embedded."""
    from retrieval import Library
    from retrieval.index import dense_text

    with Library(settings_for(args.data, args.processes, args.backend)) as lib:
        docs = list(lib.index.docs)
        stored = {a.id for a in lib.articles()}
    from kg.loading import load_file
    from kg.rdf import article_sentences

    parsed = [s.text for a in load_file(args.corpus) if getattr(a, "id", None) in stored
              for s in article_sentences(a)]
    return parsed, [dense_text(d) for d in docs]


def part_bare(args: argparse.Namespace) -> dict:
    from kg.extraction import Extractor
    from retrieval.embedding import SentenceEmbeddings

    parsed, embedded = _texts(args)
    settings = settings_for(args.data, args.processes, args.backend)
    extractor = Extractor(settings.nlp_model, processes=settings.nlp_processes, batch_size=settings.nlp_batch_size)
    extractor.nlp  # loaded before the clock starts, as the ingest's was
    t = time.perf_counter()
    for _ in extractor.docs(parsed):
        pass
    spacy_s = time.perf_counter() - t
    encoder = SentenceEmbeddings(settings.embedding_model, backend=args.backend, cache=ENCODER)
    encoder.encode(["warm up"])
    t = time.perf_counter()
    encoder.encode(embedded)
    encode_s = time.perf_counter() - t
    return {"spacy": spacy_s, "encoder": encode_s, "parsed": len(parsed), "embedded": len(embedded)}


def part_torch(args: argparse.Namespace) -> dict:
    import numpy as np

    from retrieval.embedding import SentenceEmbeddings

    _, embedded = _texts(args)
    sample = random.Random(7).sample(embedded, min(args.sample, len(embedded)))
    out = {"sample": len(sample)}
    vectors = {}
    for backend in ("torch", args.backend):
        encoder = SentenceEmbeddings("all-MiniLM-L6-v2", backend=backend, cache=ENCODER)
        encoder.encode(["warm up"])
        t = time.perf_counter()
        vectors[backend] = encoder.encode(sample)
        out[backend] = len(sample) / (time.perf_counter() - t)
    cosines = (vectors["torch"] * vectors[args.backend]).sum(axis=1)
    out["cosine_mean"], out["cosine_min"] = float(np.mean(cosines)), float(np.min(cosines))
    return out


COLD = """
import sys, time; t = time.perf_counter(); sys.path[:0] = [{root!r}, {here!r}]
from ingest_speed import settings_for
from pathlib import Path
from retrieval import Answerer, Library
lib = Library(settings_for(Path({data!r}), 1, {backend!r}))
Answerer(lib).ask("Who is the chief executive of Yukos?")
print(time.perf_counter() - t)
"""


def part_ask(args: argparse.Namespace) -> dict:
    from check_questions import load_questions
    from retrieval import Answerer, Library

    questions = [r["question"] for r in load_questions(ROOT / "tests" / "qa" / "bbc")]
    cold = []
    for _ in range(3):
        code = COLD.format(root=str(ROOT), here=str(HERE), data=str(args.data), backend=args.backend)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
        cold.append(float(done.stdout.strip().splitlines()[-1]))
    with Library(settings_for(args.data, 1, args.backend)) as lib:
        answerer = Answerer(lib)
        for q in questions[:20]:
            answerer.ask(q)  # warm: models loaded, first-use tables built
        latencies = []
        for q in questions:
            t = time.perf_counter()
            answerer.ask(q)
            latencies.append(1000 * (time.perf_counter() - t))
    latencies.sort()
    return {"cold": statistics.median(cold), "cold_runs": cold, "questions": len(latencies),
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}


PARTS = {"ingest": part_ingest, "bare": part_bare, "torch": part_torch, "ask": part_ask}


# --- the parent: runs each part, samples its memory, prints the tables ------------------------------------

def _tree_rss(pid: int) -> int:
    """Memory of ``pid`` and all its descendants: the sum of their proportional set sizes (PSS), so the pages
    forked workers share with their parent are counted once, not once per process as summed RSS would."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run_part(name: str, argv: list[str]) -> tuple[dict, int]:
    out = HERE / "results" / f".ingest_speed.{name}.json"
    proc = subprocess.Popen([sys.executable, __file__, "--part", name, "--out", str(out), *argv])
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    stop.set()
    sampler.join()
    if code:
        sys.exit(f"part {name} failed with exit code {code}")
    result = json.loads(out.read_text())
    out.unlink()
    return result, peak


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6 if path.exists() else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BBC)
    parser.add_argument("--data", type=Path, default=HERE / "results" / "ingest-speed")
    parser.add_argument("--processes", type=int, default=1, help="KGQA_NLP_PROCESSES of the ingest (1: the parse on "
                        "one core, the encoder on the other)")
    parser.add_argument("--backend", default="onnx-int8")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles of the corpus")
    parser.add_argument("--sample", type=int, default=3000, help="texts for the torch / ONNX comparison")
    parser.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        args.out.write_text(json.dumps(PARTS[args.part](args)))
        return

    if args.limit:
        subset = HERE / "results" / f".corpus-{args.limit}.jsonl"
        with args.corpus.open(encoding="utf-8") as src:
            subset.write_text("".join(line for _, line in zip(range(args.limit), src)), encoding="utf-8")
        args.corpus = subset
    shutil.rmtree(args.data, ignore_errors=True)
    common = ["--corpus", str(args.corpus), "--data", str(args.data), "--processes", str(args.processes),
              "--backend", args.backend, "--sample", str(args.sample)]
    t = time.perf_counter()
    from retrieval.embedding import SentenceEmbeddings

    SentenceEmbeddings("all-MiniLM-L6-v2", backend=args.backend, cache=ENCODER).encode(["export"])
    export_s = time.perf_counter() - t

    ingest, ingest_peak = run_part("ingest", common)
    bare, _ = run_part("bare", common)
    encoders, _ = run_part("torch", common)
    rest = {"store": folder_mb(args.data / "store"), "index": folder_mb(args.data / "index")}
    ask, _ = run_part("ask", common)

    wall = ingest["wall"]
    print(f"\n{ingest['articles']:,} articles ({ingest['duplicates']} duplicates skipped, {ingest['errors']} errors), "
          f"{ingest['sentences']:,} sentences, {ingest['segments']} index segments; spaCy processes "
          f"{args.processes}, encoder {args.backend} (export, once: {export_s:.1f} s before the run)\n")
    print(f"{'stage':18s} {'seconds':>8s} {'share':>6s}")
    stages = ingest["stages"]
    for name in [*STAGES, *sorted(set(stages) - set(STAGES))]:
        if name in stages:
            print(f"{name:18s} {stages[name]:8.1f} {stages[name] / wall:6.1%}")
    # Read back, embed, lexical index and save run in the indexing thread beside the parse: the stages overlap.
    overlap = sum(stages.values()) - wall
    print(f"{'(overlapping)':18s} {overlap:8.1f} {overlap / wall:6.1%}   stages run at once in the parse and "
          f"indexing threads" if overlap > 0 else f"{'(not in a stage)':18s} {-overlap:8.1f} {-overlap / wall:6.1%}")
    print(f"{'total':18s} {wall:8.1f}   (library opened in {ingest['open']:.1f} s before it)\n")

    bare_sum = bare["spacy"] + bare["encoder"]
    speedup = encoders[args.backend] / encoders["torch"]
    gib = ingest_peak / 2**30
    rows = [
        ("ingest wall, empty library to ready", f"{wall / 60:.1f} min ({wall:.0f} s)", "<= 4 min", wall <= 240),
        ("peak memory (process tree, PSS)", f"{gib:.2f} GiB", "<= 2 GiB", gib <= 2),
        ("store + index at rest", f"{rest['store'] + rest['index']:.0f} MB (store {rest['store']:.0f}, "
         f"index {rest['index']:.0f})", "<= 600 MB", rest["store"] + rest["index"] <= 600),
        ("ingest / (bare spaCy + bare encoder)", f"{wall:.0f} / ({bare['spacy']:.0f} + {bare['encoder']:.0f}) = "
         f"x{wall / bare_sum:.2f}", "<= x1.3", wall / bare_sum <= 1.3),
        (f"encoder {args.backend} / torch", f"{encoders[args.backend]:.0f} / {encoders['torch']:.0f} texts/s = "
         f"x{speedup:.2f} (cosine to torch: mean {encoders['cosine_mean']:.4f}, min {encoders['cosine_min']:.3f})",
         ">= x2.5", speedup >= 2.5),
        (f"warm ask p50 / p95 ({ask['questions']} questions)", f"{ask['p50']:.0f} / {ask['p95']:.0f} ms",
         "<= 40 / 120 ms", ask["p50"] <= 40 and ask["p95"] <= 120),
        ("cold start to first answer", f"{ask['cold']:.1f} s (median of {', '.join(f'{c:.1f}' for c in ask['cold_runs'])})",
         "<= 8 s", ask["cold"] <= 8),
    ]
    print(f"{'target':40s} {'measured':60s} {'goal':>15s}")
    for name, measured, goal, ok in rows:
        print(f"{name:40s} {measured:60s} {goal:>15s} {'ok' if ok else 'MISSED'}")
    print(f"\nbare spaCy: {bare['parsed']:,} sentences in {bare['spacy']:.0f} s; bare encoder: {bare['embedded']:,} "
          f"texts in {bare['encoder']:.0f} s; torch comparison on {encoders['sample']:,} of them")


if __name__ == "__main__":
    main()
