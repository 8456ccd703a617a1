"""The graph's IRIs dereferenced: ``GET {base path}...`` answers with HTML for browsers, RDF for machines.

Every article and entity IRI minted under ``KGQA_BASE_IRI`` is served at its
own path (``/id/article/{id}``, ``/id/entity/{kind}/{slug}``); a sentence IRI
``/id/article/{id}#char=B,E`` opens its article with that sentence highlighted,
because the article page gives each sentence ``id="char=B,E"`` and styles
``:target`` (the fragment never reaches the server).

Content negotiation follows ``Accept`` (or ``?format=``, for links):
``text/html`` (the default, also for ``*/*``), ``text/turtle``,
``application/ld+json`` and ``application/n-triples``. The RDF forms hold
the resource's description, chosen to stay small whatever the corpus size:

* an entity: every triple with it as subject, and every triple pointing at it
  except mentions (``itsrdf:taIdentRef``) and reified statements
  (``rdf:subject``/``rdf:object``), which the HTML page summarises instead;
* an article: its own triples, its text (``nif:Context``), its sentences and
  its reader comments; mentions, segments and facts stay in its named graph
  (``kgqa export`` or ``/sparql`` give them);
* anything else: the triples with it as subject.

At most ``KGQA_ROW_LIMIT`` triples are sent; ``X-Kgqa-Truncated: true`` says
when more exist. The HTML pages are self-contained (inline CSS, no script, no
font or image from anywhere), escape every text with :func:`html.escape`, and
are served with a ``Content-Security-Policy`` that forbids scripts anyway.

>>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
'html'
>>> negotiate("text/turtle;q=0.9, application/ld+json"), negotiate(None), negotiate("image/png")
('jsonld', 'html', None)
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg import KnowledgeGraph, NotFound, PREFIXES, QueryResult, Settings
from kg.results import Term

from ._errors import WebError, error_body
from ._links import base_path, local_path
from ._neighbourhood import entity_kind, is_safe_iri, neighbourhood, select_values
from ._services import Services

__all__ = ["linked_data_router", "negotiate", "FORMATS", "describe", "entity_page", "article_page"]

log = logging.getLogger(__name__)

#: Format name -> media type served.
FORMATS = {
    "html": "text/html; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples; charset=utf-8",
}
_MEDIA = {
    "text/html": "html", "application/xhtml+xml": "html",
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/n-triples": "nt", "text/plain": "nt",
}
_FORMAT_NAMES = {"html": "html", "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
                 "json": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt"}
_PREFERENCE = ("html", "turtle", "jsonld", "nt")  # ties go to the first
_LABELS = {"turtle": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_SCHEMA, _RDF, _RDFS = PREFIXES["schema"], PREFIXES["rdf"], PREFIXES["rdfs"]
_KGQA, _NIF, _SKOS, _ORG = PREFIXES["kgqa"], PREFIXES["nif"], PREFIXES["skos"], PREFIXES["org"]
_TYPE = f"{_RDF}type"
_CHAR = re.compile(r"#char=(\d+),(\d+)$")


# --- content negotiation ----------------------------------------------------------------------


def negotiate(accept: str | None) -> str | None:
    """The format to send for an ``Accept`` header, by q-value then kgqa's preference; ``None``: none fits."""
    if not accept or not accept.strip():
        return "html"
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    best: tuple[float, int, str] | None = None
    for fmt in _PREFERENCE:
        types = [m for m, f in _MEDIA.items() if f == fmt]
        quality, specificity = -1.0, -1
        for media, q in ranges:
            main = media.split("/", 1)[0]
            spec = 2 if media in types else 1 if media == f"{main}/*" and any(
                t.startswith(f"{main}/") for t in types) else 0 if media == "*/*" else -1
            if spec > specificity:
                quality, specificity = q, spec
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, specificity, fmt)
    return best[2] if best else None


# --- reading the graph ------------------------------------------------------------------------


def _sparql_iri(iri: str) -> str:
    """``<iri>`` for an IRI that came from the store; refuses anything that could break out of the brackets."""
    if not is_safe_iri(iri, ""):
        raise ValueError(f"not an IRI kgqa can query: {iri[:80]!r}")
    return f"<{iri}>"


