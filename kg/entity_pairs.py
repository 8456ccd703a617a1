"""Cross-article entity resolution scored against hand-written mention pairs (``kgqa eval-pairs``).

A pair file is JSON: ``{"corpus": PATH, "pairs": [{"a": {"article": ID, "mention": TEXT}, "b": {...},
"same": bool, "kind": "person" | "organization", "why": ...}]}``; ``corpus`` is a JSON Lines file of
articles, relative to the pair file, and each mention an exact substring of its article's text.

The whole corpus is extracted in one batch, in corpus order, as an ingest of
it would (a name resolves against the articles before it). A mention links to
the entity of the extracted mention that covers it (the most common one when
it occurs several times). A pair is predicted "same" when both mentions link
to one entity; a mention that links to nothing makes its pair "different".
Precision and recall are those of "same". A pair's split is its articles'
(:func:`kg.evaluation.split_of`) when both agree, else ``mixed``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .evaluation import split_of
from .extraction import AliasTable, Extraction, Extractor
from .loading import load_file
from .model import Article
from .rdf import article_sentences

__all__ = ["PairScores", "evaluate_pairs"]


@dataclass
class PairScores:
    """Counts of predicted against gold "same", and the pairs got wrong."""

    true_same: int = 0
    false_same: int = 0
    missed_same: int = 0
    true_different: int = 0
    unlinked: int = 0  # mentions kgqa links to no entity
    wrong: list[str] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return self.true_same + self.false_same + self.missed_same + self.true_different

    @property
    def precision(self) -> float:
        predicted = self.true_same + self.false_same
        return self.true_same / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_same + self.missed_same
        return self.true_same / gold if gold else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"pairs": self.pairs, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "true_same": self.true_same, "false_same": self.false_same, "missed_same": self.missed_same,
                "true_different": self.true_different, "unlinked_mentions": self.unlinked}

    def format(self, details: bool = False) -> str:
        lines = [f"pairs {self.pairs}: same-entity precision {self.precision:.3f}, recall {self.recall:.3f} "
                 f"({self.true_same} right, {self.false_same} merged wrongly, {self.missed_same} not merged; "
                 f"{self.true_different} kept apart rightly; {self.unlinked} mentions linked to nothing)"]
        if details:
            lines += [f"  {w}" for w in self.wrong]
        return "\n".join(lines)


def _linked(x: Extraction, article: Article, mention: str) -> tuple[str, str] | None:
    """The entity the extraction links ``mention`` to in ``article`` (most common over its occurrences)."""
    found: Counter[tuple[str, str]] = Counter()
    start = article.text.find(mention)
    while start >= 0:
        end = start + len(mention)
        for m in x.mentions:
            if m.start < end and start < m.end:
                found[m.entity] += 1
                break
        start = article.text.find(mention, end)
    return found.most_common(1)[0][0] if found else None


def evaluate_pairs(path: Path, extractor: Extractor, split: str | None = None, *,
                   whole_corpus: bool = True) -> PairScores:
    """Score ``extractor``'s cross-article resolution on the pair file at ``path`` (``split``: dev, test or
    mixed pairs only; ``whole_corpus``: extract every article of the corpus, not only the pairs', so that
    names resolve against what an ingest of the corpus would know)."""
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        pairs, corpus = gold["pairs"], (Path(path).parent / gold["corpus"]).resolve()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: cannot read the pair file: {exc}") from None

    def split_of_pair(pair: dict) -> str:
        a, b = split_of(pair["a"]["article"]), split_of(pair["b"]["article"])
        return a if a == b else "mixed"

    pairs = [p for p in pairs if split is None or split_of_pair(p) == split]
    wanted = {side["article"] for p in pairs for side in (p["a"], p["b"])}
    articles = [a for a in load_file(corpus, max_bytes=10**9, max_chars=10**8) if isinstance(a, Article)]
    missing = wanted - {a.id for a in articles}
    if missing:
        raise InputError(f"{path}: articles not in {corpus}: {', '.join(sorted(missing)[:5])}")
    if not whole_corpus:
        articles = [a for a in articles if a.id in wanted]
    # In corpus order, as an ingest of the corpus would: a name resolves against every article before it.
    items = [(a, list(article_sentences(a))) for a in articles]
    aliases = AliasTable()
    by_id = {a.id: (a, x) for (a, _), x in zip(items, extractor.extract(items, aliases)) if a.id in wanted}

    scores = PairScores()
    for p in pairs:
        keys = []
        for side in (p["a"], p["b"]):
            article, x = by_id[side["article"]]
            if side["mention"] not in article.text:
                raise InputError(f"{path}: {side['mention']!r} is not in {side['article']}")
            keys.append(_linked(x, article, side["mention"]))
        scores.unlinked += sum(k is None for k in keys)
        same = keys[0] is not None and keys[0] == keys[1]
        if same and p["same"]:
            scores.true_same += 1
        elif same:
            scores.false_same += 1
        elif p["same"]:
            scores.missed_same += 1
        else:
            scores.true_different += 1
        if same != p["same"]:
            scores.wrong.append(f"{'merged' if same else 'apart'}: {p['a']['article']} {p['a']['mention']!r} -> "
                                f"{keys[0]}; {p['b']['article']} {p['b']['mention']!r} -> {keys[1]}")
    return scores
