"""Namespaces kgqa writes and the minting of every IRI under the configured base.

>>> iris = Iris("http://example.org/id/")
>>> iris.article("business/001")
'http://example.org/id/article/business/001'
>>> iris.entity("person", "Amir Toumaj")
'http://example.org/id/entity/person/amir-toumaj'
>>> iris.sentence(iris.article("x"), 5, 17)
'http://example.org/id/article/x#char=5,17'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import Namespace
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "SCHEMA", "NIF", "ITSRDF", "KGQA", "KGQA_ONTOLOGY_GRAPH", "PROV", "ORG", "DCT", "RDF", "RDFS", "SKOS", "XSD",
    "PREFIXES", "SECTION_IRIS", "Iris", "slugify", "sparql_literal",
]

SCHEMA = Namespace("http://schema.org/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
KGQA = Namespace("https://w3id.org/kgqa/ns#")
#: The named graph holding kgqa's ontology (``kg/ontology.ttl``).
KGQA_ONTOLOGY_GRAPH = "https://w3id.org/kgqa/ns"

PREFIXES: dict[str, str] = {
    "schema": str(SCHEMA),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "kgqa": str(KGQA),
    "prov": str(PROV),
    "org": str(ORG),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": "http://www.w3.org/2002/07/owl#",
    "dct": "http://purl.org/dc/terms/",
}

#: Section kind (``kg.model.SECTION_KINDS``) to its ``kgqa:`` individual.
SECTION_IRIS = {
    "headline": KGQA.HeadlineSection,
    "caption": KGQA.CaptionSection,
    "byline": KGQA.BylineSection,
    "body": KGQA.BodySection,
    "comment": KGQA.CommentSection,
    "boilerplate": KGQA.BoilerplateSection,
}


def sparql_literal(text: str) -> str:
    r"""A string as a SPARQL literal, escaped so no text can break out of it.

    >>> print(sparql_literal('say "hi"'))
    "say \"hi\""
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by hyphens; never empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or quote(name.strip().lower(), safe="") or "unnamed"


class Iris:
    """Mints IRIs under one base; the same input always gives the same IRI."""

    def __init__(self, base: str) -> None:
        self.base = base

    def article(self, article_id: str) -> str:
        return f"{self.base}article/{quote(article_id, safe='/-._~')}"

    def article_id(self, iri: str) -> str | None:
        """Inverse of :meth:`article` for IRIs under this base."""
        from urllib.parse import unquote

        prefix = f"{self.base}article/"
        return unquote(iri[len(prefix):]) if iri.startswith(prefix) and "#" not in iri else None

    @staticmethod
    def context(article_iri: str, length: int) -> str:
        return f"{article_iri}#char=0,{length}"

    @staticmethod
    def sentence(article_iri: str, begin: int, end: int) -> str:
        # RFC 5147 style, as NIF 2.0 recommends: stable while the text is unchanged.
        return f"{article_iri}#char={begin},{end}"

    @staticmethod
    def segment(article_iri: str, index: int) -> str:
        return f"{article_iri}#segment-{index}"

    @staticmethod
    def comment(article_iri: str, number: int) -> str:
        return f"{article_iri}#comment-{number}"

    def entity(self, kind: str, name: str) -> str:
        return f"{self.base}entity/{kind}/{slugify(name)}"