def _labels(graph: KnowledgeGraph, iris: Iterable[str]) -> dict[str, str]:
    """``rdfs:label`` of each IRI that has one (a small VALUES list: only the IRIs a page shows)."""
    wanted = sorted({i for i in iris if i and is_safe_iri(i, "")})
    out: dict[str, str] = {}
    for first in range(0, len(wanted), 100):
        chunk = " ".join(f"<{i}>" for i in wanted[first:first + 100])
        for iri, label in select_values(graph, f"""
            SELECT ?x ?l WHERE {{ VALUES ?x {{ {chunk} }} GRAPH ?g {{ ?x rdfs:label ?l }} }}"""):
            if iri and label:
                out.setdefault(iri, label)
    return out


def _curie(iri: str) -> str:
    """``schema:headline`` for ``http://schema.org/headline``; the IRI itself when no prefix fits."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns):] or "-"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Description:
    """What the graph holds about one IRI: its own triples, and the extra ones its RDF forms carry."""

    iri: str
    subject: list[tuple[Term, Term]]  # (predicate, object) with the IRI as subject
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False

    def values(self, predicate: str) -> list[str]:
        return list(dict.fromkeys(o[1] for p, o in self.subject if p[1] == predicate))

    def first(self, predicate: str) -> str | None:
        found = self.values(predicate)
        return found[0] if found else None

    @property
    def types(self) -> list[str]:
        return self.values(_TYPE)

    @property
    def is_article(self) -> bool:
        return f"{_SCHEMA}NewsArticle" in self.types


def describe(graph: KnowledgeGraph, iri: str, *, limit: int) -> Description | None:
    """The IRI's description (see the module docstring), or ``None`` if the graph says nothing about it."""
    node = _sparql_iri(iri)
    rows = graph.select(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} LIMIT {limit + 1}")
    if not rows:
        return None
    subject = [(r[0], r[1]) for r in rows[:limit] if r[0] is not None and r[1] is not None]
    me: Term = ("uri", iri, None, None)
    desc = Description(iri, subject, [(me, p, o) for p, o in subject], truncated=len(rows) > limit)
    if desc.is_article:
        extra = graph.select(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH {node} {{ ?s ?p ?o .
            {{ ?s a <{_NIF}Sentence> }} UNION {{ ?s a <{_NIF}Context> }} UNION {{ ?s a <{_SCHEMA}Comment> }} }} }}
            LIMIT {limit + 1}""")
    elif iri.startswith(f"{graph.settings.base_iri}entity/"):
        extra = graph.select(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p {node}
            FILTER(?p NOT IN (<http://www.w3.org/2005/11/its/rdf#taIdentRef>, <{_RDF}subject>, <{_RDF}object>)) }}
            BIND({node} AS ?o) }} LIMIT {limit + 1}""")
    else:
        extra = []
    room = max(0, limit - len(desc.triples))
    desc.triples += [(r[0], r[1], r[2]) for r in extra[:room] if None not in r[:3]]  # type: ignore[misc]
    desc.truncated = desc.truncated or len(extra) > room
    return desc


