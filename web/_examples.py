"""Example questions drawn from the store's own facts, each one checked to be answered.

The Chat tab's chips used to be the seed article's fixed questions, which
abstain on any other library. Here they are written from what the RDF contract
(README, "The RDF contract") says every store holds:

* posts (``org:holds`` / ``kgqa:title`` / ``org:postIn``): "Who is the Defense Minister of Iran?";
* attributed statements (``schema:Quotation`` / ``schema:creator``): "What did Amir Hatami say?";
* acronyms defined in an article (mentions with ``kgqa:resolution "acronym"``): "What does IRGC stand for?";
* authors (``schema:author``): "Who wrote “<headline>”?".

The most-stated facts come first, ties broken by their text, so one store always
gives the same chips. Each candidate is then asked for real and kept only when
the answer is not an abstention, so a chip never leads to "The articles don't
say.". Every query has a deadline and the whole choice a time budget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, zip_longest

from kg import KgqaError, KnowledgeGraph

__all__ = ["candidate_questions", "choose_examples", "ExampleQuestions", "MAX_EXAMPLES"]

log = logging.getLogger(__name__)

#: Most chips shown (the widget takes up to 6 starters too).
MAX_EXAMPLES = 6
#: Candidates of each kind read from the store: enough that some survive the answer check.
_PER_KIND = 6
#: Deadline of each fact query (seconds), its check by the query guard included (the first check after a start
#: can take seconds on a busy machine); one that runs out gives no candidates of its kind.
QUERY_TIMEOUT_S = 10.0
#: Time for asking the candidates (seconds): past it, the chips are the ones checked so far.
ANSWER_BUDGET_S = 8.0
#: Longest name, title or headline put into a question; longer ones make poor chips.
_MAX_PART = 80

_POSTS = f"""SELECT ?written ?org (COUNT(DISTINCT ?g) AS ?n) WHERE {{
  GRAPH ?g {{ ?person org:holds ?post . ?post kgqa:title ?written }}
  ?post org:postIn ?in . ?in rdfs:label ?org .
  FILTER EXISTS {{ ?in a ?kind FILTER(?kind IN (schema:Organization, schema:Place)) }}
}} GROUP BY ?written ?org ORDER BY DESC(?n) ?written ?org LIMIT {_PER_KIND}"""

_QUOTED = f"""SELECT ?who (COUNT(DISTINCT ?q) AS ?n) WHERE {{
  ?q a schema:Quotation ; schema:creator ?c . ?c a schema:Person ; rdfs:label ?who .
}} GROUP BY ?who ORDER BY DESC(?n) ?who LIMIT {_PER_KIND}"""

_ACRONYMS = f"""SELECT ?short (COUNT(DISTINCT ?m) AS ?n) WHERE {{
  ?m kgqa:resolution "acronym" ; nif:anchorOf ?short .
}} GROUP BY ?short ORDER BY DESC(?n) ?short LIMIT {_PER_KIND}"""

_AUTHORS = f"""SELECT DISTINCT ?headline WHERE {{
  ?a a schema:NewsArticle ; schema:headline ?headline ; schema:author ?someone .
}} ORDER BY ?headline LIMIT {_PER_KIND}"""


@dataclass(frozen=True)
class _Kind:
    """One kind of fact: the query that finds the most-stated ones and how a row becomes a question."""

    query: str
    question: Callable[[list[str]], str]


def _clean(text: str) -> str:
    return " ".join(text.split())


_KINDS = (
    _Kind(_POSTS, lambda r: f"Who is the {r[0]} of {r[1]}?"),
    _Kind(_QUOTED, lambda r: f"What did {r[0]} say?"),
    _Kind(_ACRONYMS, lambda r: f"What does {r[0]} stand for?"),
    _Kind(_AUTHORS, lambda r: f"Who wrote “{r[0]}”?"),
)


def _rows(graph: KnowledgeGraph, query: str, timeout: float) -> list[list[str]]:
    try:
        result = graph.query(query, timeout=timeout, row_limit=_PER_KIND)
    except KgqaError as exc:  # a deadline or a store failure: this kind gives no chips, the others still do
        log.warning("example questions: a fact query failed (%s); its kind is skipped", exc)
        return []
    rows = []
    for row in result.rows:  # every variable but the count, in the query's order
        values = [_clean(term[1]) if term else "" for name, term in zip(result.variables, row) if name != "n"]
        if values and all(0 < len(v) <= _MAX_PART for v in values):
            rows.append(values)
    return rows


def candidate_questions(graph: KnowledgeGraph, *, timeout: float = QUERY_TIMEOUT_S) -> list[str]:
    """Questions written from the store's most-stated facts, the kinds taken in turn, without repeats."""
    per_kind = [[kind.question(row) for row in _rows(graph, kind.query, timeout)] for kind in _KINDS]
    seen: set[str] = set()
    out = []
    for question in chain.from_iterable(zip_longest(*per_kind)):
        if question and question not in seen:
            seen.add(question)
            out.append(question)
    return out


def choose_examples(candidates: Iterable[str], answered: Callable[[str], bool], *, limit: int = MAX_EXAMPLES,
                    budget_s: float = ANSWER_BUDGET_S) -> tuple[str, ...]:
    """The first ``limit`` candidates ``answered`` accepts, checked in order until ``budget_s`` runs out."""
    deadline = time.monotonic() + budget_s
    chosen: list[str] = []
    for question in _until(candidates, deadline):
        if answered(question):
            chosen.append(question)
            if len(chosen) == limit:
                break
    return tuple(chosen)


def _until(items: Iterable[str], deadline: float) -> Iterator[str]:
    for item in items:
        if time.monotonic() > deadline:
            log.info("example questions: the %.0f s budget ran out; showing the ones checked", ANSWER_BUDGET_S)
            return
        yield item


class ExampleQuestions:
    """The example questions of the store as it is now, worked out once per store state.

    ``generation`` says which state the store is in (the library's snapshot
    generation, which every ingest and delete moves on); the questions of one
    generation are kept as one immutable pair, replaced whole, so a reader never
    sees half of an update and there is nothing to lock.
    """

    def __init__(self, graph: Callable[[], KnowledgeGraph], generation: Callable[[], int],
                 answered: Callable[[str], bool], *, limit: int = MAX_EXAMPLES) -> None:
        self._graph = graph
        self._generation = generation
        self._answered = answered
        self._limit = limit
        self._latest: tuple[int, tuple[str, ...]] | None = None

    def current(self) -> tuple[str, ...]:
        """The questions for the store's current state (worked out now if it changed since the last call)."""
        generation = self._generation()
        latest = self._latest
        if latest is not None and latest[0] == generation:
            return latest[1]
        started = time.monotonic()
        questions = choose_examples(candidate_questions(self._graph()), self._answered, limit=self._limit)
        log.info("example questions for store generation %d in %.2f s: %s", generation,
                 time.monotonic() - started, questions)
        self._latest = (generation, questions)  # a racing caller may work out the same: harmless
        return questions
