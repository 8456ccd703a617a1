"""The answer-candidates stage: every generator's drafts for one analysed, retrieved question.

Generators: the graph's (:mod:`retrieval.graph_answers`: posts, speakers,
quotations, acronyms, writers, comment counts) and the sentences'
(:mod:`retrieval.sentence_answers`: the typed span of each of the best
sentences, or the sentence itself). Nothing is chosen here: the answer scorer
(:mod:`retrieval.answer_scoring`) weighs them all. What the hand-written order
of earlier versions would have chosen is kept as ``rules_pick``, one of the
scorer's features.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analyse import Analysis
from .draft import Draft
from .graph_answers import GraphAnswers
from .retrieve import Retrieved
from .sentence_answers import rules_choice, sentence_drafts

__all__ = ["Candidates", "answer_candidates"]


@dataclass(frozen=True)
class Candidates:
    """The drafts of one question, the one the hand-written order picks, and a graph generator's refusal."""

    drafts: tuple[Draft, ...] = ()
    rules_pick: int | None = None  # index into drafts
    refusal: Draft | None = None  # "the graph knows where the answer would be, and it is not there"


def answer_candidates(analysis: Analysis, retrieved: Retrieved, graph: GraphAnswers) -> Candidates:
    """Every candidate answer for the question; none when it names something no article mentions."""
    if analysis.unknown:
        return Candidates()
    q, evidence, ranked = analysis.question, retrieved.evidence, retrieved.ranked
    from_graph = graph.drafts(q, evidence, ranked)
    refusal = next((d for d in from_graph if d.refusal), None)
    answers = [d for d in from_graph if not d.refusal]
    from_sentences = sentence_drafts(q, ranked, graph.vetoed_people(q))
    drafts = tuple(answers + from_sentences)
    if from_graph:  # the first graph generator's draft was the answer (a refusal: no answer)
        pick = None if from_graph[0].refusal else 0
    else:
        chosen = rules_choice(from_sentences, ranked)
        pick = None if chosen is None else len(answers) + chosen
    return Candidates(drafts, pick, refusal)
