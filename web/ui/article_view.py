"""The Articles tab's reading side: the listing with authors, search, pages and counts, and one article opened.

Everything here reads the store through :class:`kg.KnowledgeGraph`'s public
API (``articles()`` via :meth:`Services.articles`, ``query`` with a deadline,
``sentences``) and returns immutable values; the HTML of an opened article is
the Jinja2 template ``web/templates/ui_article.html`` (autoescaped: a headline
or a quotation is text, never markup).

>>> rows = tuple(Listed(ArticleRow(f"a{i}", "", f"Head {i}", None, None, None, 1, 0, "txt"), ()) for i in range(60))
>>> [len(x) for x in (search(rows, ""), search(rows, "HEAD 1"), search(rows, "zz"))]
[60, 11, 0]
>>> p = page_of(rows, 9)
>>> p.number, p.pages, p.items[0].row.id, p.label
(3, 3, 'a50', 'page 3 of 3')
>>> count_text(60, 60, ""), count_text(11, 2127, "blair"), count_text(1, 1, "")
('60 articles', '11 of 2,127 match', '1 article')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kg import KgqaError, KnowledgeGraph

from .._services import ArticleRow, Services
from .._templates import PageTemplates, http_url

__all__ = ["Listed", "Page", "ArticleDetail", "list_articles", "search", "page_of", "count_text", "read_article",
           "article_html", "PAGE_SIZE", "COLUMNS"]

log = logging.getLogger(__name__)

#: Articles on one page of the listing.
PAGE_SIZE = 25
#: The listing's columns, in the order of :meth:`Listed.cells`.
COLUMNS = ["id", "headline", "date", "authors", "source", "sentences", "facts"]
#: Most entities, posts and statements shown for one article (an article rarely has more).
MAX_FACTS = 200
#: Deadline (seconds) of each query that reads one article; the whole view is then bounded by four of them.
QUERY_TIMEOUT_S = 10.0
#: Longest search text taken (characters); a search box needs no more.
MAX_SEARCH = 200

# Full IRIs: ``KnowledgeGraph.select`` (kgqa's own queries, over every article at once) declares no prefixes.
_AUTHORS = """SELECT ?g ?name WHERE { GRAPH ?g { ?a a <http://schema.org/NewsArticle> ; <http://schema.org/author> ?p }
  GRAPH ?described { ?p <http://schema.org/name> ?name } } ORDER BY ?g ?name"""


@dataclass(frozen=True)
class Listed:
    """One stored article as the listing shows it: the API's row and its authors' names."""

    row: ArticleRow
    authors: tuple[str, ...]

    def cells(self) -> list[object]:
        r = self.row
        return [r.id, r.headline or "", r.published or "", ", ".join(self.authors), r.source or r.url or "",
                r.sentences, r.facts]

    def matches(self, needle: str) -> bool:
        """Whether ``needle`` (already case-folded) is in the headline, the id or an author's name."""
        return any(needle in (text or "").casefold() for text in (self.row.headline, self.row.id, *self.authors))


@dataclass(frozen=True)
class Page:
    """One page of a listing: its articles, its number (from 1) and how many pages there are."""

    items: tuple[Listed, ...]
    number: int
    pages: int

    @property
    def label(self) -> str:
        return f"page {self.number:,} of {self.pages:,}"


def list_articles(services: Services) -> tuple[Listed, ...]:
    """Every stored article with its authors, in id order."""
    authors: dict[str, list[str]] = {}
    for graph_term, name in services.graph.select(_AUTHORS):
        if graph_term is not None and name is not None:
            authors.setdefault(graph_term[1], []).append(name[1])
    return tuple(Listed(r, tuple(authors.get(r.iri, ()))) for r in services.articles())


def search(listed: tuple[Listed, ...], text: str | None) -> tuple[Listed, ...]:
    """The articles whose headline, id or an author's name holds ``text``, in any case; all of them for none."""
    needle = " ".join((text or "")[:MAX_SEARCH].split()).casefold()
    return listed if not needle else tuple(x for x in listed if x.matches(needle))


def page_of(items: tuple[Listed, ...], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of ``items`` (clamped to the pages there are; an empty listing has one, empty, page)."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, int(number)), pages)
    return Page(items[(number - 1) * size:number * size], number, pages)


def count_text(matched: int, total: int, query: str | None) -> str:
    """ "2,127 articles" with no search, "12 of 2,127 match" with one."""
    if (query or "").strip():
        return f"{matched:,} of {total:,} match"
    return f"{total:,} article{'' if total == 1 else 's'}"


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    kind: str
    mentions: int


@dataclass(frozen=True)
class Post:
    person_iri: str
    person: str
    title: str
    organisation: str | None


@dataclass(frozen=True)
class Statement:
    speaker: str
    text: str


@dataclass(frozen=True)
class SentenceLine:
    index: int
    iri: str
    section: str
    text: str
    commenter: str | None


@dataclass(frozen=True)
class ArticleDetail:
    """One stored article as the tab opens it: what it is, its text, the facts about it and its sentences."""

    id: str
    iri: str
    headline: str | None
    published: str | None
    url: str | None
    authors: tuple[str, ...]
    publisher: str | None
    text: str
    entities: tuple[Entity, ...]
    posts: tuple[Post, ...]
    statements: tuple[Statement, ...]
    sentences: tuple[SentenceLine, ...]


def _rows(graph: KnowledgeGraph, sparql: str) -> list[dict[str, str]]:
    result = graph.query(sparql, timeout=QUERY_TIMEOUT_S, row_limit=MAX_FACTS)
    return [{k: v[1] for k, v in b.items()} for b in result.bindings()]


def read_article(services: Services, article_id: str) -> ArticleDetail | None:
    """The article stored under ``article_id``, or ``None`` when there is none.

    The id is looked up among the stored ones first; only a stored article's own IRI goes into a query.
    """
    graph = services.graph
    info = next((a for a in graph.articles() if a.id == article_id), None)
    if info is None:
        return None
    g = f"<{info.iri}>"
    if any(c in info.iri for c in '<>" {}|\\^`'):  # never the case for an IRI kgqa minted; refuse rather than quote
        raise KgqaError(f"the article IRI {info.iri!r} cannot be put into a query")
    meta = _rows(graph, f"""SELECT ?url ?text ?publisher ?author WHERE {{ GRAPH {g} {{ ?a a schema:NewsArticle .
      OPTIONAL {{ ?a schema:url ?url }} OPTIONAL {{ ?a kgqa:hasContext/nif:isString ?text }}
      OPTIONAL {{ ?a schema:author ?p . OPTIONAL {{ GRAPH ?any {{ ?p schema:name ?author }} }} }}
      OPTIONAL {{ ?a schema:publisher ?pub . OPTIONAL {{ ?pub schema:name ?pn }} }}
      BIND(COALESCE(?pn, IF(isLiteral(?pub), ?pub, ?unbound)) AS ?publisher) }} }}""")
    entities = _rows(graph, f"""SELECT ?e ?label ?kind (COUNT(DISTINCT ?m) AS ?n) WHERE {{
      GRAPH {g} {{ ?m itsrdf:taIdentRef ?e }} ?e rdfs:label ?label .
      OPTIONAL {{ ?e a ?kind }} }} GROUP BY ?e ?label ?kind ORDER BY DESC(?n) ?label LIMIT {MAX_FACTS}""")
    posts = _rows(graph, f"""SELECT DISTINCT ?p ?person ?title ?org WHERE {{
      GRAPH {g} {{ ?p org:holds ?post . ?post kgqa:title ?title }} ?p rdfs:label ?person .
      OPTIONAL {{ ?post org:postIn/rdfs:label ?org }} }} ORDER BY ?person ?title LIMIT {MAX_FACTS}""")
    statements = _rows(graph, f"""SELECT ?who ?text WHERE {{
      GRAPH {g} {{ ?q a schema:Quotation ; schema:text ?text ; schema:creator ?c ; prov:wasDerivedFrom ?s .
                   ?s nif:beginIndex ?b }}
      OPTIONAL {{ ?c rdfs:label ?label }} OPTIONAL {{ ?c schema:name ?name }}
      BIND(COALESCE(?label, ?name, "an anonymous reader") AS ?who) }} ORDER BY ?b ?who LIMIT {MAX_FACTS}""")
    first = meta[0] if meta else {}
    authors = tuple(sorted({m["author"] for m in meta if m.get("author")}))
    lines = tuple(SentenceLine(s.index, s.iri, s.section, s.text, s.commenter) for s in graph.sentences([info.id]))
    return ArticleDetail(
        id=info.id, iri=info.iri, headline=info.headline, published=info.published, url=first.get("url"),
        authors=authors, publisher=first.get("publisher"), text=first.get("text", ""),
        entities=tuple(Entity(e["e"], e["label"], _kind(e.get("kind")), int(e["n"])) for e in _first_kind(entities)),
        posts=tuple(Post(p["p"], p["person"], p["title"], p.get("org")) for p in posts),
        statements=tuple(Statement(s["who"], s["text"]) for s in statements),
        sentences=lines)


def _first_kind(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per entity (an entity with two classes comes twice), its order kept."""
    seen: set[str] = set()
    return [r for r in rows if not (r["e"] in seen or seen.add(r["e"]))]  # type: ignore[func-returns-value]


def _kind(class_iri: str | None) -> str:
    return (class_iri or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()


def article_html(detail: ArticleDetail, templates: PageTemplates) -> str:
    """The opened article as HTML (template ``ui_article.html``); links to graph IRIs are this app's paths."""
    # ``source``: the article's own URL only when it is http(s), never a ``javascript:`` link from an upload.
    return templates.render("ui_article.html", a=detail, source=http_url(detail.url))
