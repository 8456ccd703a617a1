"""ReQA-style sentence retrieval on SQuAD v1.1 dev: kgqa against BM25, dense and their fusion, same sentences.

    .venv/bin/python bench/reqa_squad.py                # test half (report only), ingests once into bench/results/reqa
    .venv/bin/python bench/reqa_squad.py --split dev    # the half the re-ranker is trained on; --split all: every question
    .venv/bin/python bench/reqa_squad.py --backends torch,onnx-int8   # the encoders compared in one run
    .venv/bin/python bench/reqa_squad.py --vector-uri bench/results/milvus/reqa.db   # and on Milvus Lite

Questions are split by article like the BBC questions (``scripts/check_questions.py``:
sha256 of the article id), so what is learned on the dev half is reported on the test half.
Every unique question of the split is ranked over all sentences of all 48 articles; a hit is
a returned sentence whose span contains a gold ``answer_start``. Prints MRR@10,
R@1, R@5 and R@10 for each system, all computed in this run over the
sentences kgqa stored:

- BM25: ``bm25s`` (Lucene BM25, English stop words) on the sentence text;
- dense: the encoder's cosine on the sentence alone (a standard LangChain vector RAG; all-MiniLM-L6-v2 unless
  ``--backends`` names another, e.g. ``bge-small-int8``; questions embedded as the retriever embeds them);
- fusion: reciprocal-rank fusion (k=60) of the two;
- dense (headline. sentence): the same model on what kgqa embeds for a sentence;
- kgqa fused: the hybrid retriever's fused order (context-embedded sentences, stemmed BM25, graph features);
- kgqa: the same, re-ranked by the learned sentence re-ranker (``retrieval/reranker.py``);
- kgqa + cross-encoder: and the relevance stage on its best sentences (``retrieval/relevance.py``).

With ``--vector-uri``, the two kgqa rows are measured again with the passages on Milvus (built from the
same graph on the first run), the same questions and question vectors, hits matched by sentence IRI.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import bm25s

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "scripts")]

from bbc_qa import sentence_vectors  # noqa: E402
from check_questions import split_of  # noqa: E402

from kg import Settings  # noqa: E402
from retrieval import HybridRetriever, Library, analyze  # noqa: E402
from retrieval.relevance import load_relevance  # noqa: E402
from retrieval.scoring import rrf  # noqa: E402
from retrieval.vectors import top_k  # noqa: E402
from squad import write_articles  # noqa: E402


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "R@1": sum(1 for r in ranks if r == 1) / n,
        "R@5": sum(1 for r in ranks if r and r <= 5) / n,
        "R@10": sum(1 for r in ranks if r and r <= 10) / n,
    }


def first_hit(ranking: list, gold: set) -> int | None:
    for position, row in enumerate(ranking[:10], 1):
        if row in gold:
            return position
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the first backend's library (default bench/results/reqa for "
                        "torch, else reqa-BACKEND); the other backends' are always reqa-BACKEND")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all)")
    parser.add_argument("--vector-uri", help="also rank on Milvus (KGQA_VECTOR_URI: a .db file or http://...)")
    parser.add_argument("--backends", default="onnx-int8", help="comma-separated KGQA_EMBEDDING_BACKENDs, each "
                        "measured in this run on its own library: torch,onnx-int8 compares the encoders, "
                        "onnx-int8,bge-small-int8 MiniLM against bge-small-en-v1.5")
    args = parser.parse_args()

    source = HERE / "results" / "squad-dev.jsonl"
    source.parent.mkdir(parents=True, exist_ok=True)
    questions = [q for q in write_articles(source) if args.split == "all" or split_of(q.article_id) == args.split]
    if args.limit:
        questions = questions[: args.limit]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    kgqa = {}
    for backend in backends:
        data = HERE / "results" / ("reqa" if backend == "torch" else f"reqa-{backend}")
        if args.data and backend == backends[0]:
            data = args.data
        print(f"\n=== encoder backend {backend} ({data})")
        kgqa[backend] = run(source, questions, args.split, backend, data, args.vector_uri)
    if len(backends) > 1:
        first = backends[0]
        for name in kgqa[first]:
            cells = []
            for b in backends:
                m, base = kgqa[b][name], kgqa[first][name]
                cells.append(f"{b} MRR@10 {m['MRR@10']:.3f} ({m['MRR@10'] - base['MRR@10']:+.3f}) "
                             f"R@1 {m['R@1']:.3f} ({m['R@1'] - base['R@1']:+.3f})")
            print(f"\n{name} by encoder backend, same questions and sentences: " + ", ".join(cells))


def run(source: Path, questions: list, split: str, backend: str, data: Path,
        vector_uri: str | None = None) -> dict[str, dict[str, float]]:
    """Rank every question with every system on one library; print the table; the figures of each system."""
    settings = Settings(data_dir=data, nlp_processes=2, embedding_backend=backend,
                        encoder_cache=HERE / "results" / "encoder")
    with Library(settings, progress=True) as lib:
        lib.ingest([source], progress=True)
        docs = lib.index.docs
        spans = defaultdict(list)
        for row, d in enumerate(docs):
            spans[d.metadata["article_id"]].append((d.metadata["start"], d.metadata["end"], row))
        golds = [{row for s, e, row in spans[q.article_id] for o in q.answer_offsets if s <= o < e} for q in questions]
        answerable = sum(1 for g in golds if g)
        print(f"{len(docs)} sentences, split {split}: {len(questions)} unique questions "
              f"({answerable} with an answer inside a sentence)")

        texts = [d.page_content for d in docs]
        started = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        q_tokens = bm25s.tokenize([q.question for q in questions], stopwords="en", show_progress=False)
        bm25_rows, _ = bm25.retrieve(q_tokens, k=100, show_progress=False, n_threads=2)
        embed = lib.embeddings
        vectors = sentence_vectors(lib, texts, data)
        question_vectors = embed.encode_queries([q.question for q in questions], progress=True)
        print(f"baselines indexed and encoded in {time.perf_counter() - started:.0f} s")

        ranks: dict[str, list[int | None]] = {"BM25": [], "dense": [], "fusion (RRF)": [], "dense (headline. sentence)": [],
                                              "kgqa fused (no re-ranker)": [], "kgqa": [], "kgqa + cross-encoder": []}
        context_vectors = lib.index.sentence_matrix()  # "headline. sentence", what kgqa embeds
        retriever = HybridRetriever.from_library(lib)
        fused = HybridRetriever.from_library(lib, reranker=None)
        relevant = HybridRetriever.from_library(lib, relevance=load_relevance("on"))
        latencies, relevant_latencies = [], []
        for i, (q, gold) in enumerate(zip(questions, golds)):
            dense_rows = list(top_k(vectors @ question_vectors[i], 100))
            lexical = [int(r) for r in bm25_rows[i]]
            ranks["BM25"].append(first_hit(lexical, gold))
            ranks["dense"].append(first_hit(dense_rows, gold))
            ranks["fusion (RRF)"].append(first_hit(rrf([lexical, dense_rows]), gold))
            ranks["dense (headline. sentence)"].append(first_hit(list(top_k(context_vectors @ question_vectors[i], 10)), gold))
            t = time.perf_counter()
            question = analyze(q.question, retriever.names)
            found = retriever.rank(question, retriever.graph_evidence(question), k=10, vector=question_vectors[i])
            latencies.append(time.perf_counter() - t)
            ranks["kgqa"].append(first_hit([c.row for c in found], gold))
            t = time.perf_counter()
            read = relevant.rank(question, relevant.graph_evidence(question), k=10, vector=question_vectors[i])
            relevant_latencies.append(time.perf_counter() - t)
            ranks["kgqa + cross-encoder"].append(first_hit([c.row for c in read], gold))
            unranked = fused.rank(question, fused.graph_evidence(question), k=10, vector=question_vectors[i])
            ranks["kgqa fused (no re-ranker)"].append(first_hit([c.row for c in unranked], gold))
            if (i + 1) % 2000 == 0:
                print(f"  {i + 1} questions", file=sys.stderr)
        gold_sentences = [{docs[row].id for row in g} for g in golds]
    if vector_uri:
        ranks.update(rank_on_milvus(settings.replace(vector_uri=vector_uri), questions, question_vectors,
                                    gold_sentences))

    print(f"\n{'system':26s} {'MRR@10':>7s} {'R@1':>7s} {'R@5':>7s} {'R@10':>7s}")
    results = {name: metrics(r) for name, r in ranks.items()}
    for name, m in results.items():
        print(f"{name:26s} " + " ".join(f"{m[k]:7.3f}" for k in ("MRR@10", "R@1", "R@5", "R@10")))
    if vector_uri:
        for name in ("kgqa", "kgqa + cross-encoder"):
            print(f"{name}: MRR@10 on Milvus minus embedded "
                  f"{results[name + ' (Milvus)']['MRR@10'] - results[name]['MRR@10']:+.3f}")
    best = max(("BM25", "dense", "fusion (RRF)"), key=lambda n: results[n]["MRR@10"])
    print(f"\nkgqa / best baseline ({best}): MRR@10 x{results['kgqa']['MRR@10'] / results[best]['MRR@10']:.2f}, "
          f"R@1 x{results['kgqa']['R@1'] / results[best]['R@1']:.2f}")
    print(f"kgqa ranking per question (question already embedded): p50 {1000 * statistics.median(latencies):.1f} ms; "
          f"with the cross-encoder p50 {1000 * statistics.median(relevant_latencies):.1f} ms")
    return {name: results[name] for name in ("dense", "kgqa", "kgqa + cross-encoder")}


def rank_on_milvus(settings: Settings, questions: list, question_vectors, golds: list[set[str]]
                   ) -> dict[str, list[int | None]]:
    """The kgqa rows again with the library's passages on Milvus (hits by sentence IRI: rows differ)."""
    ranks: dict[str, list[int | None]] = {"kgqa (Milvus)": [], "kgqa + cross-encoder (Milvus)": []}
    with Library(settings, progress=True) as lib:
        retriever = HybridRetriever.from_library(lib)
        relevant = HybridRetriever.from_library(lib, relevance=load_relevance("on"))
        for i, (q, gold) in enumerate(zip(questions, golds)):
            for name, r in (("kgqa (Milvus)", retriever), ("kgqa + cross-encoder (Milvus)", relevant)):
                question = analyze(q.question, r.names)
                found = r.rank(question, r.graph_evidence(question), k=10, vector=question_vectors[i])
                ranks[name].append(first_hit([c.doc.id for c in found], gold))
    return ranks


if __name__ == "__main__":
    main()
