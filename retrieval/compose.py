"""The compose stage: the chosen candidate becomes the answer contract, numbered citations, facts and SPARQL.

Also the SPARQL an answer shows: the lookup a graph generator ran, narrowed to
the sentences the answer's facts come from (:func:`facts_only`), or a query of
the cited sentence's mentions (:func:`sentence_query`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .contract import NO_ANSWER, Answer, Citation, FactRef, citation_from_document
from ._spans import balanced_quotes
from .draft import Draft
from .index import PassageIndex

__all__ = ["compose", "abstention", "facts_only", "sentence_query", "short_text"]


def abstention(draft: Draft | None, unknown: str | None = None) -> Answer:
    """kgqa's honest "not found", with how sure the best candidate was and the query that looked; when the
    question names something no article mentions (``unknown``), it says so."""
    text = f"{NO_ANSWER} None of them mentions {unknown}." if unknown else NO_ANSWER
    return Answer(answer=text, abstained=True, confidence=round(draft.confidence or 0.0, 4) if draft else 0.0,
                  sparql=draft.sparql if draft else None)


def compose(draft: Draft | None, index: PassageIndex, abstain_below: float, unknown: str | None = None) -> Answer:
    """The answer for ``draft`` (its ``confidence`` set by the scorer), or an abstention under ``abstain_below``
    (``unknown``: the name in the question no article mentions, said in the abstention)."""
    if draft is None or draft.refusal or (draft.confidence or 0.0) < abstain_below:
        return abstention(draft, unknown)
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    for iri in draft.sentences:
        row = index.row_of(iri)
        if row is None or iri in numbers:
            continue
        numbers[iri] = len(citations) + 1
        citations.append(citation_from_document(numbers[iri], index.docs[row]))
    facts = [FactRef(s, p, o, numbers[iri]) for s, p, o, iri in draft.facts if iri in numbers]
    text = balanced_quotes(draft.text)
    comments = [c for c in citations if c.section == "comment"]
    if comments and len(comments) == len(citations) and not draft.about_comment:
        text += f" (from a reader's comment by {comments[0].commenter or 'an anonymous reader'}, not the article)"
    return Answer(answer=text, abstained=False, confidence=round(min(1.0, draft.confidence or 0.0), 4),
                  citations=citations, facts=facts,
                  sparql=facts_only(draft.sparql, [iri for _, _, _, iri in draft.facts if iri in numbers]))


_PROJECTS_SENTENCE = re.compile(r"\bSELECT\b[^{]*\?sentence\b[^{]*\bWHERE\s*\{", re.IGNORECASE)


def facts_only(sparql: str | None, sentences: Sequence[str]) -> str | None:
    """kgqa's own lookup query narrowed to the sentences the answer's facts come from, so "Open this answer's
    SPARQL" returns those facts and no others (the lookup itself finds every holder of the title).

    >>> print(facts_only("SELECT ?holder ?sentence WHERE { GRAPH ?g { ?f prov:wasDerivedFrom ?sentence } }",
    ...                  ["http://x/s#char=1,2"]))
    SELECT ?holder ?sentence WHERE { VALUES ?sentence { <http://x/s#char=1,2> }  GRAPH ?g { ?f prov:wasDerivedFrom ?sentence } }
    """
    if not sparql or not sentences:
        return sparql
    where = _PROJECTS_SENTENCE.search(sparql)
    if where is None:  # the query does not say which sentence a row comes from: shown as it ran
        return sparql
    values = " ".join(f"<{iri}>" for iri in dict.fromkeys(sentences))
    return f"{sparql[:where.end()]} VALUES ?sentence {{ {values} }} {sparql[where.end():]}"


def short_text(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentence_query(sentence: str) -> str:
    """The SPARQL that lists a sentence's text and the entities it mentions."""
    return (
        "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n"
        "PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?text ?mention ?entity ?label WHERE {\n"
        f"  <{sentence}> nif:anchorOf ?text .\n"
        f"  OPTIONAL {{ ?m nif:sentence <{sentence}> ; nif:anchorOf ?mention ; itsrdf:taIdentRef ?entity .\n"
        "             ?entity rdfs:label ?label }\n}"
    )
