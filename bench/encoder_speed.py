"""The dense encoders' cost on the same texts: passages a second (what an ingest pays) and one question's latency.

    .venv/bin/python bench/encoder_speed.py                                  # onnx-int8 (MiniLM) vs bge-small-int8
    .venv/bin/python bench/encoder_speed.py --backends onnx-int8,bge-small-int8 --sample 2000 --runs 5

The texts are what the index embeds for a sentence ("headline. sentence"), a
fixed random sample of every answerable sentence of the BBC corpus
(``../shared/bench/bbc/articles.jsonl``). Each backend encodes the same sample
in batches of 64, as an ingest does, on 1 thread (an ingest's encoder runs on
one core beside the parse) and on 2; the runs are interleaved (backend by
backend, run after run) so that a noisy neighbour weighs on all of them alike,
and the median is printed. A question's latency is one ``encode_queries`` call
a question (bge's instruction included) over the BBC questions of
``tests/qa/bbc``, on the library's default threads.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from check_questions import CORPUS, QUESTIONS, load_questions  # noqa: E402

ENCODER = HERE / "results" / "encoder"


def corpus_texts(corpus: Path) -> list[str]:
    """Every answerable sentence of the corpus after its headline, as the index embeds it."""
    from kg.loading import load_file
    from kg.rdf import article_sentences

    out = []
    for article in load_file(corpus):
        if hasattr(article, "text"):
            out += [f"{article.headline}. {s.text}" if article.headline else s.text for s in article_sentences(article)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="onnx-int8,bge-small-int8", help="comma-separated "
                        "KGQA_EMBEDDING_BACKENDs (the first is the reference of the ratios)")
    parser.add_argument("--sample", type=int, default=2000, help="texts encoded a run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", default="1,2", help="ONNX Runtime threads to measure, comma-separated")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    from retrieval.embedding import SentenceEmbeddings

    texts = corpus_texts(args.corpus)
    sample = random.Random(7).sample(texts, min(args.sample, len(texts)))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    threads = [int(t) for t in args.threads.split(",")]
    encoders = {(b, t): SentenceEmbeddings("all-MiniLM-L6-v2", backend=b, cache=ENCODER, threads=t)
                for b in backends for t in threads}
    for e in encoders.values():
        e.encode(sample[:64])  # loaded and warm before any clock
    rates: dict[tuple[str, int], list[float]] = {k: [] for k in encoders}
    for run in range(args.runs):
        for key, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(sample)
            rates[key].append(len(sample) / (time.perf_counter() - started))
        print(f"  run {run + 1}: " + ", ".join(f"{b}/{t} {rates[b, t][-1]:.0f}" for b, t in encoders), file=sys.stderr)

    questions = [r["question"] for r in load_questions(QUESTIONS)][:200]
    latency = {}
    for b in backends:
        encoder = SentenceEmbeddings("all-MiniLM-L6-v2", backend=b, cache=ENCODER)
        encoder.encode_queries(questions[:5])
        took = []
        for q in questions:
            started = time.perf_counter()
            encoder.encode_queries([q])
            took.append(time.perf_counter() - started)
        latency[b] = (1000 * statistics.median(took), 1000 * sorted(took)[int(0.95 * (len(took) - 1))])

    print(f"\n{len(sample):,} texts (of {len(texts):,} BBC 'headline. sentence' texts), batches of 64, "
          f"median of {args.runs} interleaved runs")
    print(f"{'backend':16s} {'model':26s} {'threads':>7s} {'texts/s':>8s} {'runs':>20s} {'vs ' + backends[0]:>16s}")
    for b, t in encoders:
        median = statistics.median(rates[b, t])
        ratio = median / statistics.median(rates[backends[0], t])
        print(f"{b:16s} {encoders[b, t].model_name:26s} {t:7d} {median:8.0f} "
              f"{' '.join(f'{r:.0f}' for r in rates[b, t]):>20s} {f'x{ratio:.2f}':>16s}")
    print(f"\none question (encode_queries, default threads), {len(questions)} BBC questions:")
    for b, (p50, p95) in latency.items():
        print(f"  {b:16s} p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
