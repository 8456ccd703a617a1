"""Differential test of the guard's parser against the engine's (issue 22 item 1).

The guard decides with rdflib what may run; Oxigraph runs it. For every text
the guard accepts, both parsers must agree on what runs: the same text
(:attr:`QueryInfo.text`) evaluated by rdflib and by Oxigraph over the same
small dataset gives the same rows (queries) or leaves the same quads
(updates), and no ``SERVICE``/``LOAD`` hidden from the guard ever reaches a
loopback listener. A comment that one parser ends earlier than the other
changes the rows (a ``FILTER(1 = 2)`` or an extra ``INSERT`` behind it), so
any such disagreement fails here.

The corpus: hand-picked comment, escape and whitespace cases, then a
seeded random mix of the same fragments (thousands of texts, a few seconds),
run by Oxigraph in this process and (marker ``remote``) by ``oxigraph serve``
over the SPARQL protocol, as a remote store gets them.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.term import Literal

from kg import KgqaError
from kg.query_guard import check_query, check_update

from .conftest import OxigraphServer
from .test_sparql_safety import CountingListener

BASE = "http://test.example/id/"
DATA = """<http://d.example/s> <http://d.example/p> 1 .
<http://d.example/s> <http://d.example/p> 2 .
<http://d.example/s> <http://d.example/q> "a" .
"""
#: Whatever sits between a comment's start and what it may or may not hide.
LINE_BREAKERS = ["\r", "\n", "\r\n", "\n\r", "\\u000A", "\\u000a", "\\u000D", "\\U0000000A", "\\U0000000D",
                 "\\u000D\\u000A", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\\u2028",
                 "\\u0085", "\t", " ", "\\u0023", "\\\\u000A", "\\u005C", "\\u005Cu000A", "\\U000A", "\\u000"]
#: What a comment may hide in a query's WHERE: each changes the rows, or calls the listener ({url}).
QUERY_PAYLOADS = ["FILTER(1 = 2)", "FILTER(?o = 2)", "SERVICE <{url}> {{ ?a ?b ?c }}",
                  "SERVICE SILENT <{url}> {{ ?a ?b ?c }}", ". ?s <http://d.example/q> ?o2", "MINUS {{ ?s ?p ?o }}"]
UPDATE_PAYLOADS = ["; INSERT DATA {{ <http://d.example/x> <http://d.example/y> 3 }}", "; LOAD <{url}>",
                   "; CLEAR DEFAULT", "; DELETE DATA {{ <http://d.example/s> <http://d.example/p> 1 }}",
                   "; LOAD SILENT <{url}>"]
QUERY_SHAPES = [
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o # c{brk}{payload}\n}}",
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o #{brk}{payload}\n}}",
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o . # c{brk} ?s ?p '''\n{payload} # '''\n}}",
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o FILTER(?o != \"#{brk}\") {payload} }}",
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o FILTER(STR(?o) != '''#{brk}{payload}''') }}",
    "SELECT * WHERE {{ ?s <http://d.example/p> ?o }} # c{brk}LIMIT 0\n",
    "ASK {{ ?s <http://d.example/p> 1 # c{brk}{payload}\n}}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o # c{brk}{payload}\n}}",
]
UPDATE_SHAPES = [
    "INSERT DATA {{ <http://d.example/n> <http://d.example/m> 0 }} # c{brk}{payload}\n",
    "INSERT DATA {{ <http://d.example/n> <http://d.example/m> 0 }} #{brk}{payload}",
    "INSERT DATA {{ <http://d.example/n> <http://d.example/m> '#{brk}' }} {payload}",
    "INSERT DATA {{ <http://d.example/n> <http://d.example/m> 0 }} # c{brk} ; INSERT DATA {{ <http://d.example/n> "
    "<http://d.example/m> '''\n}} {payload} # '''\n}}",
]
#: Fragments for the random mix (each case: a shape's WHERE body built from 2-9 of them).
FRAGMENTS = ["#", " c ", "\r", "\n", "\r\n", "\\u000A", "\\u000D", "'''", '"""', "'", '"', "\\", "\\u0027",
             "\\u0022", "\\u0023", "\\u005C", "<http://d.example/p>", "?o", "?s", ".", " ", "FILTER(1 = 2)",
             "FILTER(?o = 2)", "SERVICE <{url}> {{ ?a ?b ?c }}", "{{", "}}", "\x0c", "\u2028", "1", "@en", "^^",
             "<http://d.example/q>", "'a'", "\\n", "\\t", "\\'"]


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    lst = CountingListener()
    yield lst
    lst.close()


