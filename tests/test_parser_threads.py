"""rdflib's SPARQL parser under concurrent first use (issue 22 item 2).

pyparsing, under rdflib's grammar, is not thread-safe while a rule is first
used: two threads parsing at once in a fresh process could leave a rule
broken for good, and every later query failed with ``TypeError:
Param.postParse2() missing ... 'tokenList'``. Each case runs in a fresh
interpreter, where the first uses happen: eight threads released together,
one query form each, then every form again.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_HAMMER = r'''
import sys, threading
from kg.query_guard import check_query, check_update
FORMS = [
    ("q", "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s schema:name ?o FILTER(STRLEN(?o) > 2) } GROUP BY ?s ORDER BY ?n LIMIT 5"),
    ("q", "ASK { ?s a schema:Person ; rdfs:label ?l FILTER(LANG(?l) = 'en') }"),
    ("q", "CONSTRUCT { ?s schema:name ?n } WHERE { GRAPH ?g { ?s rdfs:label ?n } OPTIONAL { ?s skos:altLabel ?a } }"),
    ("q", "DESCRIBE <http://x/id/a> ?s WHERE { ?s schema:jobTitle ?t VALUES ?t { 'minister' 'spokesman' } }"),
    ("q", "SELECT * WHERE { { ?s ?p ?o } UNION { ?s schema:x ?o } MINUS { ?s schema:y ?o } BIND(STR(?o) AS ?t) }"),
    ("q", "SELECT (SAMPLE(?o) AS ?x) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), '^a', 'i') || ?o IN (1, 2)) }"),
    ("u", "INSERT DATA { GRAPH <http://x/id/g> { <http://x/s> schema:name 'n' } }"),
    ("u", "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s schema:name ?o } }"),
]
barrier = threading.Barrier(len(FORMS))
errors = []

def run(kind, text):
    barrier.wait()
    try:
        (check_update if kind == "u" else check_query)(text, base_iri="http://x/id/")
    except Exception as exc:
        errors.append(f"first use: {type(exc).__name__}: {exc}")

threads = [threading.Thread(target=run, args=form) for form in FORMS]
for t in threads: t.start()
for t in threads: t.join()
for kind, text in FORMS:  # the parser must still work for every form
    try:
        (check_update if kind == "u" else check_query)(text, base_iri="http://x/id/")
    except Exception as exc:
        errors.append(f"afterwards: {type(exc).__name__}: {exc}")
print("\n".join(errors) or "ok")
sys.exit(1 if errors else 0)
'''


@pytest.mark.parametrize("run", range(6))
def test_concurrent_first_parses_in_a_fresh_process_all_succeed(run: int) -> None:
    done = subprocess.run([sys.executable, "-c", _HAMMER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
