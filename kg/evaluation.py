"""Precision and recall of extracted facts against a hand-written gold file (``kgqa eval-facts``).

A gold file is JSON: ``{"articles": [{"path": ..., "id": ...}], "facts": [...]}``;
paths are relative to the gold file, ``id`` picks one record of a JSON Lines
file. Each fact has ``article`` (its id), ``kind`` and the fields of its kind:

- ``entity``: ``type`` (person, organization, place, group), ``label``, ``aliases``
- ``acronym``: ``short``, ``long``
- ``post``: ``holder``, ``title``, ``org`` (or null), ``rank`` (or null)
- ``statement``: ``sentence`` (a substring of it), ``speaker``
- ``relation``: ``subject``, ``predicate``, ``object``
- ``date``: ``text``, ``value`` (ISO, or null when it stays text)

Names match when their normalised forms meet an entity's label or aliases (a
post's holder, a speaker or a relation's ends also under any name the gold
lists for that entity in the article);
titles when one contains the other; predicates when they start with the same
verb lemma and the gold words are all in the extracted predicate (``sell in``
matches ``sell in``, ``sell unit in``, not ``say following sale in``; a negated
relation, ``not sell``, matches no gold relation). A relation's subject and
object also match through the aliases the gold gives their entity in that
article ("Dirty Den" for "Den Watts").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .extraction import ENTITY_KINDS, Extraction, Extractor, norm
from .loading import load_file
from .model import Article, Sentence
from .rdf import article_sentences

__all__ = ["FactScores", "KindScore", "evaluate_facts", "load_gold", "split_of", "KINDS"]

KINDS = ("entity", "acronym", "post", "statement", "relation", "date")


@dataclass
class KindScore:
    gold: int = 0
    predicted: int = 0
    correct_gold: int = 0  # gold facts found
    correct_predicted: int = 0  # extracted facts that are in the gold
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_predicted / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct_gold / self.gold if self.gold else 1.0


@dataclass
class FactScores:
    kinds: dict[str, KindScore]
    rank_correct: int = 0
    rank_gold: int = 0
    comment_misattributed: int = 0
    articles: int = 0

    def format(self, details: bool = False) -> str:
        lines = [f"{'kind':<10} {'gold':>5} {'found':>6} {'P':>6} {'R':>6}"]
        for kind, s in self.kinds.items():
            lines.append(f"{kind:<10} {s.gold:>5} {s.predicted:>6} {s.precision:>6.3f} {s.recall:>6.3f}")
        lines.append(f"ranks right: {self.rank_correct}/{self.rank_gold}; "
                     f"comment sentences attributed to anyone but their commenter: {self.comment_misattributed}; "
                     f"articles: {self.articles}")
        if details:
            for kind, s in self.kinds.items():
                lines += [f"  missed {kind}: {m}" for m in s.misses]
                lines += [f"  extra  {kind}: {e}" for e in s.extras]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {k: {"gold": s.gold, "found": s.predicted, "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4)} for k, s in self.kinds.items()}


def load_gold(path: Path) -> tuple[list[Article], list[dict[str, Any]]]:
    """The gold file's articles (loaded as ingest would) and facts."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the gold file: {exc}") from None
    articles: list[Article] = []
    for ref in gold.get("articles", []):
        source = (path.parent / ref["path"]).resolve()
        found = [a for a in load_file(source, max_bytes=10**9, max_chars=10**8)
                 if isinstance(a, Article) and ("id" not in ref or a.id == ref["id"])]
        if not found:
            raise InputError(f"{path}: article {ref} not found")
        articles.append(found[0])
    facts = gold.get("facts", [])
    unknown = {f.get("kind") for f in facts} - set(KINDS)
    if unknown:
        raise InputError(f"{path}: unknown fact kinds {sorted(map(str, unknown))}; use {', '.join(KINDS)}")
    return articles, facts


def _names(x: Extraction, key: tuple[str, str] | None) -> set[str]:
    if key is None:
        return set()
    entity = x.entities.get(key)
    return {norm(key[1])} | ({norm(a) for a in entity.aliases} if entity else set())


def _name_match(gold: str | None, names: set[str], text: str = "") -> bool:
    if gold is None:
        return True
    g = norm(gold)
    return g in names or (bool(text) and g in norm(text))


def _title_match(gold: str, title: str) -> bool:
    g, t = norm(gold), norm(title)
    return g == t or g in t or t in g


def _predicate_match(gold: str, predicate: str, negated: bool = False) -> bool:
    """Same verb lemma first, and every gold word in the extracted predicate (both are lemma forms).

    >>> _predicate_match("sell in", "sell unit in"), _predicate_match("sell", "say following sale to")
    (True, False)
    >>> _predicate_match("depend on", "depend"), _predicate_match("buy", "buy", negated=True)
    (False, False)
    """
    g, p = gold.lower().split(), predicate.lower().split()
    return not negated and bool(g and p) and g[0] == p[0] and set(g) <= set(p)


