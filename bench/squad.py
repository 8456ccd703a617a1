"""SQuAD v1.1 dev as kgqa articles: one JSON record per Wikipedia article, answers mapped to article offsets.

Each article's text is ``title + "\\n\\n" + paragraphs joined by blank lines``
(what ``kg.loading`` makes of a ``{"title", "body"}`` record), so a gold
``answer_start`` (an offset into its paragraph) maps to an offset in the stored
article, and a sentence "contains the answer" when its ``[start, end)`` holds it.
The data is CC BY-SA 4.0 (see ../shared/bench/squad/SOURCE.md).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "squad" / "dev-v1.1.json"


@dataclass(frozen=True)
class SquadQuestion:
    article_id: str
    question: str
    answer_offsets: tuple[int, ...]  # into the stored article's text
    answers: tuple[str, ...] = ()  # the gold answer texts


def write_articles(out: Path, source: Path = SQUAD) -> list[SquadQuestion]:
    """Write the articles as JSON Lines to ``out``; return every unique (article, question) with its answers."""
    data = json.loads(source.read_text(encoding="utf-8"))["data"]
    questions: OrderedDict[tuple[str, str], set[int]] = OrderedDict()
    texts: dict[tuple[str, str], dict[str, None]] = {}
    with out.open("w", encoding="utf-8") as f:
        for n, article in enumerate(data):
            article_id = f"squad-{n:02d}"
            title = " ".join(article["title"].split())
            position = len(title) + 2
            parts = []
            for paragraph in article["paragraphs"]:
                context = paragraph["context"]
                lead = len(context) - len(context.lstrip())
                base = position - lead  # article offset of the context's first character
                parts.append(context.strip())
                position += len(context.strip()) + 2
                for qa in paragraph["qas"]:
                    offsets = questions.setdefault((article_id, qa["question"].strip()), set())
                    offsets.update(base + a["answer_start"] for a in qa["answers"])
                    texts.setdefault((article_id, qa["question"].strip()), {}).update(
                        dict.fromkeys(a["text"].strip() for a in qa["answers"]))
            record = {"id": article_id, "title": article["title"], "body": "\n\n".join(parts),
                      "source": "SQuAD v1.1 dev (Wikipedia, CC BY-SA 4.0)"}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [SquadQuestion(a, q, tuple(sorted(o)), tuple(texts[a, q])) for (a, q), o in questions.items()]
