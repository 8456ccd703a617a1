"""Train the answer scorer (``retrieval/answer_scorer.json``) on the dev questions, reproducibly.

    .venv/bin/python scripts/train_answer_scorer.py     # BBC dev split, the seed dev set, 400 SQuAD dev-half questions

Every dev question runs through the answer pipeline exactly as ``kgqa ask``
does (analyse, retrieve with the relevance stage, answer candidates); each
candidate is labelled right when it holds an accepted answer and is short
enough to be one (the strict rule of ``bench/bbc_qa.py``); an unanswerable
question has no right candidate. A logistic regression (scikit-learn, L2,
fixed seed, each corpus weighted alike) is fitted on the candidates'
:data:`retrieval.answer_scoring.FEATURES`.

Cross-validated (five folds grouped by article) it is compared with the
generators' own choice (the first graph generator's draft, else the rules'
span) with their hand-set confidence, and with picking the most probable
candidate instead: strict accuracy, precision of the answers given and
unanswerable questions abstained, per corpus, over a sweep of
``KGQA_ABSTAIN_BELOW``. What ships is the generators' choice with the model's
probability as its confidence; the threshold with its best accuracy (the mean of
the BBC dev split's strict accuracy and the seed dev set's ``kgqa eval``
accuracy) is written beside the
weights as the default (the highest within :data:`STRICT_TOLERANCE` of the best, for
precision), with the reliability table of the held-out confidences. Test
questions are never read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from _grouped_logistic import fit_grouped  # noqa: E402
from bbc_qa import correct  # noqa: E402
from check_questions import CORPUS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from retrieval import Answerer, Library  # noqa: E402
from retrieval.answer_scoring import FEATURES, SCORER_PATH, AnswerScorer  # noqa: E402

SEED_ARTICLES = ROOT / "data" / "articles"
SEED_DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
C = 0.3  # L2 strength: of 0.1, 0.3, 1 and 3, the best held-out BBC dev strict accuracy at the chosen threshold
#: Accuracy the default threshold may give up for precision: two dev questions in a hundred, about what the
#: same threshold moves between cross-validation folds.
STRICT_TOLERANCE = 0.02
THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def collect(library: Library, rows: list[dict], corpus: str) -> list[dict]:
    """Per question: its candidates' features and labels, the rules' pick, and its group (corpus:article)."""
    zero = AnswerScorer(tuple(0.0 for _ in FEATURES), 0.0)
    answerer = Answerer(library, library.settings, scorer=zero)
    out = []
    for n, row in enumerate(rows):
        run = answerer.pipeline(row["question"])
        drafts = run.candidates.drafts
        out.append({
            "corpus": corpus, "group": f"{corpus}:{row.get('article', '')}", "row": row,
            "x": run.features(),
            "expected": run.analysis.question.expected,
            "texts": [d.text for d in drafts], "priors": [d.prior for d in drafts],
            "rules_pick": run.candidates.rules_pick,
        })
        if (n + 1) % 100 == 0:
            print(f"  {corpus}: {n + 1} of {len(rows)} questions", file=sys.stderr)
    return out


def outcomes(questions: list[dict], choose) -> list[tuple[dict, str | None, float]]:  # type: ignore[no-untyped-def]
    """(row, chosen text or None, confidence) per question under the choice function ``choose``."""
    out = []
    for q in questions:
        pick, confidence = choose(q)
        out.append((q["row"], None if pick is None else q["texts"][pick], confidence))
    return out


def figures(results: list[tuple[dict, str | None, float]], threshold: float, strict_rule: bool = True) -> dict[str, float]:
    """Accuracy (``strict_rule``: the bench's strict rule, else ``kgqa eval``'s containment), precision of the
    answers given and unanswerable questions abstained, when answers under ``threshold`` are withheld."""
    strict, given, right_given, unanswerable, abstained_right = 0, 0, 0, 0, 0
    for row, text, confidence in results:
        abstained = text is None or confidence < threshold
        ok = correct(row, text or "", abstained, strict=strict_rule)
        strict += ok
        if not abstained:
            given += 1
            right_given += ok
        if not row["answers"]:
            unanswerable += 1
            abstained_right += abstained
    return {"strict": round(strict / max(len(results), 1), 4), "precision": round(right_given / given, 4) if given else 0.0,
            "given": given, "unanswerable_abstained": round(abstained_right / unanswerable, 4) if unanswerable else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=ROOT / "bench" / "results" / "bbc-onnx-int8",
                        help="the BBC library (bench/bbc_qa.py builds it)")
    parser.add_argument("--squad", type=Path, default=ROOT / "bench" / "results" / "reqa",
                        help="the SQuAD library (bench/reqa_squad.py builds it)")
    parser.add_argument("--squad-questions", type=int, default=0,
                        help="SQuAD dev-half questions to train on too (default none: 400 of them made the BBC and "
                             "seed dev confidences worse, held out)")
    parser.add_argument("--out", type=Path, default=SCORER_PATH)
    parser.add_argument("--candidates", type=Path, help="a JSON file of the collected candidates: read when it "
                        "exists (to refit without running the pipeline again), else written")
    args = parser.parse_args()

    if args.candidates and args.candidates.exists():
        questions = json.loads(args.candidates.read_text(encoding="utf-8"))
    else:
        questions = collect_all(args)
        if args.candidates:
            args.candidates.write_text(json.dumps(questions), encoding="utf-8")
    fit(questions, args.out)


def collect_all(args: argparse.Namespace) -> list[dict]:
    """The candidates of every dev question of every corpus."""
    questions: list[dict] = []
    bbc_rows = [r for r in load_questions() if split_of(r["article"]) == "dev"]
    with Library(Settings(data_dir=args.bbc, nlp_processes=2)) as lib:
        if not lib.graph.article_hashes():
            lib.ingest([CORPUS], progress=True)
        questions += collect(lib, bbc_rows, "bbc")
    seed_rows = [{"article": "seed", "kind": "seed", **json.loads(line)}
                 for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp, Library(Settings(data_dir=Path(tmp) / "built")) as lib:
        lib.ingest([SEED_ARTICLES])
        questions += collect(lib, seed_rows, "seed")
    if args.squad_questions:
        from squad import write_articles

        source = ROOT / "bench" / "results" / "squad-dev.jsonl"
        squad = [q for q in write_articles(source) if split_of(q.article_id) == "dev"]
        squad = random.Random(0).sample(squad, min(args.squad_questions, len(squad)))
        rows = [{"question": q.question, "answers": list(q.answers), "article": q.article_id, "kind": "squad"}
                for q in squad]
        with Library(Settings(data_dir=args.squad, nlp_processes=2)) as lib:
            if not lib.graph.article_hashes():
                lib.ingest([source], progress=True)
            questions += collect(lib, rows, "squad")
    return questions


def is_right(q: dict, text: str) -> int:
    """Whether a candidate is right: it holds an accepted answer and, but for quotes, lists and two-part
    questions, is short enough to be one (the bench's strict rule, for every set alike: labelling the seed's
    whole-sentence answers right by ``kgqa eval``'s looser rule was tried and made BBC dev calibration worse)."""
    return int(correct(q["row"], text, False, strict=True))


def fit(questions: list[dict], out: Path) -> None:
    """Fit, cross-validate against the hand-written choice, and write the weights to ``out``."""
    for q in questions:
        q["y"] = [is_right(q, text) for text in q["texts"]]
    corpora = sorted({q["corpus"] for q in questions})
    per_corpus = {c: sum(len(q["y"]) for q in questions if q["corpus"] == c) for c in corpora}
    x, y, w, groups, owner = [], [], [], [], []
    for qn, q in enumerate(questions):
        for values, label in zip(q["x"], q["y"]):
            x.append([values[name] for name in FEATURES])
            y.append(label)
            w.append(1.0 / per_corpus[q["corpus"]])  # each corpus counts alike, whatever its size
            groups.append(q["group"])
            owner.append(qn)
    xs, ys, ws = np.array(x), np.array(y), np.array(w) * len(x) / len(corpora)
    held, model = fit_grouped(xs, ys, ws, groups, C)
    for q in questions:
        q["held"] = []
    for p, qn in zip(held, owner):
        questions[qn]["held"].append(float(p))

    def rules(q: dict) -> tuple[int | None, float]:
        pick = q["rules_pick"]
        return pick, (q["priors"][pick] if pick is not None else 0.0)

    def learned(q: dict) -> tuple[int | None, float]:
        if not q["held"]:
            return None, 0.0
        best = max(range(len(q["held"])), key=lambda i: (q["held"][i], -i))
        return best, q["held"][best]

    def shipped(q: dict) -> tuple[int | None, float]:
        pick = q["rules_pick"]
        return pick, (q["held"][pick] if pick is not None else 0.0)

    policies = (("rules", rules), ("learned", learned), ("shipped", shipped))
    sweep: dict[str, dict] = {}
    print(f"{'corpus':7s} {'choice':8s} " + " ".join(f"{t:>17.2f}" for t in THRESHOLDS))
    for corpus in corpora:
        subset = [q for q in questions if q["corpus"] == corpus]
        for name, choose in policies:
            results = outcomes(subset, choose)
            # Each set by its own yardstick: the seed dev set as `kgqa eval` and its test score it.
            table = {f"{t:.2f}": figures(results, t, strict_rule=corpus != "seed") for t in THRESHOLDS}
            sweep.setdefault(corpus, {})[name] = table
            print(f"{corpus:7s} {name:8s} " + " ".join(
                f"{f['strict']:.3f}/{f['precision']:.3f}/{f['unanswerable_abstained']:.2f}" for f in table.values()))
    print("(each cell: accuracy (seed: kgqa eval's, else strict) / precision of given / unanswerable abstained; rules: the generators' choice with "
          "their own confidence; learned: the most probable candidate; shipped: the generators' choice with its "
          "probability)")
    # The threshold serves both sets the targets are on: the BBC dev split and the seed dev set, alike.
    targets = [c for c in ("bbc", "seed") if c in sweep] or corpora[:1]
    mean = {t: sum(sweep[c]["shipped"][f"{t:.2f}"]["strict"] for c in targets) / len(targets) for t in THRESHOLDS}
    threshold = max(t for t in THRESHOLDS if mean[t] >= max(mean.values()) - STRICT_TOLERANCE)
    bbc = sweep[targets[0]]["shipped"]

    reliability = []
    chosen = []
    for q in questions:
        if q["corpus"] == "bbc":
            pick, confidence = shipped(q)
            chosen.append((confidence, correct(q["row"], q["texts"][pick] if pick is not None else "", pick is None,
                                               strict=True)))
    for low, high in ((0.0, 0.2), (0.2, 0.35), (0.35, 0.5), (0.5, 0.65), (0.65, 0.8), (0.8, 1.01)):
        inside = [ok for p, ok in chosen if low <= p < high]
        if inside:
            reliability.append({"confidence": f"{low:.2f}-{min(high, 1.0):.2f}", "questions": len(inside),
                                "right": round(sum(inside) / len(inside), 3)})
    report = {
        "features": list(FEATURES),
        "coefficients": {n: round(float(c), 5) for n, c in zip(FEATURES, model.coef_[0])},
        "intercept": round(float(model.intercept_[0]), 5),
        "abstain_below": threshold,
        "trained_on": {c: {"questions": sum(1 for q in questions if q["corpus"] == c), "candidates": per_corpus[c]}
                       for c in corpora},
        "cross_validated": {"folds": "5, grouped by article", "sweep": sweep,
                            "reliability_bbc_dev": reliability},
        "how": f"scikit-learn LogisticRegression(C={C}, L2, random_state=0), corpora weighted alike; abstain_below: "
               f"the highest threshold within {STRICT_TOLERANCE} of the best strict accuracy held out, mean of BBC dev "
               "and seed dev "
               "(the generators' choice, the model's probability); scripts/train_answer_scorer.py",
    }
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"abstain_below {threshold}; BBC dev held out at it: {bbc[f'{threshold:.2f}']}")
    print(json.dumps(reliability, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
