"""Analyst questions over the whole BBC corpus: kgqa's answers against BM25, dense and RRF on the same sentences.

    .venv/bin/python bench/bbc_qa.py                  # the test split (report only); --split dev to tune
    .venv/bin/python bench/bbc_qa.py --details        # and every miss, by kind

The first run ingests ``../shared/bench/bbc/articles.jsonl`` into
``bench/results/bbc`` (about ten minutes); later runs reuse it. Questions are
``tests/qa/bbc/*.jsonl``, split by article (``scripts/check_questions.py``).

For each system, over the answerable questions of the split:

- *evidence first*: the top sentence contains one of the question's evidence strings;
- *answer in top sentence* (baselines): the top sentence contains an accepted answer,
  which is what a plain retrieval RAG shows a reader.

``kgqa search`` is measured twice on the same sentences: without the relevance stage's
cross-encoder (``KGQA_CROSS_ENCODER=off``) and with it (the default), each with its latency.

For ``kgqa ask``: *accuracy* (an accepted answer in the answer; an abstention is
right exactly on unanswerable questions), *strict* (the same, but a non-quote
answer longer than :data:`STRICT_CHARS` characters counts as wrong: a list of 83
names is not an answer), the precision of the answers it gives, the share of
unanswerable questions it abstains on, a reliability table of its confidence,
and its latency.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import bm25s
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from check_questions import CORPUS, QUESTIONS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import Answerer, IndexMismatch, Library  # noqa: E402
from retrieval._text import normalize_answer  # noqa: E402
from retrieval.scoring import rrf  # noqa: E402
from retrieval.vectors import top_k  # noqa: E402

#: Longest non-quote answer the strict score accepts (a name, a number with its unit, a short phrase).
STRICT_CHARS = 80
_LONG_KINDS = {"quote", "list", "multi"}


def contains_answer(text: str, answers: list[str]) -> bool:
    got = normalize_answer(text)
    return any(normalize_answer(a) in got for a in answers)


def correct(row: dict, answer_text: str, abstained: bool, *, strict: bool = False) -> bool:
    if not row["answers"]:
        return abstained
    if abstained:
        return False
    if strict and row["kind"] not in _LONG_KINDS and len(answer_text) > STRICT_CHARS:
        return False
    golds = [normalize_answer(a) for a in row["answers"]]
    got = normalize_answer(answer_text)
    return all(g in got for g in golds) if row.get("match") == "all" else any(g in got for g in golds)


def scored(raw: list[tuple], threshold: float) -> list[dict]:
    """Each question's outcome when answers under ``threshold`` confidence are withheld."""
    out = []
    for r, text, abstained, confidence, first in raw:
        abstained = abstained or confidence < threshold
        out.append({
            "row": r, "answer": text, "abstained": abstained, "confidence": confidence,
            "correct": correct(r, text, abstained), "strict": correct(r, text, abstained, strict=True),
            "evidence_first": not abstained and bool(r["evidence"]) and any(e in first for e in r["evidence"]),
        })
    return out


def sentence_vectors(lib: Library, texts: list[str], cache: Path) -> np.ndarray:
    """all-MiniLM-L6-v2 on each sentence alone (cached beside the library: encoding 40k sentences takes minutes)."""
    # sha256, not hash(): str hashes change with every process (PYTHONHASHSEED).
    key = f"{len(texts)}-{hashlib.sha256(chr(0).join(texts).encode()).hexdigest()[:12]}"
    path = cache / f"sentence-vectors-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = lib.embeddings.encode(texts, progress=True)
    np.save(path, vectors)
    return vectors


def stage_latencies(lib: Library, settings: Settings, rows: list[dict]) -> dict[str, list[float]]:
    """Seconds each stage of the answer pipeline takes per question, the stages run one by one as
    ``Answerer.ask`` runs them (the relevance stage timed apart from the ranking it ends)."""
    from retrieval import HybridRetriever
    from retrieval.analyse import analyse
    from retrieval.answer_scoring import AnswerScorer
    from retrieval.candidates import answer_candidates
    from retrieval.compose import compose
    from retrieval.graph_answers import GraphAnswers
    from retrieval.relevance import load_relevance
    from retrieval.retrieve import ANSWER_POOL, Retrieved

    retriever = HybridRetriever.from_library(lib)
    relevance, scorer = load_relevance(settings.cross_encoder), AnswerScorer.load()
    times: dict[str, list[float]] = collections.defaultdict(list)
    for r in rows:
        marks = [time.perf_counter()]
        analysis = analyse(r["question"], retriever.names, retriever.index)
        q = analysis.question
        marks.append(time.perf_counter())
        evidence = retriever.graph_evidence(q)
        ranked = retriever.rank(q, evidence, k=ANSWER_POOL)
        marks.append(time.perf_counter())
        if relevance is not None:
            ranked = relevance.run(q.text, ranked[: relevance.depth]) + ranked[relevance.depth:]
        marks.append(time.perf_counter())
        candidates = answer_candidates(analysis, Retrieved(evidence, ranked), GraphAnswers(retriever))
        marks.append(time.perf_counter())
        draft = scorer.run(q, candidates, ranked)
        marks.append(time.perf_counter())
        compose(draft, retriever.index, settings.abstain_below, analysis.unknown_name)
        marks.append(time.perf_counter())
        for name, start, end in zip(("analyse", "retrieve", "relevance", "answer candidates", "score", "compose"),
                                    marks, marks[1:]):
            times[name].append(end - start)
        times["all stages"].append(marks[-1] - marks[0])
    return times


