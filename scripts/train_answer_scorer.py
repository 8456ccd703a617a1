"""Train the answer scorer (``retrieval/answer_scorer.json``) on the dev questions, reproducibly.

    .venv/bin/python scripts/train_answer_scorer.py           # BBC dev split + the seed dev set

The SQuAD v1.1 dev questions of the dev half (split by article like the BBC
questions) are used too, each corpus weighted alike. Every dev question is analysed and ranked exactly as ``kgqa ask`` does; the
candidates of its top sentences (``retrieval.ranker.candidates``) are labelled
right when they hold an accepted answer and are short enough to be an answer
(the strict rule of ``bench/bbc_qa.py``). A logistic regression (scikit-learn,
L2, fixed seed) is fitted on them; the coefficients, the intercept, the data
it saw and its article-grouped cross-validated figures are written as JSON.
Test questions are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from bbc_qa import correct  # noqa: E402
from check_questions import CORPUS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import Answerer, Library  # noqa: E402
from retrieval.ranker import CALIBRATION, FEATURES, SCORER_PATH, features  # noqa: E402

SEED_ARTICLES = ROOT / "data" / "articles"
SEED_DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
C = 1.0  # L2 strength: the default; 15 features over a few thousand candidates need little


def examples(library: Library, rows: list[dict], group: str) -> tuple[list[list[float]], list[int], list[str], list[int]]:
    """Features, labels, groups (article ids) and question numbers of every candidate of every question."""
    answerer = Answerer(library, library.settings)
    x, y, groups, question = [], [], [], []
    for n, row in enumerate(rows):
        if (n + 1) % 500 == 0:
            print(f"  {group}: {n + 1} of {len(rows)} questions", file=sys.stderr)
        for span in answerer.candidate_spans(row["question"]):
            x.append(features(span))
            y.append(int(bool(row["answers"]) and correct(row, span.text, False, strict=True)))
            groups.append(f"{group}:{row.get('article', '')}")
            question.append(n)
    return x, y, groups, question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=ROOT / "bench" / "results" / "bbc",
                        help="the BBC library (bench/bbc_qa.py builds it)")
    parser.add_argument("--squad", type=Path, default=ROOT / "bench" / "results" / "reqa",
                        help="the SQuAD library (bench/reqa_squad.py builds it)")
    parser.add_argument("--out", type=Path, default=SCORER_PATH)
    args = parser.parse_args()

    bbc_rows = [r for r in load_questions() if split_of(r["article"]) == "dev"]
    seed_rows = [dict(json.loads(line), article="seed", kind=json.loads(line).get("kind", "seed"))
                 for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    x, y, groups, questions = [], [], [], []
    with Library(Settings(data_dir=args.bbc, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([CORPUS], progress=True)
        part = examples(lib, bbc_rows, "bbc")
        x, y, groups, questions = part
    with tempfile.TemporaryDirectory() as tmp, Library(Settings(data_dir=Path(tmp) / "built")) as lib:
        lib.ingest([SEED_ARTICLES])
        sx, sy, sg, sq = examples(lib, seed_rows, "seed")
        offset = max(questions) + 1 if questions else 0
        x, y, groups, questions = x + sx, y + sy, groups + sg, questions + [q + offset for q in sq]
    from squad import write_articles

    source = ROOT / "bench" / "results" / "squad-dev.jsonl"
    squad_rows = [{"question": q.question, "answers": list(q.answers), "article": q.article_id, "kind": "squad"}
                  for q in write_articles(source) if split_of(q.article_id) == "dev"]
    with Library(Settings(data_dir=args.squad, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([source], progress=True)
        qx, qy, qg, qq = examples(lib, squad_rows, "squad")
        offset = max(questions) + 1 if questions else 0
        x, y, groups, questions = x + qx, y + qy, groups + qg, questions + [q + offset for q in qq]
    # Each corpus counts alike, whatever its number of candidates.
    per_corpus = {name: sum(1 for g in groups if g.startswith(name + ":")) for name in ("bbc", "seed", "squad")}
    weights = np.array([len(groups) / (3 * per_corpus[g.split(":")[0]]) for g in groups])

    features_array, labels = np.array(x), np.array(y)
    model = LogisticRegression(C=C, max_iter=2000, random_state=0)
    folds = GroupKFold(n_splits=5)
    held_out = np.zeros(len(labels))
    for train, test in folds.split(features_array, labels, groups):
        fold = LogisticRegression(C=C, max_iter=2000, random_state=0).fit(
            features_array[train], labels[train], sample_weight=weights[train])
        held_out[test] = fold.predict_proba(features_array[test])[:, 1]
    model.fit(features_array, labels, sample_weight=weights)

    # Of the questions with a right candidate, how often is the best-scored candidate right (held-out folds)?
    by_question: dict[int, list[tuple[float, int, float, float]]] = {}
    corpus_of: dict[int, str] = {}
    for q, p, label, row, group in zip(questions, held_out, labels, features_array, groups):
        by_question.setdefault(q, []).append((p, label, row[FEATURES.index("coverage")], row[FEATURES.index("missing")]))
        corpus_of[q] = group.split(":")[0]
    top_right = {}
    for name in per_corpus:
        answerable = [v for q, v in by_question.items() if corpus_of[q] == name and any(label for _, label, _, _ in v)]
        top_right[name] = {"questions_with_a_right_candidate": len(answerable),
                           "best_candidate_right": round(sum(max(v)[1] for v in answerable) / len(answerable), 4)
                           if answerable else 0.0}

    # Calibration: from the held-out scores of each question's candidates to "the best one is right".
    cal_x, cal_y, cal_w = [], [], []
    questions_of = {name: sum(1 for c in corpus_of.values() if c == name) for name in per_corpus}
    for q, v in by_question.items():
        cal_w.append(len(by_question) / (len(questions_of) * questions_of[corpus_of[q]]))
        ordered = sorted(v, reverse=True)
        best, label, cover, missing = ordered[0]
        second = ordered[1][0] if len(ordered) > 1 else 0.0
        total = sum(p for p, _, _, _ in v) or 1.0
        cal_x.append([best, best - second, best / total, cover, missing])
        cal_y.append(label)
    calibrator = LogisticRegression(C=C, max_iter=2000, random_state=0).fit(
        np.array(cal_x), np.array(cal_y), sample_weight=np.array(cal_w))
    calibrated = calibrator.predict_proba(np.array(cal_x))[:, 1]
    reliability = []
    for low, high in ((0.0, 0.2), (0.2, 0.35), (0.35, 0.5), (0.5, 0.65), (0.65, 0.8), (0.8, 1.01)):
        inside = [y for p, y in zip(calibrated, cal_y) if low <= p < high]
        if inside:
            reliability.append({"confidence": f"{low:.2f}-{min(high, 1.0):.2f}", "questions": len(inside),
                                "right": round(sum(inside) / len(inside), 3)})

    report = {
        "features": list(FEATURES),
        "coefficients": {name: round(float(w), 5) for name, w in zip(FEATURES, model.coef_[0])},
        "intercept": round(float(model.intercept_[0]), 5),
        "calibration": {"features": list(CALIBRATION),
                        "coefficients": {n: round(float(w), 5) for n, w in zip(CALIBRATION, calibrator.coef_[0])},
                        "intercept": round(float(calibrator.intercept_[0]), 5),
                        "reliability_on_dev": reliability},
        "trained_on": {"bbc_dev_questions": len(bbc_rows), "seed_dev_questions": len(seed_rows),
                       "squad_dev_half_questions": len(squad_rows), "candidates_by_corpus": per_corpus,
                       "candidates": int(len(labels)), "right_candidates": int(labels.sum())},
        "cross_validated": {"folds": "5, grouped by article", "log_loss": round(float(log_loss(labels, held_out)), 4),
                            "by_corpus": top_right},
        "how": f"scikit-learn LogisticRegression(C={C}, L2, random_state=0); scripts/train_answer_scorer.py",
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
