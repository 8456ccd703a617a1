"""The graph side of answering: posts, quotations, acronyms and mentions, read with SPARQL.

Every lookup returns rows plus the query text that found them (a :class:`Found`),
so an answer can show "how this was found" and a user can re-run it in the
SPARQL tab. The query travels with the rows rather than sitting on the
:class:`GraphFacts` object, which is shared by concurrent requests: an answer
never shows another request's SPARQL. (``labels``, a name table nothing shows
the query of, returns a plain dict.) Queries go through
``KnowledgeGraph.select`` (trusted, fixed shapes; values escaped here), each
inside ``GRAPH ?g`` so they work on any store. Labels are read with a ``GRAPH`` of their own: an
entity's is in the entity graph, once (see :mod:`kg.entity_graph`), not in the article graph of its fact.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

from kg import PREFIXES, KnowledgeGraph, sparql_literal

from ._text import tokens

__all__ = ["GraphFacts", "Found", "Post", "Quotation", "Acronym", "CommentCount"]

log = logging.getLogger(__name__)

#: Above this many posts in an org, one joined query beats a query per post (~8 ms against ~1 ms a post,
#: measured over the BBC store).
_POSTS_ONE_BY_ONE = 8

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p in {
    "schema", "nif", "itsrdf", "kgqa", "prov", "org", "skos", "rdf", "rdfs"})


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _v(term: tuple | None) -> str | None:
    return None if term is None else term[1]


T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """The rows of one lookup and the SPARQL that found them.

    A lookup that runs one query per entity or sentence keeps the first one's (what an answer shows);
    ``query`` is None when it ran none (nothing to look up). Iterating, ``len``, truth and indexing
    go to ``items``:

    >>> found = Found(("a", "b"), "SELECT ...")
    >>> list(found), len(found), found[0], found.query
    (['a', 'b'], 2, 'a', 'SELECT ...')
    >>> bool(Found((), None))
    False
    """

    items: tuple[T, ...] = ()
    query: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> T:
        return self.items[i]


def _combined(parts: Iterable[Found[T]]) -> Found[T]:
    """The parts' items, each once, in order; the first part's query."""
    found = list(parts)
    return Found(tuple(dict.fromkeys(item for part in found for item in part.items)),
                 found[0].query if found else None)


@dataclass(frozen=True)
class Post:
    holder: str
    holder_label: str
    title: str
    org: str | None
    org_label: str | None
    rank: str | None
    sentence: str

    @property
    def label(self) -> str:
        return f"{self.title} of {self.org_label}" if self.org_label else self.title


@dataclass(frozen=True)
class Quotation:
    iri: str
    text: str
    cue: str
    speaker_text: str
    creator: str | None
    creator_label: str | None
    sentence: str


@dataclass(frozen=True)
class Acronym:
    short: str
    entity: str
    label: str
    sentence: str | None


@dataclass(frozen=True)
class CommentCount:
    count: int  # reader comments on the article
    first: str | None  # its first comment sentence; None when it has none


@dataclass(frozen=True)
class _Keys:
    """The entities that hold a post, have posts in them or are quoted, each kind read in one query: a lookup
    by any other entity finds no rows, so it is not run (most of a question's entities have none of these).

    Read once per :class:`GraphFacts`, that is once per snapshot (see ``GraphFacts.keys``), and never changed:
    35 ms on the BBC store, for 2,058 + 755 + 3,070 entities. (The sentences that posts or quotations were
    read from were left out: 40 and 200 ms to read, for lookups that take 0.5 and 1 ms.)
    """

    holders: frozenset[str]  # ?h org:holds ?post
    orgs: frozenset[str]  # ?post org:postIn ?org
    speakers: frozenset[str]  # ?quote schema:creator ?speaker

    @classmethod
    def read(cls, graph: KnowledgeGraph) -> _Keys:
        def iris(pattern: str) -> frozenset[str]:
            rows = graph.select(_PROLOGUE + f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ {pattern} }} }}")
            return frozenset(r[0][1] for r in rows if r[0])

        return cls(iris("?x org:holds ?post"), iris("?post org:postIn ?x"), iris("?q schema:creator ?x"))


_KEYS_LOCK = threading.Lock()  # the first request of a snapshot reads its keys; the others wait for them


# Frozen: the graph is all it holds, so one object serves concurrent requests (each lookup's query is in
# what it returns). eq=False: two objects over the same graph are still two objects.
@dataclass(frozen=True, eq=False)
class GraphFacts:
    """Fact lookups by entity or sentence; each returns a :class:`Found`, its rows with the query behind them."""

    graph: KnowledgeGraph

    def _select(self, body: str) -> tuple[list[tuple], str]:
        query = _PROLOGUE + body.strip() + "\n"
        return self.graph.select(query), query

    @property
    def keys(self) -> _Keys:
        """Who holds posts, has posts in it or is quoted: read on first use, under a lock, then fixed for this
        object's life.

        The retriever that holds this object is rebuilt for every snapshot (the library's generation), so the
        keys are those of the snapshot that first asked (or of a later state of the store, if an ingest is
        under way: the same the lookups themselves would see). Never mutated once set; readers that find it
        set take no lock.
        """
        keys = self.__dict__.get("_keys")
        if keys is None:
            with _KEYS_LOCK:
                keys = self.__dict__.get("_keys")
                if keys is None:
                    keys = _Keys.read(self.graph)
                    object.__setattr__(self, "_keys", keys)  # frozen dataclass: set once, here only
        return keys

    # --- posts ---------------------------------------------------------------

    # Read once per GraphFacts: the retriever that holds it is rebuilt whenever the articles change (the
    # library's generation), so the table is never stale; two requests racing to fill it compute the same one.
    @cached_property
    def post_titles(self) -> dict[tuple[str, ...], str]:
        """Tokens of every stored post title -> the title (for spotting "defence minister" in a question)."""
        rows = self.graph.select(_PROLOGUE + "SELECT DISTINCT ?t WHERE { GRAPH ?g { ?p kgqa:title ?t } }")
        return {tuple(tokens(_v(r[0]) or "")): _v(r[0]) or "" for r in rows if r[0]}

    def _posts(self, where: str = "", *, holder: str = "?holder", post: str = "?post",
               sentence: str = "?sentence") -> Found[Post]:
        """Posts matching ``where``, with any of holder, post or sentence fixed to an IRI written into every
        pattern that names it: Oxigraph then reads them from its indexes, where binding the variable
        (``BIND(<iri> AS ?holder)`` first) made it plan around the whole store (11 ms against 0.6 ms a
        lookup over the BBC store)."""
        query = self._posts_query(where, holder=holder, post=post, sentence=sentence)
        if holder != "?holder" and holder[1:-1] not in self.keys.holders:
            return Found((), query)  # it holds no post: no rows, and no need to ask
        rows = self.graph.select(query)
        return Found(tuple(Post(_v(r[0]) or "", _v(r[1]) or "", _v(r[2]) or "", _v(r[3]), _v(r[4]), _v(r[5]),
                                _v(r[6]) or "") for r in rows), query)

    @staticmethod
    def _posts_query(where: str = "", *, holder: str = "?holder", post: str = "?post",
                     sentence: str = "?sentence") -> str:
        binds = "".join(f"\n  BIND({value} AS ?{name})" for name, value in (("holder", holder), ("sentence", sentence))
                        if not value.startswith("?"))
        holds = f"{holder} org:holds {post} . GRAPH ?hg {{ {holder} rdfs:label ?holderLabel }} {post} kgqa:title ?title ."
        if sentence.startswith("?"):
            first, then = holds, (f"?fact rdf:subject {holder} ; rdf:predicate org:holds ; rdf:object {post} ; "
                                  f"prov:wasDerivedFrom {sentence} .")
        else:
            # Oxigraph joins in the order written: the statement's link to the given sentence, read first, finds
            # the post at once (0.4 ms a lookup on the BBC store, against 17 ms when every holder's post came
            # first and the sentence was matched last).
            first, then = (f"?fact prov:wasDerivedFrom {sentence} ; rdf:subject {holder} ; rdf:predicate org:holds ; "
                           f"rdf:object {post} ."), holds
        # ``where`` is repeated in the organisation's OPTIONAL (the rows already satisfy it, so they do not change):
        # Oxigraph evaluates that side on its own before joining, and without the restriction it read every post's
        # organisation in the store, 8 ms a lookup by title or organisation even with no rows, against 0.6 ms.
        # (Not in the rank's, which is cheap: there it changed the order of the rows.)
        return _PROLOGUE + f"""SELECT DISTINCT ?holder ?holderLabel ?title ?org ?orgLabel ?rank ?sentence WHERE {{ GRAPH ?g {{
  {where}{first}
  {then}
  OPTIONAL {{ {where}{post} org:postIn ?org . GRAPH ?og {{ ?org rdfs:label ?orgLabel }} }}
  OPTIONAL {{ {holder} kgqa:rank ?rank }}{binds}
}} }} LIMIT 200
"""

    @staticmethod
    def _each(lookup: Callable[[str], Found[T]], values: Iterable[str]) -> Found[T]:
        """``lookup`` of every value, once each, in order; the first one's query."""
        return _combined(lookup(value) for value in dict.fromkeys(values))

    def posts_of(self, entities: list[str]) -> Found[Post]:
        """Posts held by, or in, any of the entities; the query is the first entity's posts held."""
        # One small query per entity with the IRI written in: Oxigraph answers those from its indexes,
        # where a VALUES join over the whole store takes a hundred times longer.
        return self._each(self._posts_of, entities)

    def _posts_of(self, entity: str) -> Found[Post]:
        iri = _iri(entity)
        return _combined([self._posts(holder=iri), self._posts_in_org(iri)])

    def _posts_in_org(self, org: str) -> Found[Post]:
        """Posts in ``org``, found post by post: one query joining ``?post org:postIn <org>`` to the holders
        took 10 ms a lookup on the BBC store, the posts and then each post's holders 0.8 ms. The query
        shown is that single one. Each post costs ~1 ms, so an org with many posts (the UK: 30) is read
        with the single query.

        The two are not quite the same: post by post also finds holders named in articles that do not say
        which organisation the post is in (Wales's coach: 14 rows against 4), so although the single query
        now costs ~0.6 ms too (see :meth:`_posts_query`), the small orgs stay post by post."""
        if org[1:-1] not in self.keys.orgs:
            return Found((), self._posts_query(f"?post org:postIn {org} .\n  "))  # no post is in it
        rows = self.graph.select(_PROLOGUE + f"SELECT DISTINCT ?post WHERE {{ GRAPH ?g {{ ?post org:postIn {org} }} }}")
        posts = [r[0][1] for r in rows if r[0] and r[0][0] == "uri"]
        if len(posts) != len(rows) or len(posts) > _POSTS_ONE_BY_ONE:
            return self._posts(f"?post org:postIn {org} .\n  ")
        found = _combined(self._posts(post=_iri(p)) for p in posts)
        return Found(found.items[:200], self._posts_query(f"?post org:postIn {org} .\n  "))

    def posts_in(self, sentences: list[str]) -> Found[Post]:
        """Posts read from any of the sentences."""
        return self._each(lambda s: self._posts(sentence=_iri(s)), sentences)

    def posts_titled(self, titles: list[str]) -> Found[Post]:
        """Posts with any of the titles (the exact stored title)."""
        return self._each(lambda t: self._posts(f"?post kgqa:title {sparql_literal(t)} .\n  "), titles)

    # --- quotations ------------------------------------------------------------

    def _quotes(self, where: str, *, known: bool = True) -> Found[Quotation]:
        """Quotations matching ``where``; with ``known`` false (the keys say there are none) the query is not run."""
        query = _PROLOGUE + f"""SELECT DISTINCT ?q ?text ?cue ?speakerText ?creator ?creatorLabel ?sentence WHERE {{ GRAPH ?g {{
  {where}
  ?q a schema:Quotation ; schema:text ?text ; kgqa:cue ?cue ; kgqa:speakerText ?speakerText ;
     prov:wasDerivedFrom ?sentence .
  OPTIONAL {{ ?q schema:creator ?creator . GRAPH ?cg {{ ?creator rdfs:label ?creatorLabel }} }}
}} }} LIMIT 500
"""
        rows = self.graph.select(query) if known else []
        return Found(tuple(Quotation(_v(r[0]) or "", _v(r[1]) or "", _v(r[2]) or "", _v(r[3]) or "", _v(r[4]),
                                     _v(r[5]), _v(r[6]) or "") for r in rows), query)

    def quotes_by(self, entities: list[str]) -> Found[Quotation]:
        """Quotations whose speaker is any of the entities."""
        speakers = self.keys.speakers
        return self._each(lambda e: self._quotes(f"?q schema:creator {_iri(e)} .", known=e in speakers), entities)

    def quotes_in(self, sentences: list[str]) -> Found[Quotation]:
        """Quotations read from any of the sentences."""
        return self._each(
            lambda s: self._quotes(f"?q prov:wasDerivedFrom {_iri(s)} . BIND({_iri(s)} AS ?sentence)"), sentences)

    # --- acronyms and mentions -------------------------------------------------

    def acronym(self, short: str) -> Found[Acronym]:
        """Entities with ``short`` as an alternative name, and the sentence that said so if known."""
        rows, query = self._select(f"""
SELECT DISTINCT ?entity ?label ?sentence WHERE {{ GRAPH ?g {{
  ?entity skos:altLabel {sparql_literal(short)} . GRAPH ?lg {{ ?entity rdfs:label ?label }}
  OPTIONAL {{ ?fact rdf:subject ?entity ; rdf:predicate skos:altLabel ; rdf:object {sparql_literal(short)} ;
                   prov:wasDerivedFrom ?sentence }}
}} }} LIMIT 50""")
        return Found(tuple(Acronym(short, _v(r[0]) or "", _v(r[1]) or "", _v(r[2])) for r in rows), query)

    def authors(self, article: str) -> Found[str]:
        """The names of the article's authors."""
        rows, query = self._select(f"""
SELECT DISTINCT ?author ?name WHERE {{ GRAPH ?g {{ {_iri(article)} schema:author ?author . GRAPH ?lg {{ ?author rdfs:label ?name }} }} }}""")
        return Found(tuple(_v(r[1]) or "" for r in rows), query)

    def comment_count(self, article: str) -> Found[CommentCount]:
        """Number of reader comments on an article and its first comment sentence: always one item."""
        rows, query = self._select(f"""
SELECT (COUNT(DISTINCT ?comment) AS ?n) (MIN(STR(?sentence)) AS ?first) WHERE {{ GRAPH {_iri(article)} {{
  ?sentence kgqa:inComment ?comment }} }}""")
        if not rows or rows[0][0] is None:
            return Found((CommentCount(0, None),), query)
        return Found((CommentCount(int(_v(rows[0][0]) or 0), _v(rows[0][1])),), query)

    def labels(self, entities: list[str]) -> dict[str, str]:
        """A label of each entity that has one."""
        if not entities:
            return {}
        rows = self.graph.select(_PROLOGUE + f"""SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{
  VALUES ?e {{ {' '.join(_iri(e) for e in entities)} }} ?e rdfs:label ?l }} }} GROUP BY ?e""")
        return {_v(r[0]) or "": _v(r[1]) or "" for r in rows}