def pct(x: float) -> str:
    return f"{x:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the library (default bench/results/bbc for torch, else "
                        "bench/results/bbc-BACKEND)")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--details", action="store_true", help="print every miss of kgqa ask, by kind")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--backend", default="onnx-int8", help="KGQA_EMBEDDING_BACKEND of the library (torch, onnx, "
                        "onnx-int8, bge-small-int8); a library built with another is rebuilt")
    args = parser.parse_args()

    rows = [r for r in load_questions(args.questions) if args.split == "all" or split_of(r["article"]) == args.split]
    if args.data is None:
        args.data = HERE / "results" / ("bbc" if args.backend == "torch" else f"bbc-{args.backend}")
    settings = Settings(data_dir=args.data, nlp_processes=2, embedding_backend=args.backend,
                        encoder_cache=HERE / "results" / "encoder")
    try:
        lib = Library(settings, progress=True)
    except IndexMismatch as exc:  # embedded by another backend: re-embed the same graph
        print(f"{exc}: reindexing", file=sys.stderr)
        lib = Library(settings, progress=True, rebuild=True)
    with lib:
        if not lib.graph.article_hashes():
            lib.ingest([CORPUS], progress=True)
        docs = lib.index.docs
        texts = [d.page_content for d in docs]
        answerable = [r for r in rows if r["answers"]]
        print(f"{len(docs):,} sentences in {len(lib.graph.article_hashes()):,} articles; split {args.split}: "
              f"{len(rows)} questions ({len(answerable)} answerable, {len(rows) - len(answerable)} unanswerable)")

        # --- baselines on the very same sentences ---------------------------------------------------
        bm25 = bm25s.BM25()
        bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        questions = [r["question"] for r in answerable]
        lexical, _ = bm25.retrieve(bm25s.tokenize(questions, stopwords="en", show_progress=False), k=100,
                                   show_progress=False, n_threads=2)
        vectors = sentence_vectors(lib, texts, args.data)
        question_vectors = lib.embeddings.encode_queries(questions)  # bge: after its retrieval instruction
        tops: dict[str, list[int]] = {"BM25": [], "dense MiniLM": [], "RRF(BM25, dense)": []}
        for i in range(len(answerable)):
            dense_rows = list(top_k(vectors @ question_vectors[i], 100))
            bm25_rows = [int(x) for x in lexical[i]]
            tops["BM25"].append(bm25_rows[0])
            tops["dense MiniLM"].append(dense_rows[0])
            tops["RRF(BM25, dense)"].append(rrf([bm25_rows, dense_rows])[0])

        # --- kgqa ------------------------------------------------------------------------------------
        # Answers are taken with no threshold, so the table below can show every threshold on the same run;
        # the headline figures apply the configured KGQA_ABSTAIN_BELOW.
        threshold = settings.abstain_below
        answerer = Answerer(lib, settings.replace(abstain_below=0.0))
        answerer.ask("warm up")
        searches: dict[str, tuple[list[bool], list[bool], list[float], list[float]]] = {}
        systems = {"kgqa search (no cross-encoder)": Answerer(lib, settings.replace(cross_encoder="off")),
                   "kgqa search + cross-encoder": answerer}
        if settings.cross_encoder == "off" or answerer.retriever.relevance is None:
            systems.pop("kgqa search + cross-encoder")
        for name, system in systems.items():
            first, top3, mrr, took = [], [], [], []
            for r in answerable:
                started = time.perf_counter()
                found = system.search(r["question"], k=10)
                took.append(time.perf_counter() - started)
                hits = [i for i, c in enumerate(found, 1) if any(e in c.sentence for e in r["evidence"])]
                first.append(bool(hits and hits[0] == 1))
                top3.append(bool(hits and hits[0] <= 3))
                mrr.append(1 / hits[0] if hits else 0.0)
            searches[name] = (first, top3, mrr, took)
        raw, latencies = [], []
        for r in rows:
            started = time.perf_counter()
            a = answerer.ask(r["question"])
            latencies.append(time.perf_counter() - started)
            first = a.citations[0].sentence if a.citations else ""
            raw.append((r, a.answer, a.abstained, a.confidence, first))
        results = scored(raw, threshold)
        stages = stage_latencies(lib, settings, rows)

    n = len(answerable)
    print(f"\n{'system':24s} {'evidence first':>15s} {'answer in top sentence':>23s}")
    figures: dict[str, float] = {}
    for name, top in tops.items():
        ev = sum(any(e in texts[t] for e in r["evidence"]) for t, r in zip(top, answerable)) / n
        an = sum(contains_answer(texts[t], r["answers"]) for t, r in zip(top, answerable)) / n
        figures[f"{name} evidence first"], figures[f"{name} answer in top"] = ev, an
        print(f"{name:24s} {pct(ev):>15s} {pct(an):>23s}")
    for name, (first, top3, mrr, took) in searches.items():
        print(f"{name:24s} {pct(sum(first) / n):>15s}   (top 3 {pct(sum(top3) / n)}, MRR@10 {pct(sum(mrr) / n)}; "
              f"p50 {1000 * statistics.median(took):.0f} ms, p95 {1000 * float(np.percentile(took, 95)):.0f} ms)")
        figures[f"{name} evidence first"] = sum(first) / n

    on_answerable = [x for x in results if x["row"]["answers"]]
    unanswerable = [x for x in results if not x["row"]["answers"]]
    given = [x for x in results if not x["abstained"]]
    accuracy = sum(x["correct"] for x in results) / len(results)
    strict = sum(x["strict"] for x in results) / len(results)
    evidence = sum(x["evidence_first"] for x in on_answerable) / len(on_answerable)
    precision = sum(x["strict"] for x in given) / len(given) if given else 0.0
    abstained_right = sum(x["abstained"] for x in unanswerable) / len(unanswerable) if unanswerable else 1.0
    best_dense = figures["dense MiniLM answer in top"]
    print(f"\nkgqa ask on {len(results)} questions: accuracy {pct(accuracy)}, strict {pct(strict)}, "
          f"evidence first {pct(evidence)} (of answerable)")
    print(f"  precision of given answers (strict) {pct(precision)} over {len(given)}; "
          f"unanswerable abstained {pct(abstained_right)} ({len(unanswerable)}); answerable abstained "
          f"{sum(x['abstained'] for x in on_answerable)} of {len(on_answerable)}")
    answer_accuracy = sum(x["strict"] for x in on_answerable) / len(on_answerable)
    print(f"  answer accuracy on answerable (strict) {pct(answer_accuracy)} = "
          f"x{answer_accuracy / best_dense if best_dense else float('inf'):.2f} plain dense's answer-in-top-sentence")
    print(f"  ask latency: p50 {1000 * statistics.median(latencies):.0f} ms, "
          f"p95 {1000 * float(np.percentile(latencies, 95)):.0f} ms")

    print(f"\n{'stage':18s} {'p50 ms':>7s} {'p95 ms':>7s}")
    for name, took in stages.items():
        print(f"{name:18s} {1000 * statistics.median(took):7.1f} {1000 * float(np.percentile(took, 95)):7.1f}")

    kinds: dict[str, list[dict]] = collections.defaultdict(list)
    for x in results:
        kinds[x["row"]["kind"]].append(x)
    print(f"\n{'kind':14s} {'n':>4s} {'accuracy':>9s} {'strict':>7s} {'evidence first':>15s}")
    for kind in sorted(kinds):
        xs = kinds[kind]
        ev = [x["evidence_first"] for x in xs if x["row"]["answers"]]
        print(f"{kind:14s} {len(xs):4d} {pct(sum(x['correct'] for x in xs) / len(xs)):>9s} "
              f"{pct(sum(x['strict'] for x in xs) / len(xs)):>7s} {pct(sum(ev) / len(ev)) if ev else '-':>15s}")

    print(f"\nreliability of confidence (given answers): {'bin':>9s} {'n':>4s} {'right':>6s}")
    edges = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.01)
    for low, high in zip(edges, edges[1:]):
        xs = [x for x in given if low <= x["confidence"] < high]
        if xs:
            print(f"{'':44s}{low:.2f}-{min(high, 1):.2f} {len(xs):4d} {pct(sum(x['strict'] for x in xs) / len(xs)):>6s}")

    print("\nKGQA_ABSTAIN_BELOW  strict accuracy  precision  unanswerable abstained  (the same answers)")
    for t in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.45):
        xs = scored(raw, t)
        given_t = [x for x in xs if not x["abstained"]]
        unans = [x for x in xs if not x["row"]["answers"]]
        print(f"{t:18.2f} {sum(x['strict'] for x in xs) / len(xs):16.3f} "
              f"{(sum(x['strict'] for x in given_t) / len(given_t)) if given_t else 0:10.3f} "
              f"{(sum(x['abstained'] for x in unans) / len(unans)) if unans else 1:23.3f}"
              + ("   <- configured" if abs(t - threshold) < 1e-9 else ""))

    if args.details:
        print("\nmisses (strict):")
        for kind in sorted(kinds):
            for x in kinds[kind]:
                if not x["strict"]:
                    r = x["row"]
                    got = "(abstained)" if x["abstained"] else x["answer"][:120]
                    print(f"  [{kind}] {r['question']}  -> {got}  | want {r['answers'][:2]} ({r['article']})")
    if args.json:
        figures.update({"accuracy": accuracy, "strict": strict, "evidence_first": evidence, "precision": precision,
                        "unanswerable_abstained": abstained_right, "answer_accuracy": answer_accuracy,
                        "p50_ms": 1000 * statistics.median(latencies)})
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
