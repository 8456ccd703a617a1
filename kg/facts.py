"""Extracted facts as RDF, each one traceable to its sentence.

Every fact is asserted directly (``?p org:holds ?post`` just works) and again
as an ``rdf:Statement`` node with ``prov:wasDerivedFrom`` its ``nif:Sentence``
(and ``dct:date`` when the sentence gives one). Entities are typed with
schema.org classes and carry ``rdfs:label`` and ``skos:altLabel``; each mention
is a ``nif:Phrase`` with offsets and ``itsrdf:taIdentRef``. Posts follow W3C
ORG; quotations are ``schema:Quotation`` with ``schema:creator``; relations
are ``kgqa:`` properties named by their verb.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import Literal, URIRef
from rdflib.term import Node

from .extraction import Extraction, canonical_title
from .model import Sentence
from .vocab import DCT, ITSRDF, KGQA, NIF, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, Iris

__all__ = ["fact_triples", "ENTITY_CLASSES", "predicate_iri"]

Triple = tuple[URIRef, URIRef, Node]

#: Entity kind -> its class (groups of people have no schema.org class; kgqa:Group is documented).
ENTITY_CLASSES = {
    "person": SCHEMA.Person,
    "organization": SCHEMA.Organization,
    "place": SCHEMA.Place,
    "group": KGQA.Group,
}


def predicate_iri(words: str) -> URIRef:
    """``depend on`` -> ``kgqa:dependOn``."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", words) if p]
    name = parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:]) if parts else "related"
    return KGQA[name]


def _date_literal(value: str) -> Literal:
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.string)
    return Literal(value, datatype=datatype)


def _nni(n: int) -> Literal:
    return Literal(n, datatype=XSD.nonNegativeInteger)


def fact_triples(
    x: Extraction, article: URIRef, ctx: URIRef, sentences: list[Sentence], iris: Iris,
    commenters: dict[int, URIRef],
) -> list[Triple]:
    """The triples of one article's facts (they go in the article's named graph)."""
    t: list[Triple] = []
    add = t.append
    sent = [URIRef(iris.sentence(str(article), s.start, s.end)) for s in sentences]
    dates = x.sentence_dates()

    def entity(key: tuple[str, str]) -> URIRef:
        return URIRef(iris.entity(key[0], key[1]))

    def statement(s: URIRef, p: URIRef, o: Node, si: int) -> None:
        add((s, p, o))
        digest = hashlib.sha1(f"{s}|{p}|{o}|{si}".encode()).hexdigest()[:16]
        node = URIRef(f"{article}#fact-{digest}")
        t.extend([(node, RDF.type, RDF.Statement), (node, RDF.subject, s), (node, RDF.predicate, p),
                  (node, RDF.object, o), (node, PROV.wasDerivedFrom, sent[si])])
        if si in dates:
            add((node, DCT.date, _date_literal(dates[si])))

    for e in x.entities.values():
        node = entity(e.key)
        t += [(node, RDF.type, ENTITY_CLASSES[e.kind]), (node, RDFS.label, Literal(e.label)),
              (node, SCHEMA.name, Literal(e.label))]
        t += [(node, SKOS.altLabel, Literal(a)) for a in sorted(e.aliases)]
    for m in x.mentions:
        node = URIRef(iris.sentence(str(article), m.start, m.end))
        t += [(node, RDF.type, NIF.Phrase), (node, NIF.anchorOf, Literal(m.text)),
              (node, NIF.beginIndex, _nni(m.start)), (node, NIF.endIndex, _nni(m.end)),
              (node, NIF.referenceContext, ctx), (node, NIF.sentence, sent[m.sentence]),
              (node, ITSRDF.taIdentRef, entity(m.entity)), (node, ITSRDF.taClassRef, ENTITY_CLASSES[m.entity[0]])]
        if m.resolution:  # why words that are not the label name this entity: the merge, as a fact
            add((node, KGQA.resolution, Literal(m.resolution)))
    for d in x.dates:
        node = URIRef(iris.sentence(str(article), d.start, d.end))
        t += [(node, RDF.type, NIF.Phrase), (node, NIF.anchorOf, Literal(d.text)),
              (node, NIF.beginIndex, _nni(d.start)), (node, NIF.endIndex, _nni(d.end)),
              (node, NIF.referenceContext, ctx), (node, NIF.sentence, sent[d.sentence]),
              (node, ITSRDF.taClassRef, SCHEMA.Date)]
        if d.value:
            add((node, KGQA.dateValue, _date_literal(d.value)))
    for si, value in dates.items():
        add((sent[si], DCT.date, _date_literal(value)))
    for a in x.acronyms:
        if a.entity is not None:
            node = entity(a.entity)
        else:
            node = URIRef(iris.entity("concept", a.long))
            t += [(node, RDF.type, SKOS.Concept), (node, SKOS.prefLabel, Literal(a.long)),
                  (node, RDFS.label, Literal(a.long))]
        statement(node, SKOS.altLabel, Literal(a.short), a.sentence)
    for p in x.posts:
        org_label = p.org[1] if p.org else None
        # One post however the articles spell its title ("Premier", "prime minister"): keyed by the canonical form.
        canonical = canonical_title(p.title)
        post = URIRef(iris.entity("post", f"{canonical} of {org_label}" if org_label else f"{canonical} {p.holder[1]}"))
        holder = entity(p.holder)
        t += [(post, RDF.type, ORG.Post), (post, RDFS.label, Literal(f"{p.title} of {org_label}" if org_label else p.title)),
              (post, KGQA.title, Literal(p.title)), (post, KGQA.canonicalTitle, Literal(canonical)),
              (post, ORG.heldBy, holder)]
        statement(holder, ORG.holds, post, p.sentence)
        if p.org:
            statement(post, ORG.postIn, entity(p.org), p.sentence)
        if p.rank:
            statement(holder, KGQA.rank, Literal(p.rank), p.sentence)
    for n, q in enumerate(x.quotes):
        node = URIRef(f"{article}#quote-{q.sentence}-{n}")
        t += [(node, RDF.type, SCHEMA.Quotation), (node, SCHEMA.text, Literal(q.text)),
              (node, SCHEMA.isPartOf, article), (node, PROV.wasDerivedFrom, sent[q.sentence]),
              (node, KGQA.speakerText, Literal(q.speaker_text)), (node, KGQA.cue, Literal(q.cue))]
        s = sentences[q.sentence]
        if q.cue == "comment" and s.comment_no is not None and s.comment_no in commenters:
            creator: URIRef | None = commenters[s.comment_no]
        else:
            creator = entity(q.speaker) if q.speaker else None
        if creator is not None:
            statement(node, SCHEMA.creator, creator, q.sentence)
        if q.sentence in dates:
            add((node, DCT.date, _date_literal(dates[q.sentence])))
    for r in x.relations:
        words = f"not {r.predicate}" if r.negated else r.predicate
        prop = predicate_iri(words)
        t += [(prop, RDF.type, RDF.Property), (prop, RDFS.label, Literal(words)),
              (prop, RDFS.subPropertyOf, KGQA.relatedTo)]
        statement(entity(r.subject), prop, entity(r.object), r.sentence)
    return t