def _rdflib_graph() -> Graph:
    return Graph().parse(data=DATA, format="turtle")


def _ox_store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _plain(value: str) -> str:
    """Runs of tabs and spaces as one space: pyparsing expands tabs before rdflib parses, so rdflib's literal
    values hold spaces where the text had a tab. Both parsers read either as whitespace between tokens, so this
    changes values, never what runs."""
    return re.sub(r"[\t ]+", " ", value)


def _ox_value(term: object) -> str:
    if isinstance(term, ox.Literal):
        return _plain(term.value)
    return getattr(term, "value", str(term))


def _rdflib_value(term: object) -> str:
    return _plain(str(term))


def _query_outcome_oxigraph(text: str) -> object:
    result = _ox_store().query(text)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(tuple(sorted((n, _ox_value(s[n])) for n in names if s[n] is not None)) for s in result)
    return sorted((_ox_value(t.subject), _ox_value(t.predicate), _ox_value(t.object)) for t in result)


def _query_outcome_rdflib(text: str) -> object:
    result = _rdflib_graph().query(text)
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type == "SELECT":
        names = [str(v) for v in result.vars]
        return sorted(tuple(sorted((n, _rdflib_value(row[i])) for i, n in enumerate(names) if row[i] is not None))
                      for row in result)
    return sorted((str(s), str(p), _rdflib_value(o)) for s, p, o in result)


def _update_outcome_oxigraph(text: str) -> list[tuple[str, ...]]:
    store = _ox_store()
    store.update(text)
    return sorted((_ox_value(q.subject), _ox_value(q.predicate), _ox_value(q.object)) for q in store)


def _update_outcome_rdflib(text: str) -> list[tuple[str, ...]]:
    graph = _rdflib_graph()
    graph.update(text)
    return sorted((str(s), str(p), _rdflib_value(o)) for s, p, o in graph)


