"""The HTML page of an article (its text, every sentence addressable) and of any other IRI of the graph.

The article page gives each sentence ``<span id="char=B,E">`` (the fragment of
the sentence's IRI) and styles ``:target``, so a sentence IRI
``/id/article/{id}#char=B,E`` opens its article with that sentence
highlighted; the fragment never reaches the server. Reader comments are
sections of their own, labelled with the commenter. Rendered from
``templates/article.html`` and ``templates/generic.html``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kg import KnowledgeGraph

from ._describe import KGQA, SCHEMA, Description, labels_of, sparql_iri
from ._neighbourhood import entity_kind, is_safe_iri, select_values
from ._templates import PageTemplates, curie, http_url

__all__ = ["article_page", "generic_page", "triple_rows", "TripleRow"]

log = logging.getLogger(__name__)

_CHAR = re.compile(r"#char=(\d+),(\d+)$")
_SECTION_CSS = {"headline": "headline-text", "byline": "byline", "caption": "caption", "boilerplate": "boilerplate"}
_LONGEST_VALUE = 400  # characters of a literal shown in the triples table


@dataclass(frozen=True)
class TripleRow:
    """One row of a page's triples table: the predicate, and the object as a link (``iri``) or as text."""

    predicate: str
    text: str
    iri: str | None = None
    lang: str | None = None


def triple_rows(desc: Description, labels: dict[str, str]) -> list[TripleRow]:
    """The rows of the triples table: IRIs shown by label (or CURIE), long literals cut."""
    rows = []
    for p, o in desc.subject:
        if o[0] == "uri":
            rows.append(TripleRow(p[1], labels.get(o[1], curie(o[1])), iri=o[1]))
        else:
            text = o[1] if len(o[1]) <= _LONGEST_VALUE else o[1][:_LONGEST_VALUE] + "…"
            rows.append(TripleRow(p[1], text, lang=o[2]))
    return rows


@dataclass(frozen=True)
class _Span:
    iri: str
    begin: int
    end: int
    section: str
    comment: str | None = None
    commenter: str | None = None


@dataclass(frozen=True)
class _Piece:
    """A run of the article's text; ``anchor`` (``char=B,E``) when it is one sentence."""

    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class _Paragraph:
    css: str
    boilerplate: bool
    pieces: tuple[_Piece, ...]


@dataclass(frozen=True)
class _Block:
    """Paragraphs of the body, or of one reader comment (``comment_id``, with who wrote it)."""

    paragraphs: tuple[_Paragraph, ...]
    comment_id: str | None = None
    commenter: str | None = None


def _pieces(text: str, begin: int, end: int, sentences: list[_Span]) -> tuple[_Piece, ...]:
    """``text[begin:end]`` cut so that each sentence inside it is a piece of its own, with its anchor."""
    out, at = [], begin
    for s in sentences:
        if s.begin < at or s.end > end:
            continue
        if s.begin > at:
            out.append(_Piece(text[at:s.begin]))
        out.append(_Piece(text[s.begin:s.end], f"char={s.begin},{s.end}"))
        at = s.end
    if end > at:
        out.append(_Piece(text[at:end]))
    return tuple(out)


def _article_blocks(graph: KnowledgeGraph, node: str, context: str | None) -> list[_Block]:
    text = ""
    if context and is_safe_iri(context, ""):
        found = select_values(graph, f"SELECT ?t WHERE {{ GRAPH {node} {{ <{context}> nif:isString ?t }} }} LIMIT 1")
        text = (found[0][0] or "") if found else ""
    spans = sorted((_Span(s or "", int(b or 0), int(e or 0), section or "", comment, who)
                    for s, b, e, section, comment, who in select_values(graph, f"""
        SELECT ?s ?b ?e ?section ?c ?who WHERE {{ GRAPH {node} {{ ?s a nif:Sentence ; nif:beginIndex ?b ;
          nif:endIndex ?e OPTIONAL {{ ?s kgqa:section ?section }} OPTIONAL {{ ?s kgqa:inComment ?c }}
          OPTIONAL {{ ?s kgqa:commenter ?cp . GRAPH ?cg {{ ?cp rdfs:label ?who }} }} }} }}""")),
                   key=lambda s: (s.begin, s.end))
    spans = [s for s in spans if 0 <= s.begin < s.end <= len(text)]
    segments = sorted((int(b or 0), int(e or 0), section or "") for b, e, section in select_values(graph, f"""
        SELECT ?b ?e ?section WHERE {{ GRAPH {node} {{ ?seg a kgqa:Segment ; nif:beginIndex ?b ; nif:endIndex ?e
          OPTIONAL {{ ?seg kgqa:section ?section }} }} }}"""))
    if not segments:
        segments = [(0, len(text), f"{KGQA}BodySection")]
    blocks: list[_Block] = []
    current: list[_Paragraph] = []
    open_comment: tuple[str, str] | None = None  # (comment IRI, commenter)
    covered = 0

    def close() -> None:
        if current:
            blocks.append(_Block(tuple(current), *(
                (open_comment[0].rsplit("#", 1)[-1], open_comment[1]) if open_comment else (None, None))))
            current.clear()

    for begin, end, section in segments:
        begin, end = max(begin, covered), min(end, len(text))
        if begin >= end:
            continue
        inside = [s for s in spans if begin <= s.begin and s.end <= end]
        comment = next((s.comment for s in inside if s.comment), None)
        if (open_comment[0] if open_comment else None) != comment:
            close()
            who = next((s.commenter for s in inside if s.commenter), None) or "an anonymous reader"
            open_comment = (comment, who) if comment else None
        kind = section.rsplit("#", 1)[-1].removesuffix("Section").lower() or "body"
        current.append(_Paragraph(_SECTION_CSS.get(kind, ""), kind == "boilerplate",
                                  _pieces(text, begin, end, inside)))
        covered = end
    close()
    stray = [s for s in spans if not any(b <= s.begin and s.end <= e for b, e, _ in segments)]
    if stray:  # sentences no segment holds still get their anchor
        blocks.append(_Block(tuple(_Paragraph("", False, _pieces(text, s.begin, s.end, [s])) for s in stray)))
    return blocks


