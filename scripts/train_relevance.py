"""Train the relevance stage (``retrieval/relevance.json``) on the dev splits, reproducibly, and choose its depth.

    .venv/bin/python scripts/train_relevance.py --bbc bench/results/bbc-onnx-int8

Reads only dev questions, as ``scripts/train_sentence_reranker.py`` does: the
BBC analyst questions of the dev split, the seed dev set, and SQuAD v1.1 dev
questions of the dev half (at most ``--squad-questions`` of them, a fixed
sample). Each question is ranked by the hybrid retriever with the sentence
re-ranker; the cross-encoder reads its best :data:`MAX_DEPTH` sentences (as
headline, then sentence) once, and every depth N of :data:`DEPTHS` is judged
on the same scores: a logistic regression over
:data:`retrieval.relevance.FEATURES` of the best N, cross-validated in five
folds grouped by article, re-orders them. For each N the script prints the
supporting-sentence-first rate and MRR@10 per corpus against the re-ranker's
order, and the cross-encoder's median time for N pairs; the depth kept is the
smallest whose mean gain over the corpora is within 0.005 of the best one.
Its model, refitted on all rows, is written with the table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from _grouped_logistic import fit_grouped  # noqa: E402
from check_questions import CORPUS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import HybridRetriever, Library, analyze  # noqa: E402
from retrieval.cross_encoder import CrossEncoder, passage_text  # noqa: E402
from retrieval.relevance import FEATURES, RELEVANCE_PATH, feature_rows  # noqa: E402

SEED_ARTICLES = ROOT / "data" / "articles"
SEED_DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
MAX_DEPTH = 30
DEPTHS = (5, 10, 15, 20, 30)
C = 1.0
#: A depth this close to the best mean gain is as good: the smaller (faster) one is kept.
TOLERANCE = 0.005


def collect(library: Library, encoder: CrossEncoder, items: list[tuple[str, str, Callable[[dict], bool]]],
            timings: list[float]) -> list[dict]:
    """Per question: its re-ranked best sentences (as candidates), their cross-encoder logits and labels."""
    retriever = HybridRetriever.from_library(library)  # the trained sentence re-ranker, no relevance stage
    out = []
    for n, (text, group, right) in enumerate(items):
        q = analyze(text, retriever.names)
        head = retriever.rank(q, retriever.graph_evidence(q), k=MAX_DEPTH)
        passages = [passage_text(c.doc.metadata.get("headline"), c.doc.page_content) for c in head]
        started = time.perf_counter()
        cross = encoder.score(text, passages)
        timings.append((time.perf_counter() - started) / max(len(passages), 1))
        labels = [int(right({**c.doc.metadata, "text": c.doc.page_content})) for c in head]
        out.append({"head": head, "cross": cross, "y": labels, "group": group})
        if (n + 1) % 200 == 0:
            print(f"  {n + 1} of {len(items)} questions", file=sys.stderr)
    return out


def first_and_mrr(orders: list[list[int]]) -> tuple[float, float]:
    """Supporting sentence first, and MRR@10, over label lists in ranked order."""
    first = sum(1 for o in orders if o and o[0]) / max(len(orders), 1)
    mrr = sum(next((1.0 / (p + 1) for p, y in enumerate(o[:10]) if y), 0.0) for o in orders) / max(len(orders), 1)
    return first, mrr


def evaluate(corpora: dict[str, list[dict]], depth: int) -> tuple[dict, LogisticRegression]:
    """Cross-validated figures of the depth-``depth`` model per corpus, and the model fitted on every row."""
    x, y, w, groups, owner = [], [], [], [], []
    for name, questions in corpora.items():
        weight = 1.0 / max(len(questions), 1)
        for qn, item in enumerate(questions):
            head, cross = item["head"][:depth], item["cross"][:depth]
            for row, label in zip(feature_rows(head, cross), item["y"][:depth]):
                x.append(row)
                y.append(label)
                w.append(weight)
                groups.append(item["group"])
                owner.append((name, qn))
    xs, ys, ws = np.array(x), np.array(y), np.array(w) * len(x) / len(corpora)
    held, model = fit_grouped(xs, ys, ws, groups, C)
    scores: dict[tuple[str, int], list[float]] = {}
    for key, p in zip(owner, held):
        scores.setdefault(key, []).append(float(p))
    figures = {}
    for name, questions in corpora.items():
        before, after = [], []
        for qn, item in enumerate(questions):
            labels = item["y"]
            before.append(labels)
            p = scores.get((name, qn), [])
            order = sorted(range(len(p)), key=lambda i: (-p[i], i))
            after.append([labels[i] for i in order] + labels[depth:])
        (f0, m0), (f1, m1) = first_and_mrr(before), first_and_mrr(after)
        figures[name] = {"questions": len(questions), "reranker_first": round(f0, 4), "first": round(f1, 4),
                         "reranker_mrr10": round(m0, 4), "mrr10": round(m1, 4)}
    return figures, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=ROOT / "bench" / "results" / "bbc-onnx-int8")
    parser.add_argument("--squad", type=Path, default=ROOT / "bench" / "results" / "reqa")
    parser.add_argument("--squad-questions", type=int, default=400, help="SQuAD dev-half questions used (0: none)")
    parser.add_argument("--budget-ms", type=float, default=150.0,
                        help="most cross-encoder time a question may take (p50 per pair x depth): ask's whole p50 "
                             "budget is 250 ms, and the rest of the pipeline takes ~35 ms")
    parser.add_argument("--out", type=Path, default=RELEVANCE_PATH)
    args = parser.parse_args()

    encoder = CrossEncoder.load()
    timings: list[float] = []
    corpora: dict[str, list[dict]] = {}
    bbc = [r for r in load_questions() if split_of(r["article"]) == "dev" and r["answers"]]
    with Library(Settings(data_dir=args.bbc, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([CORPUS], progress=True)
        corpora["bbc"] = collect(lib, encoder, [(r["question"], "bbc:" + r["article"],
                                                 lambda d, ev=r["evidence"]: any(e in d["text"] for e in ev))
                                                for r in bbc], timings)
    seed = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    seed = [r for r in seed if r.get("answers") and r.get("evidence")]
    with tempfile.TemporaryDirectory() as tmp, Library(Settings(data_dir=Path(tmp) / "built")) as lib:
        lib.ingest([SEED_ARTICLES])
        corpora["seed"] = collect(lib, encoder, [(r["question"], "seed:" + r["question"],
                                                  lambda d, ev=r["evidence"]: any(e in d["text"] for e in ev))
                                                 for r in seed], timings)
    if args.squad_questions:
        from squad import write_articles

        source = ROOT / "bench" / "results" / "squad-dev.jsonl"
        squad = [q for q in write_articles(source) if split_of(q.article_id) == "dev"]
        squad = random.Random(0).sample(squad, min(args.squad_questions, len(squad)))
        with Library(Settings(data_dir=args.squad, nlp_processes=2)) as lib:
            if not lib.graph.article_hashes():
                lib.ingest([source], progress=True)
            corpora["squad"] = collect(lib, encoder, [
                (q.question, "squad:" + q.article_id,
                 lambda d, q=q: d["article_id"] == q.article_id
                 and any(d["start"] <= o < d["end"] for o in q.answer_offsets)) for q in squad], timings)

    per_pair_ms = statistics.median(timings) * 1000
    table, models = {}, {}
    for depth in DEPTHS:
        table[depth], models[depth] = evaluate(corpora, depth)
        gain = statistics.mean(f["first"] - f["reranker_first"] for f in table[depth].values())
        print(f"N={depth:2d}  ~{per_pair_ms * depth:5.0f} ms  mean first gain {gain:+.3f}  "
              + "  ".join(f"{n}: first {f['reranker_first']:.3f}->{f['first']:.3f} "
                          f"MRR@10 {f['reranker_mrr10']:.3f}->{f['mrr10']:.3f}" for n, f in table[depth].items()))
    # MRR@10, not only the first place: the answer strategies read the best three sentences.
    gains = {d: statistics.mean(f["mrr10"] - f["reranker_mrr10"] for f in table[d].values()) for d in DEPTHS
             if d == DEPTHS[0] or per_pair_ms * d <= args.budget_ms}
    best = max(gains.values())
    depth = min(d for d in gains if gains[d] >= best - TOLERANCE)
    model = models[depth]
    report = {
        "features": list(FEATURES),
        "coefficients": {n: round(float(c), 5) for n, c in zip(FEATURES, model.coef_[0])},
        "intercept": round(float(model.intercept_[0]), 5),
        "depth": depth,
        "cross_encoder_ms_per_pair_p50": round(per_pair_ms, 2),
        "trained_on": {n: len(v) for n, v in corpora.items()},
        "cross_validated": {"folds": "5, grouped by article", "by_depth": {str(d): table[d] for d in DEPTHS}},
        "how": f"scikit-learn LogisticRegression(C={C}, L2, random_state=0), corpora weighted alike, depth: the "
               f"smallest within {TOLERANCE} of the best mean MRR@10 gain within {args.budget_ms:g} ms; "
               "scripts/train_relevance.py",
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"depth {depth}; wrote {args.out}")


if __name__ == "__main__":
    main()
