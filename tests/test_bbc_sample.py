"""A sample of the BBC corpus through the real ingest: the queries of docs/querying.md, one description per entity,
and no noise entities (issue 24), each checked by SPARQL.

The sample is the politics articles that name a Blair (Tony, Cherie, Ian...), where the noise used to be:
"Vote Blair", "Blair Labour", "Blairs", "Blair-Brown", "Brown/Blair", "Blair&#191;s".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import KnowledgeGraph, Settings
from kg.entity_graph import entities_graph
from web.ui.sparql_tab import example_queries

from .conftest import ROOT

BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
SAMPLE_SIZE = 60

pytestmark = [pytest.mark.skipif(not BBC.is_file(), reason="../shared/bench/bbc is not beside the project"),
              pytest.mark.slow]  # every test reads the library its module fixture builds (7 s)


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    folder: Path = tmp_path_factory.mktemp("bbc-sample")
    records = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line.strip()]
    sample = [r for r in records if r["id"].startswith("politics/") and "Blair" in r["body"]][:SAMPLE_SIZE]
    assert len(sample) == SAMPLE_SIZE
    source = folder / "sample.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in sample), encoding="utf-8")
    with KnowledgeGraph(Settings(data_dir=folder / "built", query_timeout=10.0)) as graph:
        report = graph.ingest([source])
        assert report.stored == SAMPLE_SIZE and not report.errors
        yield graph


def _values(graph: KnowledgeGraph, sparql: str, name: str) -> list[str]:
    return [str(v) for v in graph.query(sparql).values(name)]


@pytest.mark.parametrize("title", list(example_queries()))
def test_every_readme_query_answers_on_the_sample(title: str, bbc: KnowledgeGraph) -> None:
    query = example_queries()[title]
    result = bbc.query(query)  # within the 10 s deadline, or QueryTimeout fails the test
    assert not result.truncated


def test_the_post_holders_query_finds_tony_blair_as_prime_minister(bbc: KnowledgeGraph) -> None:
    rows = bbc.query(example_queries()["Who holds which post?"]).bindings()
    found = {(r["person"][1], r["title"][1]) for r in rows}
    assert ("Tony Blair", "prime minister") in found


def test_each_entity_has_one_label_in_one_graph(bbc: KnowledgeGraph) -> None:
    repeated = bbc.select(f"""SELECT ?e (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
        FILTER(STRSTARTS(STR(?e), "{bbc.iris.base}entity/")) }} GROUP BY ?e HAVING (COUNT(*) > 1)""")
    assert repeated == []
    outside = bbc.select(f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?e a ?class }}
        FILTER(STRSTARTS(STR(?e), "{bbc.iris.base}entity/") && ?g != <{entities_graph(bbc.iris)}>) }}""")
    assert int(outside[0][0][1]) == 0


def test_no_noise_entities(bbc: KnowledgeGraph) -> None:
    labels = _values(bbc, """SELECT DISTINCT ?l WHERE { ?e rdfs:label ?l ; a ?kind
        FILTER(?kind IN (schema:Person, schema:Organization, schema:Place, kgqa:Group)) }""", "l")
    people = set(_values(bbc, "SELECT DISTINCT ?l WHERE { ?e a schema:Person ; rdfs:label ?l }", "l"))
    surnames = {p.split()[-1] for p in people if len(p.split()) >= 2}
    noise = [label for label in labels if re.search(r"&#?\w+;|[\uFFFD\u00BF]", label)]  # character references
    noise += [label for label in labels if "/" in label]  # "Brown/Blair"
    noise += [label for label in labels  # "Blair-Brown": two known surnames joined
              if "-" in label and all(part in surnames for part in label.split("-"))]
    groups = set(_values(bbc, "SELECT DISTINCT ?l WHERE { ?e a kgqa:Group ; rdfs:label ?l }", "l"))
    # "Blairs" as a person or a group (the House of "Lords" is an organisation, whoever is called Lord)
    noise += [label for label in people | groups if label.endswith("s") and label[:-1] in surnames]
    noise += [label for label in labels if re.fullmatch(r"(?:Vote|Back|Elect|Blame)\s+\w+", label)]  # slogans
    noise += [label for label in people  # "Blair Labour": a surname glued to a party or organisation
              if len(label.split()) == 2 and label.split()[0] in surnames and label.split()[1] in {
                  "Labour", "Tory", "Tories", "Conservatives", "Government", "Cabinet"}]
    assert noise == []


def test_the_blairs_stay_apart_and_mr_blair_is_tony_blair(bbc: KnowledgeGraph) -> None:
    rows = bbc.query("""SELECT ?label (COUNT(DISTINCT ?g) AS ?n) WHERE { ?e a schema:Person ; rdfs:label ?label .
        FILTER(CONTAINS(?label, "Blair")) GRAPH ?g { ?m itsrdf:taIdentRef ?e } } GROUP BY ?label""").bindings()
    articles = {r["label"][1]: int(r["n"][1]) for r in rows}
    assert "Blair" not in articles  # a bare "Blair" is not a person of its own
    assert articles["Tony Blair"] >= SAMPLE_SIZE * 0.8
    why = _values(bbc, """SELECT DISTINCT ?why WHERE { ?m itsrdf:taIdentRef ?e ; nif:anchorOf "Blair" ;
        kgqa:resolution ?why . ?e rdfs:label "Tony Blair" }""", "why")
    assert why and set(why) <= {"same-article", "known-alias", "dominant-bearer"}