@dataclass(frozen=True)
class _MetaRow:
    title: str
    values: tuple[str, ...]
    people: bool = False
    url: str | None = None


def article_page(graph: KnowledgeGraph, desc: Description, *, templates: PageTemplates | None = None) -> str:
    """An article: its metadata, its text with every sentence addressable, who is quoted, who is named."""
    templates = templates or PageTemplates(graph.settings)
    iri, node = desc.iri, sparql_iri(desc.iri)
    headline = desc.first(f"{SCHEMA}headline") or desc.first(f"{SCHEMA}identifier") or iri
    people = desc.values(f"{SCHEMA}author") + desc.values(f"{SCHEMA}publisher")
    names = labels_of(graph, people)
    meta = []
    for title, predicate in (("published", "datePublished"), ("author", "author"), ("publisher", "publisher"),
                             ("section", "articleSection"), ("identifier", "identifier")):
        values = desc.values(f"{SCHEMA}{predicate}")
        if values:
            # A name with neither a label nor a page of this app is shown as the text it is.
            meta.append(_MetaRow(title, tuple(values), people=predicate in ("author", "publisher")))
    url = desc.first(f"{SCHEMA}url")
    if url:
        meta.append(_MetaRow("source", (url,), url=http_url(url)))

    quotes = []
    for _q, speaker, speaker_label, text, s, _i, section in select_values(graph, f"""
        SELECT DISTINCT ?q ?who ?wl ?text ?s ?i ?section WHERE {{ GRAPH {node} {{ ?q a schema:Quotation ;
          schema:creator ?who ; schema:text ?text OPTIONAL {{ GRAPH ?wg {{ ?who rdfs:label ?wl }} }}
          OPTIONAL {{ ?q prov:wasDerivedFrom ?s OPTIONAL {{ ?s kgqa:sentenceIndex ?i }}
                     OPTIONAL {{ ?s kgqa:section ?section }} }} }} }} ORDER BY ?i ?q"""):
        m = _CHAR.search(s or "")
        quotes.append({"speaker": speaker or "", "speaker_label": speaker_label or speaker, "text": text,
                       "anchor": f"char={m.group(1)},{m.group(2)}" if m else None,
                       "in_comment": section == f"{KGQA}CommentSection"})

    entities = [{"iri": x, "label": label, "count": n, "kind": entity_kind(x, graph.settings.base_iri)}
                for x, label, n in select_values(graph, f"""
        SELECT ?x (SAMPLE(?l) AS ?label) (COUNT(?m) AS ?n) WHERE {{ GRAPH {node} {{ ?m itsrdf:taIdentRef ?x }}
          GRAPH ?lg {{ ?x rdfs:label ?l }} }} GROUP BY ?x ORDER BY DESC(?n) ?label""") if x]
    return templates.render("article.html", title=headline, iri=iri, meta=meta, names=names,
                            blocks=_article_blocks(graph, node, desc.first(f"{KGQA}hasContext")),
                            quotes=quotes, entities=entities, triples=triple_rows(desc, names),
                            truncated=desc.truncated)


def generic_page(graph: KnowledgeGraph, desc: Description, *, templates: PageTemplates | None = None) -> str:
    """Any other IRI of the graph: its label, its types and its triples."""
    templates = templates or PageTemplates(graph.settings)
    labels = labels_of(graph, [desc.iri] + [o[1] for _, o in desc.subject if o[0] == "uri"])
    return templates.render("generic.html", title=labels.get(desc.iri, desc.iri), iri=desc.iri, types=desc.types,
                            triples=triple_rows(desc, labels), truncated=desc.truncated)
