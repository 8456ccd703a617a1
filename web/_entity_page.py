"""The HTML page of an entity, a summary first and the long lists paged, so it holds up at corpus scale.

Page 1 opens with a summary: kind, names, posts held (or posts in it), the
statements most often quoted (in most articles) and the articles mentioning it
most, then the interactive neighbourhood graph (``web/static/kgqa-graph.js``)
with a server-drawn list of related entities as its no-script fallback. Every
page (``?page=N``) then holds one slice of the three long lists: statements
and quotations, other facts, and the articles mentioning it (newest first),
``PAGE_SIZE`` of each, with links to the previous and next page.

Each list is read by one query per request, bounded at ``MAX_PAGES`` pages of
rows: the same rows give the number of pages, the page's slice and the
summary's rankings, so counting costs no second pass over the store (on the
BBC library, Tony Blair's 298 statements in 160 articles make 12 pages, and
page 1 is about 11,000 px tall where the one page was 52,000). Every other
query has a ``LIMIT`` too. Rendered from ``templates/entity.html``.

>>> _how_many(1, "statement"), _how_many(PAGE_SIZE * MAX_PAGES, "article")
('1 statement', '5,000 or more articles')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kg import KnowledgeGraph, NotFound

from ._article_page import triple_rows
from ._describe import KGQA, ORG, RDFS, SCHEMA, SKOS, Description, labels_of, sparql_iri
from ._neighbourhood import entity_kind, neighbourhood, select_values
from ._templates import PageTemplates

__all__ = ["entity_page", "entity_page_count", "PAGE_SIZE", "MAX_PAGES", "PageOutOfRange"]

log = logging.getLogger(__name__)

#: Items of each long list (statements, facts, articles) on one page.
PAGE_SIZE = 25
#: The last page number served; the lists past it are left to ``/sparql``.
MAX_PAGES = 200
_SUMMARY_ITEMS = 5  # most-quoted statements and most-mentioning articles in the summary
_RELATED = 40  # neighbours listed (and drawn) on page 1
_NAMES = 30  # names resolved to the entity
_POST_ROWS = 200  # (post, sentence) rows read for "posts held"; a post shows at most _POST_SENTENCES of them
_POST_SENTENCES = 3
_HOLDERS = 100  # people holding posts in an organisation or place


class PageOutOfRange(NotFound):
    """A ``?page=`` past the entity page's last page (404, in the one error shape)."""


# The three paged lists (projection, WHERE and GROUP BY; ``{e}`` is the entity as ``<iri>``).
# Flat OPTIONALs: Oxigraph evaluates a nested OPTIONAL group without the outer bindings, which is slow.
_QUOTES = """?q ?text ?cue ?as ?s ?sent ?section ?who ?h ?g ?i WHERE {{ GRAPH ?g {{
  ?q schema:creator {e} ; a schema:Quotation ; schema:text ?text ; prov:wasDerivedFrom ?s .
  ?s nif:anchorOf ?sent .
  OPTIONAL {{ ?q kgqa:cue ?cue }} OPTIONAL {{ ?q kgqa:speakerText ?as }} OPTIONAL {{ ?s kgqa:section ?section }}
  OPTIONAL {{ ?s kgqa:sentenceIndex ?i }} OPTIONAL {{ ?s kgqa:commenter ?c . GRAPH ?cg {{ ?c rdfs:label ?who }} }}
  OPTIONAL {{ ?g schema:headline ?h }} }} }}"""
_QUOTES_ORDER = "ORDER BY ?g ?i ?q"
_FACTS = """?subj ?pred ?obj ?s ?sent ?h WHERE {{ GRAPH ?g {{
  {{ ?st rdf:subject {e} }} UNION {{ ?st rdf:object {e} }}
  ?st rdf:subject ?subj ; rdf:predicate ?pred ; rdf:object ?obj ; prov:wasDerivedFrom ?s .
  FILTER(?pred NOT IN (org:holds, org:heldBy, schema:creator))
  ?s nif:anchorOf ?sent .
  OPTIONAL {{ ?g schema:headline ?h }} }} }}"""
_FACTS_ORDER = "ORDER BY ?pred ?subj ?obj ?s"
_ARTICLES = """?g (SAMPLE(?h0) AS ?h) (SAMPLE(?d0) AS ?d) (COUNT(DISTINCT ?m) AS ?n) WHERE {{ GRAPH ?g {{
  {{ ?m itsrdf:taIdentRef {e} }} UNION {{ ?g schema:author {e} BIND(?g AS ?m) }}
  OPTIONAL {{ ?g schema:headline ?h0 }} OPTIONAL {{ ?g schema:datePublished ?d0 }} }} }} GROUP BY ?g"""