class RemoteEngine:
    """The same outcomes from ``oxigraph serve`` over the SPARQL 1.1 Protocol (the store reset before each)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=30)

    def _reset(self) -> None:
        response = self.client.post(f"{self.url}/update", data={"update": f"DROP ALL ; INSERT DATA {{ {DATA} }}"})
        response.raise_for_status()

    def _refused(self, response: httpx.Response) -> None:
        if response.status_code == 400:
            raise SyntaxError(response.text[:200])
        if response.status_code >= 300:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

    def query(self, text: str) -> object:
        self._reset()
        response = self.client.post(f"{self.url}/query", data={"query": text},
                                    headers={"Accept": "application/sparql-results+json, application/n-triples"})
        self._refused(response)
        if response.headers["content-type"].startswith("application/n-triples"):
            return sorted((_ox_value(t.subject), _ox_value(t.predicate), _ox_value(t.object))
                          for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        body = response.json()
        if "boolean" in body:
            return bool(body["boolean"])
        return sorted(tuple(sorted((n, _plain(b["value"]) if b["type"] == "literal" else b["value"])
                                   for n, b in row.items())) for row in body["results"]["bindings"])

    def update(self, text: str) -> list[tuple[str, ...]]:
        self._reset()
        self._refused(self.client.post(f"{self.url}/update", data={"update": text}))
        dump = self.client.get(f"{self.url}/store", headers={"Accept": "application/n-quads"})
        dump.raise_for_status()
        return sorted((_ox_value(q.subject), _ox_value(q.predicate), _ox_value(q.object))
                      for q in ox.parse(dump.content, format=ox.RdfFormat.N_QUADS))

    def close(self) -> None:
        self.client.close()


def _check_case(text: str, *, update: bool, listener: CountingListener, remote: RemoteEngine | None = None) -> str:
    """'refused' or 'agreed'; fails the test when the two parsers run different things."""
    check = check_update if update else check_query
    try:
        info = check(text, base_iri=BASE)
    except KgqaError:
        return "refused"
    before = listener.connections
    try:
        if remote is not None:
            engine = remote.update(info.text) if update else remote.query(info.text)
        else:
            engine = _update_outcome_oxigraph(info.text) if update else _query_outcome_oxigraph(info.text)
    except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
        engine = f"engine error: {type(exc).__name__}"
    time.sleep(0.01) if listener.connections == before else None
    assert listener.connections == before, f"the engine called out for a text the guard passed: {text!r}"
    if isinstance(engine, str):
        # The engine refused what rdflib accepted: nothing ran, which is safe; only a parse error may explain it.
        assert engine == "engine error: SyntaxError", f"{engine} for {text!r}"
        return "engine refused"
    reference = _update_outcome_rdflib(info.text) if update else _query_outcome_rdflib(info.text)
    assert engine == reference, f"the parsers disagree on what runs for {text!r}:\nengine {engine}\nguard  {reference}"
    return "agreed"


def _hand_picked(url: str) -> Iterator[tuple[str, bool]]:
    for brk in LINE_BREAKERS:
        for shape in QUERY_SHAPES:
            for payload in QUERY_PAYLOADS:
                yield shape.format(brk=brk, payload=payload.format(url=url)), False
        for shape in UPDATE_SHAPES:
            for payload in UPDATE_PAYLOADS:
                yield shape.format(brk=brk, payload=payload.format(url=url)), True


def _random_mix(url: str, count: int, seed: int) -> Iterator[tuple[str, bool]]:
    rng = random.Random(seed)
    fragments = [f.format(url=url) if "{" in f else f for f in FRAGMENTS]
    # Inside a comment or a long string is where the parsers used to part ways: most mixes are put there.
    wrappers = ["{}", "# {}\n", "#{}\n?s ?p ?o", "FILTER(STR(?o) != '''{}''')", "# c\\u000A{}\n"]
    for _ in range(count):
        body = rng.choice(wrappers).format("".join(rng.choice(fragments) for _ in range(rng.randint(2, 9))))
        if rng.random() < 0.7:
            yield f"SELECT * WHERE {{ ?s <http://d.example/p> ?o {body} }}", False
        else:
            yield f"INSERT DATA {{ <http://d.example/n> <http://d.example/m> 0 }} {body}", True


def test_hand_picked_comment_and_escape_cases_run_what_the_guard_saw(listener: CountingListener) -> None:
    url = f"http://127.0.0.1:{listener.port}/x"
    outcomes: dict[str, int] = {}
    for text, update in _hand_picked(url):
        outcome = _check_case(text, update=update, listener=listener)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    time.sleep(0.3)
    assert listener.connections == 0
    # The corpus must exercise both sides: texts that run (and agree) and texts refused.
    assert outcomes.get("agreed", 0) > 200 and outcomes.get("refused", 0) > 100, outcomes


@pytest.mark.parametrize("seed", [22, 2022])
def test_random_mixes_of_comments_escapes_and_quotes_run_what_the_guard_saw(listener: CountingListener,
                                                                            seed: int) -> None:
    url = f"http://127.0.0.1:{listener.port}/x"
    outcomes: dict[str, int] = {}
    for text, update in _random_mix(url, 1500, seed):
        outcome = _check_case(text, update=update, listener=listener)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    time.sleep(0.3)
    assert listener.connections == 0
    assert outcomes.get("agreed", 0) > 300, outcomes


@pytest.mark.remote
def test_oxigraph_serve_runs_what_the_guard_saw(listener: CountingListener, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The hand-picked cases and one random mix, run by `oxigraph serve` (what a remote store gets)."""
    url = f"http://127.0.0.1:{listener.port}/x"
    server = OxigraphServer(tmp_path / "server-data")
    remote = RemoteEngine(server.url)
    outcomes: dict[str, int] = {}
    try:
        for text, update in [*_hand_picked(url), *_random_mix(url, 1500, 22)]:
            outcome = _check_case(text, update=update, listener=listener, remote=remote)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        remote.close()
        server.stop()
    time.sleep(0.3)
    assert listener.connections == 0
    assert outcomes.get("agreed", 0) > 500, outcomes


def test_the_old_mismatch_is_caught_by_this_comparison() -> None:
    """The yardstick itself: without the canonical text, the bare-CR comment makes the parsers disagree."""
    raw = "SELECT * WHERE { ?s <http://d.example/p> ?o # c\rFILTER(1 = 2)\n}"
    assert _query_outcome_rdflib(raw) != _query_outcome_oxigraph(raw)
    canonical = check_query(raw, base_iri=BASE).text
    assert _query_outcome_rdflib(canonical) == _query_outcome_oxigraph(canonical)
    assert isinstance(URIRef("http://d.example/p"), URIRef) and Literal(1).value == 1
