"""Train the sentence re-ranker (``retrieval/sentence_reranker.json``) on the dev splits, reproducibly.

    .venv/bin/python scripts/train_sentence_reranker.py

Reads only dev questions: the BBC analyst questions of the dev split
(``scripts/check_questions.py``), the seed dev set, and the SQuAD v1.1 dev
questions whose article falls in the dev half (the same sha256-of-id split as
the BBC questions). Every question is ranked by the hybrid retriever without a
re-ranker; each of its :data:`DEPTH` best sentences is labelled 1 when it holds
the answer (an evidence string; for SQuAD, a gold answer offset). A logistic
regression (scikit-learn, L2, fixed seed) is fitted with each corpus weighted
alike, and its article-grouped cross-validated MRR@10 is printed and saved next
to the fused order's on the same questions.

Needs the BBC library (``bench/bbc_qa.py`` builds it) and the SQuAD library
(``bench/reqa_squad.py`` builds it); the seed is ingested into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from _grouped_logistic import fit_grouped  # noqa: E402
from check_questions import CORPUS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import HybridRetriever, Library, analyze  # noqa: E402
from retrieval.reranker import FEATURES, RERANKER_PATH, feature_rows  # noqa: E402

SEED_ARTICLES = ROOT / "data" / "articles"
SEED_DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
DEPTH = 30  # sentences re-ordered per question: the answer is in the fused top 30 for most questions it is found for
C = 1.0  # L2 strength: the default; 18 features over many thousand rows need little


def rows_of(library: Library, items: list[tuple[str, str, Callable[[dict], bool]]]) -> list[dict]:
    """For each (question, group, is-right(doc metadata + text)), its candidates' features and labels."""
    retriever = HybridRetriever.from_library(library, reranker=None)
    out = []
    for n, (text, group, right) in enumerate(items):
        q = analyze(text, retriever.names)
        ranked = retriever.rank(q, retriever.graph_evidence(q), k=DEPTH)
        labels = [int(right({**c.doc.metadata, "text": c.doc.page_content})) for c in ranked]
        out.append({"x": feature_rows(q, ranked), "y": labels, "group": group})
        if (n + 1) % 500 == 0:
            print(f"  {n + 1} of {len(items)} questions", file=sys.stderr)
    return out


def mrr(scores_by_question: list[tuple[list[float], list[int]]]) -> float:
    total = 0.0
    for scores, labels in scores_by_question:
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:10]
        total += next((1.0 / (p + 1) for p, i in enumerate(order) if labels[i]), 0.0)
    return total / max(len(scores_by_question), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=ROOT / "bench" / "results" / "bbc")
    parser.add_argument("--squad", type=Path, default=ROOT / "bench" / "results" / "reqa")
    parser.add_argument("--out", type=Path, default=RERANKER_PATH)
    args = parser.parse_args()

    corpora: dict[str, list[dict]] = {}
    bbc = [r for r in load_questions() if split_of(r["article"]) == "dev" and r["answers"]]
    with Library(Settings(data_dir=args.bbc, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([CORPUS], progress=True)
        corpora["bbc"] = rows_of(lib, [(r["question"], "bbc:" + r["article"],
                                        lambda d, ev=r["evidence"]: any(e in d["text"] for e in ev)) for r in bbc])
    seed = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    seed = [r for r in seed if r.get("answers") and r.get("evidence")]
    with tempfile.TemporaryDirectory() as tmp, Library(Settings(data_dir=Path(tmp) / "built")) as lib:
        lib.ingest([SEED_ARTICLES])
        corpora["seed"] = rows_of(lib, [(r["question"], "seed",
                                         lambda d, ev=r["evidence"]: any(e in d["text"] for e in ev)) for r in seed])
    from squad import write_articles

    source = ROOT / "bench" / "results" / "squad-dev.jsonl"
    squad = [q for q in write_articles(source) if split_of(q.article_id) == "dev"]
    with Library(Settings(data_dir=args.squad, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([source], progress=True)
        corpora["squad"] = rows_of(lib, [
            (q.question, "squad:" + q.article_id,
             lambda d, q=q: d["article_id"] == q.article_id and any(d["start"] <= o < d["end"] for o in q.answer_offsets))
            for q in squad])

    x, y, w, groups, question_of = [], [], [], [], []
    for name, questions in corpora.items():
        weight = 1.0 / max(len(questions), 1)  # each corpus counts alike, whatever its size
        for qn, item in enumerate(questions):
            for features, label in zip(item["x"], item["y"]):
                x.append(features)
                y.append(label)
                w.append(weight)
                groups.append(item["group"])
                question_of.append((name, qn))
    features_array, labels, weights = np.array(x), np.array(y), np.array(w) * len(x) / 3.0
    held_out, model = fit_grouped(features_array, labels, weights, groups, C)

    by_question: dict[tuple[str, int], tuple[list[float], list[float], list[int]]] = defaultdict(lambda: ([], [], []))
    fused_rank = FEATURES.index("fused_rank")
    for key, p, row, label in zip(question_of, held_out, features_array, labels):
        fused_scores, learned, truth = by_question[key]
        fused_scores.append(row[fused_rank])
        learned.append(p)
        truth.append(int(label))
    figures = {}
    for name in corpora:
        items = [v for k, v in by_question.items() if k[0] == name]
        figures[name] = {"questions": len(items),
                         "fused_mrr10": round(mrr([(f, t) for f, _, t in items]), 4),
                         "reranked_mrr10_cross_validated": round(mrr([(p, t) for _, p, t in items]), 4)}
    report = {
        "features": list(FEATURES),
        "coefficients": {n: round(float(c), 5) for n, c in zip(FEATURES, model.coef_[0])},
        "intercept": round(float(model.intercept_[0]), 5),
        "depth": DEPTH,
        "trained_on": {"rows": int(len(labels)), "right_rows": int(labels.sum()),
                       "questions": {n: len(v) for n, v in corpora.items()}},
        "cross_validated": {"folds": "5, grouped by article", "mrr_within_depth": figures},
        "how": f"scikit-learn LogisticRegression(C={C}, L2, random_state=0), corpora weighted alike; "
               "scripts/train_sentence_reranker.py",
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
