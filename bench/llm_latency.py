"""Latency of an answer written by the local LLM (KGQA_LLM=local) against the extractive answer, same questions.

    .venv/bin/python bench/llm_latency.py                 # ~10 seed dev questions, seed article only
    .venv/bin/python bench/llm_latency.py --questions 20 --repeat 2

Builds a throw-away library from the seed article, then times, for each
question, the extractive answer (no LLM), the LLM-written answer (the extractive
pipeline plus one generation by the shipped SmolLM2 GGUF through llama.cpp)
and the time to the first streamed chunk. The model is loaded and warmed on one
question first; that load is reported apart. Prints median and p95 side by side,
and how many LLM answers kept the model's text (the rest fell back to the
extractive answer because they cited nothing they were shown).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT)]

from kg import Settings  # noqa: E402
from retrieval import Answerer, Library  # noqa: E402
from retrieval.contract import Answer  # noqa: E402

SEED = ROOT / "data" / "articles" / "000_b3bb278fd8698310.txt"
DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def timed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start, out


def first_chunk(answerer: Answerer, question: str) -> float:
    """Seconds to the first streamed text chunk (the stream is then drained so the model is free again)."""
    start = time.perf_counter()
    stream = answerer.stream(question)
    next(stream)
    elapsed = time.perf_counter() - start
    for _ in stream:
        pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="times each question is asked per mode")
    parser.add_argument("--llm", default="local", help="the KGQA_LLM spec to time (default: the shipped GGUF)")
    args = parser.parse_args()

    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()][: args.questions]
    with tempfile.TemporaryDirectory(prefix="kgqa-llm-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "built", llm=args.llm)
        library = Library(settings)
        try:
            library.ingest([SEED])
            plain = Answerer(library, dataclasses.replace(settings, llm=None))
            load_s, llm = timed(Answerer, library, settings)
            warm_s, _ = timed(llm.ask, questions[0])  # reads the weights on first use
            rows: dict[str, list[float]] = {"extractive": [], "llm": [], "llm first chunk": []}
            kept = 0
            for _ in range(args.repeat):
                for q in questions:
                    t_plain, extractive = timed(plain.ask, q)
                    t_llm, written = timed(llm.ask, q)
                    rows["extractive"].append(t_plain)
                    rows["llm"].append(t_llm)
                    assert isinstance(written, Answer) and isinstance(extractive, Answer)
                    kept += written != extractive
                    print(f"{t_plain * 1000:8.0f} ms {t_llm * 1000:8.0f} ms  {q}\n"
                          f"{'':23}extractive: {extractive.answer[:90]!r}\n{'':23}llm:        {written.answer[:90]!r}",
                          flush=True)
                # Apart, so that llama.cpp's reuse of the previous prompt's tokens is no more than in service
                # (the shared system rules), never the whole prompt of the same question asked just before.
                for q in questions:
                    rows["llm first chunk"].append(first_chunk(llm, q))
        finally:
            library.close()
    n = len(rows["llm"])
    print(f"\nKGQA_LLM={args.llm}: Answerer built in {load_s:.2f} s; first LLM answer (weights read) {warm_s:.2f} s")
    print(f"{n} answers ({len(questions)} seed dev questions x {args.repeat}); "
          f"the model's text kept in {kept}, the extractive answer in {n - kept}")
    print(f"{'':18}{'median ms':>10}{'p95 ms':>10}")
    for name, values in rows.items():
        print(f"{name:18}{statistics.median(values) * 1000:10.0f}{percentile(values, 0.95) * 1000:10.0f}")


if __name__ == "__main__":
    main()