def _match(
    score: KindScore, gold: list[dict[str, Any]], predicted: list[Any],
    same: Callable[[dict[str, Any], Any], bool], show: Callable[[Any], str],
) -> list[tuple[dict[str, Any], Any]]:
    score.gold += len(gold)
    score.predicted += len(predicted)
    pairs = []
    used: set[int] = set()
    for g in gold:
        hit = next((i for i, p in enumerate(predicted) if i not in used and same(g, p)), None)
        if hit is None:
            score.misses.append(json.dumps({k: v for k, v in g.items() if k not in {"kind", "article"}},
                                           ensure_ascii=False))
        else:
            used.add(hit)
            pairs.append((g, predicted[hit]))
    score.correct_gold += len(pairs)
    matched_predicted = {i for i, p in enumerate(predicted) if any(same(g, p) for g in gold)}
    score.correct_predicted += len(matched_predicted)
    score.extras += [show(p) for i, p in enumerate(predicted) if i not in matched_predicted]
    return pairs


def _score_article(scores: FactScores, x: Extraction, sentences: list[Sentence], gold: list[dict[str, Any]]) -> None:
    by_kind = {k: [g for g in gold if g["kind"] == k] for k in KINDS}
    k = scores.kinds
    entities = [e for e in x.entities.values() if e.kind in ENTITY_KINDS]
    _match(k["entity"], by_kind["entity"], entities,
           lambda g, e: g["type"] == e.kind and bool(
               ({norm(g["label"])} | {norm(a) for a in g.get("aliases", [])}) & _names(x, e.key)),
           lambda e: f"{e.kind}: {e.label}")
    _match(k["acronym"], by_kind["acronym"], x.acronyms,
           lambda g, a: g["short"] == a.short and _title_match(g["long"], a.long),
           lambda a: f"{a.short} = {a.long}")
    # A name in a post, statement or relation means the gold entity of that name, under any of the names the
    # gold gives it in the article ("Ayatollah Ruhollah Khomenei" is "Ruhollah Khomenei").
    aliases: dict[str, set[str]] = {}  # a gold entity's names, by each of them
    for g in by_kind["entity"]:
        names = {norm(g["label"])} | {norm(a) for a in g.get("aliases", [])}
        for n in names:
            aliases.setdefault(n, set()).update(names)

    def endpoint(gold_name: str, key: tuple[str, str] | None) -> bool:
        return bool(aliases.get(norm(gold_name), {norm(gold_name)}) & _names(x, key))

    pairs = _match(k["post"], by_kind["post"], x.posts,
                   lambda g, p: endpoint(g["holder"], p.holder) and _title_match(g["title"], p.title)
                   and (g.get("org") is None or endpoint(g["org"], p.org)),
                   lambda p: f"{p.holder[1]} | {p.title} | {p.org[1] if p.org else '-'}")
    for g, p in pairs:
        if g.get("rank"):
            scores.rank_gold += 1
            scores.rank_correct += bool(p.rank and norm(p.rank) == norm(g["rank"]))

    def sentence_of(g: dict[str, Any]) -> int | None:
        return next((s.index for s in sentences if g["sentence"] in s.text), None)

    _match(k["statement"], by_kind["statement"], x.quotes,
           lambda g, q: sentence_of(g) == sentences[q.sentence].index
           and (g["speaker"] is None or endpoint(g["speaker"], q.speaker)
                or _name_match(g["speaker"], set(), q.speaker_text)),
           lambda q: f"[{q.speaker[1] if q.speaker else q.speaker_text}] {sentences[q.sentence].text[:70]}")
    _match(k["relation"], by_kind["relation"], x.relations,
           lambda g, r: endpoint(g["subject"], r.subject) and endpoint(g["object"], r.object)
           and _predicate_match(g["predicate"], r.predicate, r.negated),
           lambda r: f"{r.subject[1]} | {'not ' * r.negated}{r.predicate} | {r.object[1]}")
    _match(k["date"], by_kind["date"], x.dates,
           lambda g, d: norm(g["text"]) in norm(d.text) and g.get("value") == d.value,
           lambda d: f"{d.text} = {d.value}")
    for q in x.quotes:
        s = sentences[q.sentence]
        if s.kind == "comment" and (q.cue != "comment" or q.speaker != ("person", s.commenter)):
            scores.comment_misattributed += 1


def split_of(article_id: str) -> str:
    """``dev`` or ``test`` for an article, fixed by its id alone (the split of the question sets too).

    >>> split_of("business/001"), split_of("politics/010")
    ('dev', 'test')
    """
    return "test" if int(hashlib.sha256(article_id.encode()).hexdigest()[0], 16) % 2 else "dev"


def evaluate_facts(gold_path: Path, extractor: Extractor, split: str | None = None) -> FactScores:
    """Extract the gold file's articles afresh and score every fact kind (``split``: only the ``dev`` or
    ``test`` articles, by :func:`split_of`)."""
    articles, facts = load_gold(Path(gold_path))
    if split is not None:
        articles = [a for a in articles if split_of(a.id) == split]
    scores = FactScores({k: KindScore() for k in KINDS}, articles=len(articles))
    items = [(a, article_sentences(a)) for a in articles]
    for (article, sentences), x in zip(items, extractor.extract(items)):
        _score_article(scores, x, list(sentences), [f for f in facts if f.get("article") == article.id])
    return scores