_ARTICLES_ORDER = "ORDER BY DESC(?d) ?g"  # newest first; the summary ranks them by mentions


def _rows(graph: KnowledgeGraph, pattern: str, order: str, e: str) -> list[tuple[str | None, ...]]:
    """Every row of one long list in its order, up to the last page's: one query gives the count and each page."""
    return select_values(graph, f"SELECT DISTINCT {pattern.format(e=e)} {order} LIMIT {PAGE_SIZE * MAX_PAGES}")


@dataclass(frozen=True)
class _Lists:
    """The three long lists, read once per request; a page shows ``PAGE_SIZE`` of each."""

    quotes: list[tuple[str | None, ...]]
    facts: list[tuple[str | None, ...]]
    articles: list[tuple[str | None, ...]]

    @property
    def pages(self) -> int:
        most = max(len(self.quotes), len(self.facts), len(self.articles))
        return max(1, -(-most // PAGE_SIZE))

    @staticmethod
    def slice(rows: list[tuple[str | None, ...]], page: int) -> list[tuple[str | None, ...]]:
        return rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]


def _lists(graph: KnowledgeGraph, e: str) -> _Lists:
    return _Lists(_rows(graph, _QUOTES, _QUOTES_ORDER, e), _rows(graph, _FACTS, _FACTS_ORDER, e),
                  _rows(graph, _ARTICLES, _ARTICLES_ORDER, e))


def entity_page_count(graph: KnowledgeGraph, iri: str) -> int:
    """How many pages the entity's page has (at least 1)."""
    return _lists(graph, sparql_iri(iri)).pages


def _summary(graph: KnowledgeGraph, e: str, lists: _Lists) -> dict[str, object]:
    """What page 1 opens with: names, posts, the most-quoted statements, the most-mentioning articles."""
    merges = [{"text": text, "why": why, "count": int(n or 0)} for text, why, n in select_values(graph, f"""
        SELECT ?text ?why (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?m itsrdf:taIdentRef {e} ;
          kgqa:resolution ?why ; nif:anchorOf ?text }} }} GROUP BY ?text ?why ORDER BY DESC(?n) ?text
        LIMIT {_NAMES}""") if text]

    posts: dict[str, dict[str, object]] = {}
    for post, title, post_label, org, org_label, s, text, headline in select_values(graph, f"""
        SELECT DISTINCT ?post ?title ?pl ?org ?ol ?s ?text ?h WHERE {{ GRAPH ?g {{ {e} org:holds ?post .
          OPTIONAL {{ ?post kgqa:title ?title }} OPTIONAL {{ GRAPH ?pg {{ ?post rdfs:label ?pl }} }}
          OPTIONAL {{ ?post org:postIn ?org OPTIONAL {{ GRAPH ?og {{ ?org rdfs:label ?ol }} }} }}
          OPTIONAL {{ ?st rdf:subject {e} ; rdf:predicate org:holds ; rdf:object ?post ; prov:wasDerivedFrom ?s .
                     ?s nif:anchorOf ?text }}
          OPTIONAL {{ ?g schema:headline ?h }} }} }} ORDER BY ?title ?post ?s LIMIT {_POST_ROWS}"""):
        if not post:
            continue
        entry = posts.setdefault(post, {"iri": post, "title": title or post_label or post, "org": org,
                                        "org_label": org_label or org, "sentences": [], "more": 0})
        sentences: list[tuple[str, str | None, str | None]] = entry["sentences"]  # type: ignore[assignment]
        if s and (s, text, headline) not in sentences:
            if len(sentences) < _POST_SENTENCES:
                sentences.append((s, text, headline))
            else:
                entry["more"] = int(entry["more"]) + 1  # type: ignore[call-overload]

    holders = [{"person": p, "label": pl, "post": post, "title": title or post}
               for p, pl, title, post in select_values(graph, f"""
        SELECT DISTINCT ?p ?pl ?title ?post WHERE {{ GRAPH ?g {{ ?post org:postIn {e} ; org:heldBy ?p .
          GRAPH ?lg {{ ?p rdfs:label ?pl }} OPTIONAL {{ ?post kgqa:title ?title }} }} }} ORDER BY ?pl ?title
        LIMIT {_HOLDERS}""") if p]

    return {"merges": merges, "posts": list(posts.values()), "holders": holders,
            "most_quoted": _most_quoted(lists.quotes), "top_articles": _articles(
                sorted(lists.articles, key=lambda row: (-int(row[3] or 0), row[0] or ""))[:_SUMMARY_ITEMS])}


def _most_quoted(quotes: list[tuple[str | None, ...]]) -> list[dict[str, object]]:
    """The same words quoted in most articles (agencies' copy, follow-ups): the statements readers met most."""
    seen: dict[str, dict[str, object]] = {}
    for _q, text, _cue, _as, s, sentence, _section, _who, headline, g, _i in quotes:
        if not text:
            continue
        entry = seen.setdefault(" ".join(text.split()), {"text": text, "articles": set(), "sentence": s,
                                                         "sent": sentence, "headline": headline})
        entry["articles"].add(g)  # type: ignore[attr-defined]
    ranked = sorted(seen.values(), key=lambda q: (-len(q["articles"]), str(q["text"])))  # type: ignore[arg-type]
    return [{**q, "count": len(q["articles"])} for q in ranked[:_SUMMARY_ITEMS]]  # type: ignore[arg-type]


def _how_many(n: int, word: str) -> str:
    """``3 statements``; a list cut at the last page's rows says it may hold more."""
    if n >= PAGE_SIZE * MAX_PAGES:
        return f"{n:,} or more {word}s"
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _articles(rows: list[tuple[str | None, ...]]) -> list[dict[str, object]]:
    return [{"iri": g, "headline": h or g, "date": d, "count": int(n or 0)} for g, h, d, n in rows if g]


def _related(graph: KnowledgeGraph, iri: str) -> list[dict[str, str]]:
    """The neighbourhood the graph draws, as a list: what the page shows when scripts do not run."""
    hood = neighbourhood(graph, iri, limit=_RELATED)
    if not hood:
        return []
    by_node: dict[str, list[str]] = {}
    for edge in hood.edges:
        other = edge.target if edge.source == iri else edge.source
        by_node.setdefault(other, []).append(edge.label)
    return [{"iri": n.iri, "label": n.label, "kind": n.kind, "edges": " · ".join(by_node.get(n.iri, []))}
            for n in hood.nodes if n.kind != "quote"]


def entity_page(graph: KnowledgeGraph, desc: Description, *, page: int = 1,
                templates: PageTemplates | None = None) -> str:
    """An entity's page ``page`` (from 1); :class:`PageOutOfRange` past its last page."""
    templates = templates or PageTemplates(graph.settings)
    settings = graph.settings
    iri, e = desc.iri, sparql_iri(desc.iri)
    lists = _lists(graph, e)
    if not 1 <= page <= lists.pages:
        raise PageOutOfRange(f"page {page} does not exist: this entity's page has "
                             f"{lists.pages} page{'s' if lists.pages != 1 else ''}")
    label = desc.first(f"{RDFS}label") or desc.first(f"{SCHEMA}name") or iri.rsplit("/", 1)[-1]
    held_by, post_in = desc.values(f"{ORG}heldBy"), desc.values(f"{ORG}postIn")

    quotes = []
    for _q, text, cue, written, s, sentence, section, who, headline, _g, _i in lists.slice(lists.quotes, page):
        how = ([f"as “{written}”"] if written and written != label else []) + ([f"cue: {cue}"] if cue else [])
        # A quotation that is its whole sentence (a reader's comment, mostly) is shown once.
        same = " ".join((text or "").split()) == " ".join((sentence or "").split())
        quotes.append({"text": None if same else text, "note": "; ".join(how), "sentence": s, "sent": sentence,
                       "headline": headline, "who": who, "in_comment": section == f"{KGQA}CommentSection"})
    facts = lists.slice(lists.facts, page)
    names = labels_of(graph, held_by + post_in + [x or "" for row in facts for x in row[:3]])
    context: dict[str, object] = {
        "title": label, "iri": iri, "label": label, "kind": entity_kind(iri, settings.base_iri),
        "types": desc.types, "aliases": [a for a in desc.values(f"{SKOS}altLabel") if a != label],
        "ranks": desc.values(f"{KGQA}rank"), "held_by": held_by, "post_in": post_in, "names": names,
        "page": page, "pages": lists.pages, "page_size": PAGE_SIZE, "path": templates.href(iri) or "",
        "counts": {"quotes": len(lists.quotes), "facts": len(lists.facts), "articles": len(lists.articles)},
        "how_many": [_how_many(len(lists.quotes), "statement"), _how_many(len(lists.facts), "other fact"),
                     _how_many(len(lists.articles), "article")],
        "quotes": quotes, "facts": facts, "articles": _articles(lists.slice(lists.articles, page)),
    }
    if page == 1:
        context.update(_summary(graph, e, lists), related=_related(graph, iri),
                       triples=triple_rows(desc, labels_of(graph, [o[1] for _, o in desc.subject if o[0] == "uri"])),
                       truncated=desc.truncated)
    return templates.render("entity.html", **context)
