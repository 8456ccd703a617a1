"""Check the BBC question set and print its dev/test split by article.

    .venv/bin/python scripts/check_questions.py            # exits 1 if any question is broken

Every question in ``tests/qa/bbc/*.jsonl`` must name a stored article (the
first of a duplicate pair), every evidence string must be an exact substring
of its article's text (title, blank line, body), and every accepted answer of
an answerable question must occur in the article. The split is by article, so
no article has questions on both sides: an article goes to ``test`` when the
first hex digit of the SHA-256 of its id is odd (see :func:`split_of`).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.evaluation import split_of  # noqa: E402  (one split rule for questions and gold facts)

QUESTIONS = ROOT / "tests" / "qa" / "bbc"
CORPUS = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
KINDS = {"post", "quote", "speaker", "number", "date", "place", "org", "multi", "list", "unanswerable"}


def load_corpus(path: Path = CORPUS) -> tuple[dict[str, str], dict[str, str]]:
    """Article id -> text as kgqa stores it, and duplicate id -> the id it duplicates."""
    texts: dict[str, str] = {}
    first: dict[tuple[str, str], str] = {}
    duplicates: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        key = (record["title"], record["body"])
        if key in first:
            duplicates[record["id"]] = first[key]
            continue
        first[key] = record["id"]
        texts[record["id"]] = f"{' '.join(record['title'].split())}\n\n{record['body'].strip()}"
    return texts, duplicates


def load_questions(folder: Path = QUESTIONS) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                row["_where"] = f"{path.name}:{n}"
                rows.append(row)
    return rows


def problems(row: dict, texts: dict[str, str], duplicates: dict[str, str]) -> list[str]:
    out = []
    articles = row.get("articles") or [row.get("article")]
    for article in articles:
        if article in duplicates:
            out.append(f"{article} duplicates {duplicates[article]}: cite the first")
        elif article not in texts:
            out.append(f"no article {article!r}")
    if row.get("kind") not in KINDS:
        out.append(f"kind {row.get('kind')!r} is not one of {sorted(KINDS)}")
    if not str(row.get("question", "")).strip():
        out.append("no question")
    known = [texts[a] for a in articles if a in texts]
    for evidence in row.get("evidence", []):
        if not any(evidence in text for text in known):
            out.append(f"evidence not in the article: {evidence[:60]!r}")
    if row.get("answers") and row.get("kind") != "quote":
        for answer in row["answers"]:
            if not any(answer.lower() in text.lower() for text in known):
                out.append(f"answer not in the article: {answer!r}")
    if row.get("kind") == "unanswerable" and (row.get("answers") or row.get("evidence")):
        out.append("an unanswerable question has answers or evidence")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    texts, duplicates = load_corpus(args.corpus)
    rows = load_questions(args.questions)
    bad = 0
    for row in rows:
        for problem in problems(row, texts, duplicates):
            print(f"{row['_where']}: {problem}")
            bad += 1
    seen = collections.Counter(r["question"].strip().lower() for r in rows)
    for question, n in seen.items():
        if n > 1:
            print(f"asked {n} times: {question!r}")
            bad += 1
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for row in rows:
        table[row.get("kind", "?")][split_of(row["article"])] += 1
    print(f"\n{len(rows)} questions over {len({r['article'] for r in rows})} articles")
    print(f"{'kind':14s} {'dev':>5s} {'test':>5s}")
    for kind in sorted(table):
        print(f"{kind:14s} {table[kind]['dev']:5d} {table[kind]['test']:5d}")
    total = collections.Counter(split_of(r["article"]) for r in rows)
    print(f"{'all':14s} {total['dev']:5d} {total['test']:5d}")
    print(f"\n{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