def _rdf(desc: Description, fmt: str) -> str:
    result = QueryResult("CONSTRUCT", triples=desc.triples, truncated=desc.truncated)
    return {"turtle": result.to_turtle, "jsonld": result.to_jsonld, "nt": result.to_ntriples}[fmt]()


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
:root{color-scheme:light}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2937;background:#f1f5f9}
.top{background:#1e293b;color:#e2e8f0;padding:.55em 1.2em;font-size:.95em}
.top a{color:#fff;font-weight:600;text-decoration:none}
main{max-width:58rem;margin:0 auto;padding:1.2em 1.6em 3em;background:#fff;min-height:80vh}
h1{font-size:1.65em;line-height:1.25;margin:.3em 0 .2em}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #e2e8f0;padding-bottom:.2em}
a{color:#1d4ed8}
.badge{display:inline-block;font-size:.78em;background:#e0e7ff;color:#3730a3;border-radius:999px;
 padding:.05em .6em;margin-right:.3em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1.2em;margin:.8em 0}
dl.meta dt{color:#64748b}dl.meta dd{margin:0}
code,.iri{font:.82em ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;color:#475569}
.text p{margin:0 0 .9em}
.s{border-radius:3px}
.s:hover{background:#f1f5f9}
.s:target{background:#fff3a3;outline:2px solid #f59e0b;scroll-margin-top:30vh}
.headline-text{font-weight:700}
.byline,.caption{color:#475569;font-style:italic}
.boilerplate{color:#94a3b8;font-size:.85em}
.comment{border-left:4px solid #fdba74;background:#fff7ed;padding:.5em 1em;margin:1.3em 0}
.comment-label{font-weight:700;color:#9a3412;font-size:.88em;margin:0 0 .4em}
ul.facts{padding-left:1.2em}ul.facts li{margin-bottom:.7em}
blockquote{margin:.3em 0 .2em;padding:.2em .8em;border-left:3px solid #cbd5e1;color:#334155}
.src{font-size:.85em;color:#64748b}
.said{font-weight:500}
table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{border-bottom:1px solid #e5e7eb;padding:.25em .5em;text-align:left;vertical-align:top}
footer{margin-top:2.5em;font-size:.85em;color:#64748b}
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


class _Page:
    """Builds one page's HTML; ``link`` turns graph IRIs into the paths this app serves them at."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def href(self, iri: str) -> str | None:
        return local_path(iri, self.settings)

    def a(self, iri: str, text: str | None = None) -> str:
        """A link to a graph IRI's page, or the escaped text when the IRI is not this app's."""
        href = self.href(iri)
        shown = _e(text if text is not None else iri)
        return f'<a href="{_e(href)}">{shown}</a>' if href else shown

    def document(self, title: str, iri: str, body: str) -> str:
        path = self.href(iri) or ""
        alternates = "".join(
            f'<link rel="alternate" type="{_e(FORMATS[f].split(";")[0])}" href="{_e(path)}?format={f}">'
            for f in _LABELS)
        forms = " · ".join(f'<a href="{_e(path)}?format={f}">{label}</a>' for f, label in _LABELS.items())
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width,initial-scale=1">'
                f"<title>{_e(title)} — kgqa</title>{alternates}<style>{_CSS}</style></head><body>"
                f'<div class="top"><a href="/">kgqa</a> · linked data</div><main>{body}'
                f'<footer>IRI <span class="iri">{_e(iri)}</span><br>Also as {forms}; '
                f"or ask for them with an <code>Accept</code> header.</footer></main></body></html>")

    def sentence(self, iri: str | None, text: str | None, headline: str | None = None,
                 commenter: str | None = None, section: str | None = None) -> str:
        """A source sentence as a quote with a link to it in its article; a reader comment says so."""
        if not iri:
            return ""
        where = f"in “{_e(headline)}”" if headline else "in its article"
        who = ""
        if section == f"{_KGQA}CommentSection" or commenter:
            who = f'<strong class="comment-label">comment by {_e(commenter or "an anonymous reader")}</strong> '
        href = self.href(iri)
        link = f'<a href="{_e(href)}">open the sentence {where}</a>' if href else where
        return f'<blockquote>{who}{_e(text)}</blockquote><div class="src">{link}</div>'


def _triples_table(page: _Page, desc: Description, labels: dict[str, str]) -> str:
    rows = []
    for p, o in desc.subject:
        if o[0] == "uri":
            shown = page.a(o[1], labels.get(o[1], _curie(o[1])))
        else:
            text = o[1] if len(o[1]) <= 400 else o[1][:400] + "…"
            shown = _e(text) + (f' <span class="badge">@{_e(o[2])}</span>' if o[2] else "")
        rows.append(f"<tr><td><code>{_e(_curie(p[1]))}</code></td><td>{shown}</td></tr>")
    more = "<p class=src>More triples exist than are shown.</p>" if desc.truncated else ""
    return (f"<details><summary>All {len(rows)} triples with this IRI as subject</summary>"
            f"<table><tr><th>property</th><th>value</th></tr>{''.join(rows)}</table>{more}</details>")


# --- entity page ------------------------------------------------------------------------------


def entity_page(graph: KnowledgeGraph, desc: Description) -> str:
    """An entity: names, kind, posts, what it said and what is said of it, each with its sentence."""
    settings = graph.settings
    page = _Page(settings)
    iri, e = desc.iri, _sparql_iri(desc.iri)
    label = desc.first(f"{_RDFS}label") or desc.first(f"{_SCHEMA}name") or iri.rsplit("/", 1)[-1]
    kind = entity_kind(iri, settings.base_iri)
    aliases = [a for a in desc.values(f"{_SKOS}altLabel") if a != label]
    ranks = desc.values(f"{_KGQA}rank")
    types = " ".join(f'<span class="badge">{_e(_curie(t))}</span>' for t in desc.types)
    meta = [f"<dt>kind</dt><dd>{_e(kind)}</dd>"]
    if aliases:
        meta.append(f"<dt>also called</dt><dd>{_e(', '.join(aliases))}</dd>")
    if ranks:
        meta.append(f"<dt>rank</dt><dd>{_e(', '.join(ranks))}</dd>")
    parts = [f"<h1>{_e(label)}</h1><div>{types}</div>"]

    # As a post: who holds it, where.
    held_by, post_in = desc.values(f"{_ORG}heldBy"), desc.values(f"{_ORG}postIn")
    post_labels = _labels(graph, held_by + post_in)
    if held_by:
        meta.append(f"<dt>held by</dt><dd>{', '.join(page.a(x, post_labels.get(x, x)) for x in held_by)}</dd>")
    if post_in:
        meta.append(f"<dt>post in</dt><dd>{', '.join(page.a(x, post_labels.get(x, x)) for x in post_in)}</dd>")
    parts.append(f'<dl class="meta">{"".join(meta)}</dl>')

    # How other words came to name it: each merge is a fact of the article that made it (kgqa:resolution).
    merges = select_values(graph, f"""
        SELECT ?text ?why (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?m itsrdf:taIdentRef {e} ;
          kgqa:resolution ?why ; nif:anchorOf ?text }} }} GROUP BY ?text ?why ORDER BY DESC(?n) ?text LIMIT 30""")
    if merges:
        items = [f"<li>“{_e(text)}” <span class=src>{_e(why)} · {_e(n)} article{'s' if n != '1' else ''}</span></li>"
                 for text, why, n in merges if text]
        parts.append(f'<h2>Names resolved to it</h2><ul class="resolutions">{"".join(items)}</ul>')

    # Posts held, each with the sentences that say so.
    posts: dict[str, dict[str, object]] = {}
    for post, title, post_label, org, org_label, s, text, headline in select_values(graph, f"""
        SELECT DISTINCT ?post ?title ?pl ?org ?ol ?s ?text ?h WHERE {{ GRAPH ?g {{ {e} org:holds ?post .
          OPTIONAL {{ ?post kgqa:title ?title }} OPTIONAL {{ GRAPH ?pg {{ ?post rdfs:label ?pl }} }}
          OPTIONAL {{ ?post org:postIn ?org OPTIONAL {{ GRAPH ?og {{ ?org rdfs:label ?ol }} }} }}
          OPTIONAL {{ ?st rdf:subject {e} ; rdf:predicate org:holds ; rdf:object ?post ; prov:wasDerivedFrom ?s .
                     ?s nif:anchorOf ?text }}
          OPTIONAL {{ ?g schema:headline ?h }} }} }} ORDER BY ?title ?post ?s"""):
        if not post:
            continue
        entry = posts.setdefault(post, {"title": title or post_label or post, "org": org, "org_label": org_label,
                                        "sentences": []})
        if s and (s, text, headline) not in entry["sentences"]:  # type: ignore[operator]
            entry["sentences"].append((s, text, headline))  # type: ignore[attr-defined]
    if posts:
        items = []
        for post, entry in posts.items():
            org = f" — {page.a(str(entry['org']), str(entry['org_label'] or entry['org']))}" if entry["org"] else ""
            said = "".join(page.sentence(s, t, h) for s, t, h in entry["sentences"])  # type: ignore[attr-defined]
            items.append(f"<li>{page.a(post, str(entry['title']))}{org}{said}</li>")
        parts.append(f'<h2>Posts held</h2><ul class="facts">{"".join(items)}</ul>')

    # People holding posts in this organisation or place.
    people = select_values(graph, f"""
        SELECT DISTINCT ?p ?pl ?title ?post WHERE {{ GRAPH ?g {{ ?post org:postIn {e} ; org:heldBy ?p .
          GRAPH ?lg {{ ?p rdfs:label ?pl }} OPTIONAL {{ ?post kgqa:title ?title }} }} }} ORDER BY ?pl ?title""")
    if people:
        items = [f"<li>{page.a(p or '', pl)} — {page.a(post or '', title or post)}</li>"
                 for p, pl, title, post in people if p]
        parts.append(f'<h2>Posts in {_e(label)}</h2><ul>{"".join(items)}</ul>')

    # What it said, with the sentence each quotation comes from (every quotation has one, by the contract).
    # Flat OPTIONALs: Oxigraph evaluates a nested OPTIONAL group without the outer bindings, which is slow.
    quotes = select_values(graph, f"""
        SELECT DISTINCT ?q ?text ?cue ?as ?s ?sent ?section ?who ?h ?g ?i WHERE {{ GRAPH ?g {{
          ?q schema:creator {e} ; a schema:Quotation ; schema:text ?text ; prov:wasDerivedFrom ?s .
          ?s nif:anchorOf ?sent .
          OPTIONAL {{ ?q kgqa:cue ?cue }} OPTIONAL {{ ?q kgqa:speakerText ?as }} OPTIONAL {{ ?s kgqa:section ?section }}
          OPTIONAL {{ ?s kgqa:sentenceIndex ?i }} OPTIONAL {{ ?s kgqa:commenter ?c . GRAPH ?cg {{ ?c rdfs:label ?who }} }}
          OPTIONAL {{ ?g schema:headline ?h }} }} }} ORDER BY ?g ?i ?q LIMIT 300""")
    if quotes:
        items = []
        for _q, text, cue, written, s, sentence, section, who, headline, _g, _i in quotes:
            how = []
            if written and written != label:
                how.append(f"as “{_e(written)}”")
            if cue:
                how.append(f"cue: {_e(cue)}")
            note = f' <span class="src">({"; ".join(how)})</span>' if how else ""
            # A quotation that is its whole sentence (a reader's comment, mostly) is shown once.
            said = "" if " ".join((text or "").split()) == " ".join((sentence or "").split()) \
                else f'<span class="said">{_e(text)}</span>'
            items.append(f"<li>{said}{note}{page.sentence(s, sentence, headline, who, section)}</li>")
        parts.append(f'<h2>Statements and quotations</h2><ul class="facts">{"".join(items)}</ul>')

    # Other facts about it (relations, ranks, acronyms), each with its sentence.
    facts = select_values(graph, f"""
        SELECT DISTINCT ?subj ?pred ?obj ?s ?sent ?h WHERE {{ GRAPH ?g {{
          {{ ?st rdf:subject {e} }} UNION {{ ?st rdf:object {e} }}
          ?st rdf:subject ?subj ; rdf:predicate ?pred ; rdf:object ?obj ; prov:wasDerivedFrom ?s .
          FILTER(?pred NOT IN (org:holds, org:heldBy, schema:creator))
          ?s nif:anchorOf ?sent .
          OPTIONAL {{ ?g schema:headline ?h }} }} }} ORDER BY ?pred ?subj ?obj LIMIT 300""")
    if facts:
        names = _labels(graph, [x for row in facts for x in row[:3] if x and x.startswith(("http:", "https:"))])
        items = []
        for subj, pred, obj, s, sentence, headline in facts:
            def show(x: str | None) -> str:
                if x is None:
                    return ""
                return page.a(x, names.get(x, _curie(x))) if x.startswith(("http:", "https:")) else f"“{_e(x)}”"
            items.append(f"<li>{show(subj)} <em>{_e(names.get(pred or '', _curie(pred or '')))}</em> "
                         f"{show(obj)}{page.sentence(s, sentence, headline)}</li>")
        parts.append(f'<h2>Facts, with their sentences</h2><ul class="facts">{"".join(items)}</ul>')

    # Related entities: the neighbourhood the Graph tab draws.
    hood = neighbourhood(graph, iri, limit=40)
    if hood and hood.nodes:
        by_node: dict[str, list[str]] = {}
        for edge in hood.edges:
            other = edge.target if edge.source == iri else edge.source
            by_node.setdefault(other, []).append(edge.label)
        items = [f"<li>{page.a(n.iri, n.label)} <span class=src>{_e(n.kind)} · "
                 f"{_e(' · '.join(by_node.get(n.iri, [])))}</span></li>" for n in hood.nodes if n.kind != "quote"]
        if items:
            parts.append(f'<h2>Related entities</h2><ul>{"".join(items)}</ul>')

    # Articles mentioning it (or written by it).
    articles = select_values(graph, f"""
        SELECT ?g (SAMPLE(?h0) AS ?h) (SAMPLE(?d0) AS ?d) (COUNT(DISTINCT ?m) AS ?n) WHERE {{ GRAPH ?g {{
          {{ ?m itsrdf:taIdentRef {e} }} UNION {{ ?g schema:author {e} BIND(?g AS ?m) }}
          OPTIONAL {{ ?g schema:headline ?h0 }} OPTIONAL {{ ?g schema:datePublished ?d0 }} }} }}
        GROUP BY ?g ORDER BY DESC(?n) ?g LIMIT 200""")
    if articles:
        items = [f"<li>{page.a(g or '', h or g)} <span class=src>{_e(d or '')} · {_e(n)} mention"
                 f"{'' if n == '1' else 's'}</span></li>" for g, h, d, n in articles if g]
        parts.append(f'<h2>Articles mentioning {_e(label)}</h2><ul>{"".join(items)}</ul>')

    parts.append(_triples_table(page, desc, _labels(graph, [o[1] for _, o in desc.subject if o[0] == "uri"])))
    return page.document(label, iri, "".join(parts))


# --- article page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    iri: str
    begin: int
    end: int
    section: str
    comment: str | None = None
    commenter: str | None = None


def _http_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL (never ``javascript:`` or ``data:``), else ``None``."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _text_with_sentences(text: str, begin: int, end: int, sentences: list[_Span]) -> str:
    """``text[begin:end]`` escaped, each sentence inside it a ``<span id="char=B,E">`` (the sentence IRI's fragment)."""
    out, at = [], begin
    for s in sentences:
        if s.begin < at or s.end > end:
            continue
        out.append(_e(text[at:s.begin]))
        out.append(f'<span class="s" id="char={s.begin},{s.end}">{_e(text[s.begin:s.end])}</span>')
        at = s.end
    out.append(_e(text[at:end]))
    return "".join(out)


def _article_text(graph: KnowledgeGraph, node: str, context: str | None) -> str:
    text = ""
    if context and is_safe_iri(context, ""):
        found = select_values(graph, f"SELECT ?t WHERE {{ GRAPH {node} {{ <{context}> nif:isString ?t }} }} LIMIT 1")
        text = (found[0][0] or "") if found else ""
    spans = sorted((_Span(s or "", int(b or 0), int(e or 0), section or "", comment, who)
                    for s, b, e, section, comment, who in select_values(graph, f"""
        SELECT ?s ?b ?e ?section ?c ?who WHERE {{ GRAPH {node} {{ ?s a nif:Sentence ; nif:beginIndex ?b ;
          nif:endIndex ?e OPTIONAL {{ ?s kgqa:section ?section }} OPTIONAL {{ ?s kgqa:inComment ?c }}
          OPTIONAL {{ ?s kgqa:commenter ?cp . GRAPH ?cg {{ ?cp rdfs:label ?who }} }} }} }}""")), key=lambda s: (s.begin, s.end))
    spans = [s for s in spans if 0 <= s.begin < s.end <= len(text)]
    segments = sorted((int(b or 0), int(e or 0), section or "") for b, e, section in select_values(graph, f"""
        SELECT ?b ?e ?section WHERE {{ GRAPH {node} {{ ?seg a kgqa:Segment ; nif:beginIndex ?b ; nif:endIndex ?e
          OPTIONAL {{ ?seg kgqa:section ?section }} }} }}"""))
    if not segments:
        segments = [(0, len(text), f"{_KGQA}BodySection")]
    blocks: list[str] = []
    open_comment: str | None = None
    covered = 0
    for begin, end, section in segments:
        begin, end = max(begin, covered), min(end, len(text))
        if begin >= end:
            continue
        inside = [s for s in spans if begin <= s.begin and s.end <= end]
        comment = next((s.comment for s in inside if s.comment), None)
        if open_comment and comment != open_comment:
            blocks.append("</section>")
            open_comment = None
        if comment and comment != open_comment:
            who = next((s.commenter for s in inside if s.commenter), None) or "an anonymous reader"
            blocks.append(f'<section class="comment" id="{_e(comment.rsplit("#", 1)[-1])}">'
                          f'<p class="comment-label">comment by {_e(who)}</p>')
            open_comment = comment
        kind = section.rsplit("#", 1)[-1].removesuffix("Section").lower() or "body"
        css = {"headline": "headline-text", "byline": "byline", "caption": "caption",
               "boilerplate": "boilerplate"}.get(kind, "")
        title = ' title="boilerplate: not part of the article, kept out of answers"' if kind == "boilerplate" else ""
        blocks.append(f'<p class="{css}"{title}>{_text_with_sentences(text, begin, end, inside)}</p>')
        covered = end
    if open_comment:
        blocks.append("</section>")
    stray = [s for s in spans if not any(b <= s.begin and s.end <= e for b, e, _ in segments)]
    for s in stray:  # sentences no segment holds still get their anchor
        blocks.append(f"<p>{_text_with_sentences(text, s.begin, s.end, [s])}</p>")
    return "".join(blocks)


def article_page(graph: KnowledgeGraph, desc: Description) -> str:
    """An article: its metadata, its text with every sentence addressable, who is quoted, who is named."""
    page = _Page(graph.settings)
    iri, node = desc.iri, _sparql_iri(desc.iri)
    headline = desc.first(f"{_SCHEMA}headline") or desc.first(f"{_SCHEMA}identifier") or iri
    people = desc.values(f"{_SCHEMA}author") + desc.values(f"{_SCHEMA}publisher")
    names = _labels(graph, [p for p in people if p.startswith(("http:", "https:"))])

    def who(values: list[str]) -> str:
        return ", ".join(page.a(v, names.get(v, v)) if v in names or page.href(v) else _e(v) for v in values)

    meta = []
    for title, predicate in (("published", "datePublished"), ("author", "author"), ("publisher", "publisher"),
                             ("section", "articleSection"), ("identifier", "identifier")):
        values = desc.values(f"{_SCHEMA}{predicate}")
        if values:
            shown = who(values) if predicate in ("author", "publisher") else _e(", ".join(values))
            meta.append(f"<dt>{title}</dt><dd>{shown}</dd>")
    url = desc.first(f"{_SCHEMA}url")
    if url:
        safe = _http_url(url)
        shown = (f'<a href="{_e(safe)}" rel="noopener noreferrer nofollow" target="_blank">{_e(safe)}</a>'
                 if safe else _e(url))
        meta.append(f"<dt>source</dt><dd>{shown}</dd>")
    parts = [f'<h1>{_e(headline)}</h1><span class="badge">schema:NewsArticle</span>',
             f'<dl class="meta">{"".join(meta)}</dl>',
             f'<h2>Text</h2><div class="text">{_article_text(graph, node, desc.first(f"{_KGQA}hasContext"))}</div>']

    quotes = select_values(graph, f"""
        SELECT DISTINCT ?q ?who ?wl ?text ?s ?i ?section WHERE {{ GRAPH {node} {{ ?q a schema:Quotation ;
          schema:creator ?who ; schema:text ?text OPTIONAL {{ GRAPH ?wg {{ ?who rdfs:label ?wl }} }}
          OPTIONAL {{ ?q prov:wasDerivedFrom ?s OPTIONAL {{ ?s kgqa:sentenceIndex ?i }}
                     OPTIONAL {{ ?s kgqa:section ?section }} }} }} }} ORDER BY ?i ?q""")
    if quotes:
        items = []
        for _q, speaker, speaker_label, text, s, _i, section in quotes:
            m = _CHAR.search(s or "")
            where = f' <a href="#char={m.group(1)},{m.group(2)}">sentence</a>' if m else ""
            name = page.a(speaker or "", speaker_label or speaker)
            who = (f'<span class="comment-label">comment by</span> {name}' if section == f"{_KGQA}CommentSection"
                   else name)
            items.append(f'<li>{who}: <span class="said">{_e(text)}</span>{where}</li>')
        parts.append(f'<h2>Statements in this article</h2><ul>{"".join(items)}</ul>')

    entities = select_values(graph, f"""
        SELECT ?x (SAMPLE(?l) AS ?label) (COUNT(?m) AS ?n) WHERE {{ GRAPH {node} {{ ?m itsrdf:taIdentRef ?x }}
          GRAPH ?lg {{ ?x rdfs:label ?l }} }} GROUP BY ?x ORDER BY DESC(?n) ?label""")
    if entities:
        items = [f"<li>{page.a(x or '', label)} <span class=src>{_e(entity_kind(x or '', graph.settings.base_iri))}"
                 f" · {_e(n)}×</span></li>" for x, label, n in entities if x]
        parts.append(f'<h2>Entities mentioned</h2><ul>{"".join(items)}</ul>')
    parts.append(_triples_table(page, desc, names))
    return page.document(headline, iri, "".join(parts))


def _generic_page(graph: KnowledgeGraph, desc: Description) -> str:
    page = _Page(graph.settings)
    labels = _labels(graph, [desc.iri] + [o[1] for _, o in desc.subject if o[0] == "uri"])
    label = labels.get(desc.iri, desc.iri)
    types = " ".join(f'<span class="badge">{_e(_curie(t))}</span>' for t in desc.types)
    return page.document(label, desc.iri, f"<h1>{_e(label)}</h1><div>{types}</div>"
                                          f"{_triples_table(page, desc, labels)}")


# --- routes -----------------------------------------------------------------------------------


def _not_found_html(iri: str, settings: Settings) -> str:
    return _Page(settings).document("Not found", iri, "<h1>Not found</h1><p>The graph holds nothing about "
                                                      f"<span class=iri>{_e(iri)}</span>.</p>")


def _candidates(base: str, rest: str) -> list[str]:
    """The IRI as requested, then with its escapes normalised the way kgqa mints them.

    >>> _candidates("http://x/id/", "article/a%20b")
    ['http://x/id/article/a%20b']
    >>> _candidates("http://x/id/", "article/a+b%7E")
    ['http://x/id/article/a+b%7E', 'http://x/id/article/a%2Bb~']
    """
    normalised = quote(unquote(rest), safe="/-._~")
    return list(dict.fromkeys([base + rest, base + normalised]))


def linked_data_router(settings: Settings) -> APIRouter:
    """``GET``/``HEAD`` under the base IRI's path (``/id/``): every IRI of the graph, in HTML or RDF."""
    router = APIRouter(tags=["linked data"])
    prefix = base_path(settings)
    if not prefix.endswith("/"):
        prefix += "/"
    # A base at the site root must not swallow the UI's routes: then only the minted kinds are served.
    patterns = [prefix + "{path:path}"] if prefix != "/" else ["/article/{path:path}", "/entity/{path:path}"]

    def dereference(request: Request, path: str, format: str | None = Query(  # noqa: A002 (the API's name)
            None, description="html, turtle, jsonld or nt; overrides the Accept header")) -> Response:
        services: Services = request.app.state.services
        if format is not None:
            fmt = _FORMAT_NAMES.get(format.lower())
            if fmt is None:
                raise WebError(f"unknown format {format!r}; use html, turtle, jsonld or nt", status=400)
        else:
            fmt = negotiate(request.headers.get("accept"))
            if fmt is None:
                raise WebError("none of the accepted types is served here; ask for text/html, text/turtle, "
                               "application/ld+json or application/n-triples", status=406)
        # The IRI is the path as sent (percent-escapes kept), so an id like "a%20b" finds "…/article/a%20b".
        raw = (request.scope.get("raw_path") or quote(request.url.path).encode()).decode("utf-8", "replace")
        rest = raw[len(prefix):] if raw.startswith(prefix) else quote(path, safe="/-._~")
        candidates = [c for c in _candidates(settings.base_iri, rest) if is_safe_iri(c, settings.base_iri)]
        if not candidates:
            raise WebError("that path is not an IRI of this graph", status=400)
        graph = services.graph
        desc = None
        for iri in candidates:
            desc = describe(graph, iri, limit=settings.row_limit)
            if desc is not None:
                break
        headers = {"Vary": "Accept"}
        if desc is None:
            if fmt == "html":
                return HTMLResponse(_not_found_html(candidates[0], settings), status_code=404,
                                    headers={**headers, **_SECURITY_HEADERS})
            body = error_body(404, NotFound.__name__, f"the graph holds nothing about {candidates[0]}")
            return JSONResponse(body, status_code=404, headers=headers)
        path_only = local_path(desc.iri, settings) or request.url.path
        headers["Link"] = ", ".join(f'<{quote(path_only, safe="/%:@-._~")}?format={f}>; rel="alternate"; '
                                    f'type="{FORMATS[f].split(";")[0]}"' for f in _LABELS)
        if desc.truncated:
            headers["X-Kgqa-Truncated"] = "true"
        if fmt != "html":
            return Response(_rdf(desc, fmt), media_type=FORMATS[fmt], headers=headers)
        if desc.is_article:
            body_html = article_page(graph, desc)
        elif desc.iri.startswith(f"{settings.base_iri}entity/"):
            body_html = entity_page(graph, desc)
        else:
            body_html = _generic_page(graph, desc)
        return HTMLResponse(body_html, headers={**headers, **_SECURITY_HEADERS})

    for pattern in patterns:
        router.add_api_route(pattern, dereference, methods=["GET", "HEAD"], summary="Dereference a graph IRI",
                             description="HTML for browsers; Turtle, JSON-LD or N-Triples by Accept or ?format=.",
                             response_class=Response)
    return router
