"""Attacks on /sparql: SSRF through SERVICE and LOAD, updates with the token, nesting and amplification.

Split from the issue 11 regression suite; the apps are built once per module (tests/web/_attack_apps.py),
and every test makes its own victims and markers, so the order does not matter.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.test_sparql_safety import CountingListener

from ._attack_apps import admin, remote_opened, crashable, listener, settle, T  # noqa: F401 (fixtures)
from ._attack_tools import error_of, bearer, LiveApp, SubprocessApp

#: Every test here drives an app served on loopback (each module starts its own: 5-12 s).
pytestmark = pytest.mark.slow

# --- 1. SSRF through /sparql -----------------------------------------------------------------------------

SSRF_QUERIES = {
    "hash-escape": "SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "quote-escape": "SELECT * WHERE {{ OPTIONAL {{ ?s ?p schema:a\\' }} SERVICE <{url}> {{ ?s ?p ?o }} "
                    "OPTIONAL {{ ?s ?p <http://x.example/'> }} }}",
    "subquery-lowercase": "select * where {{ {{ select * where {{ optional {{ ?s ?p schema:a\\.\\# }} "
                          "service <{url}> {{ ?s ?p ?o }} }} }} }}",
}


def _send_query(client: httpx.Client, how: str, query: str) -> httpx.Response:
    if how == "get":
        return client.get("/sparql", params={"query": query}, timeout=T)
    if how == "post-form":
        return client.post("/sparql", data={"query": query}, timeout=T)
    return client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"},
                       timeout=T)


def _assert_query_refused(r: httpx.Response) -> None:
    assert r.status_code in (400, 403), (r.status_code, r.text[:300])
    assert error_of(r)["type"] in ("ForbiddenQuery", "QuerySyntaxError"), r.text[:300]


@pytest.mark.parametrize("how", ["get", "post-form", "post-query"])
@pytest.mark.parametrize("attack", list(SSRF_QUERIES))
def test_sparql_endpoint_refuses_hidden_service(admin: LiveApp, listener: CountingListener, attack: str,
                                                how: str) -> None:
    """Issue 11 item 1 (SSRF, no token): /sparql refuses SERVICE hidden by escapes; the listener sees nothing."""
    query = SSRF_QUERIES[attack].format(url=f"http://127.0.0.1:{listener.port}/sparql")
    with admin.client() as c:
        r = _send_query(c, how, query)
    assert settle(listener) == 0, f"the server connected to the listener ({listener.connections}x)"
    _assert_query_refused(r)


@pytest.mark.remote
def test_sparql_endpoint_refuses_hidden_service_on_remote_store(remote_opened: LiveApp,
                                                                 listener: CountingListener) -> None:
    """Issue 11 item 1 (SSRF) on `oxigraph serve`: the remote store is never told to federate."""
    query = SSRF_QUERIES["hash-escape"].format(url=f"http://127.0.0.1:{listener.port}/sparql")
    with remote_opened.client() as c:
        r = _send_query(c, "get", query)
    assert settle(listener) == 0, f"the store connected to the listener ({listener.connections}x)"
    _assert_query_refused(r)

# --- 5. updates with the token ---------------------------------------------------------------------------

UPDATE_ATTACKS = {
    "load-after-hash-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\# "
                              "<http://a.example/o> }} }} ; LOAD <{data}>",
    "load-in-quote-escape": "INSERT DATA {{ GRAPH <{graph}> {{ <http://a.example/s> schema:a\\' <http://a.example/o> "
                            "}} }} ; LOAD <{data}> INTO GRAPH <http://x.example/'>",
    "plain-load": "LOAD <{data}>",
    "load-silent": "LOAD SILENT <{data}> INTO GRAPH <{graph}>",
    "service-in-where-hash-escape": "INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ OPTIONAL {{ ?s ?p "
                                    "schema:a\\# }} SERVICE <{url}> {{ ?s ?p ?o }} }}",
}


def _update_attack(live: LiveApp, listener: CountingListener, attack: str) -> None:
    graph = f"{live.settings.base_iri}article/attack-{uuid.uuid4().hex[:8]}"
    update = UPDATE_ATTACKS[attack].format(graph=graph, data=f"http://127.0.0.1:{listener.port}/data.ttl",
                                           url=f"http://127.0.0.1:{listener.port}/sparql")
    before = live.hashes()
    with live.client(headers=bearer()) as c:
        r = c.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"},
                   timeout=T)
    assert settle(listener) == 0, f"the update connected to the listener ({listener.connections}x)"
    assert r.status_code in (400, 403), (r.status_code, r.text[:300])
    error_of(r)
    assert live.hashes() == before


@pytest.mark.parametrize("attack", list(UPDATE_ATTACKS))
def test_admin_update_with_load_or_service_is_refused(admin: LiveApp, listener: CountingListener,
                                                      attack: str) -> None:
    """Issue 11 item 5 (embedded): an admin update hiding LOAD/SERVICE (escape trick, plain, SILENT) is refused;
    the listener sees 0 connections."""
    _update_attack(admin, listener, attack)


@pytest.mark.remote
@pytest.mark.parametrize("attack", ["load-after-hash-escape", "service-in-where-hash-escape"])
def test_admin_update_with_load_or_service_is_refused_remote_store(remote_opened: LiveApp,
                                                                    listener: CountingListener, attack: str) -> None:
    """Issue 11 item 5 (remote `oxigraph serve`): same, nothing reaches the listener."""
    _update_attack(remote_opened, listener, attack)


NESTING = 50_000


def _still_answers(url: str) -> None:
    r = httpx.get(url + "/api/articles", timeout=T, trust_env=False)
    assert r.status_code == 200 and r.json()["articles"], (r.status_code, r.text[:200])


def test_deeply_nested_update_is_400_and_server_keeps_answering(crashable: SubprocessApp) -> None:
    """Issue 11 item 5: an update with 50,000 nested parentheses -> 400 (it segfaulted the old server),
    and the same server process still answers GET /api/articles."""
    url = crashable.ensure()
    pid = crashable.proc.pid if crashable.proc else None
    update = "INSERT { <a:b> <a:c> ?x } WHERE { BIND(" + "(" * NESTING + "1" + ")" * NESTING + " AS ?x) }"
    try:
        r = httpx.post(url + "/sparql", content=update.encode(), timeout=60, trust_env=False,
                       headers={"Content-Type": "application/sparql-update", **bearer()})
    except httpx.HTTPError as exc:
        time.sleep(0.5)
        pytest.fail(f"no reply ({type(exc).__name__}); server alive: {crashable.alive()}")
    assert r.status_code == 400, (r.status_code, r.text[:300])
    error_of(r)
    assert crashable.alive() and crashable.proc is not None and crashable.proc.pid == pid, "the server process died"
    _still_answers(url)


def test_deeply_nested_query_is_400_not_500(crashable: SubprocessApp) -> None:
    """Issue 11 item 5: a query with 50,000 nested parentheses -> 400 (it was a 500 from a crashed query
    process), and the server still answers."""
    url = crashable.ensure()
    query = "SELECT ?x WHERE { BIND(" + "(" * NESTING + "1" + ")" * NESTING + " AS ?x) }"
    try:
        r = httpx.post(url + "/sparql", content=query.encode(), timeout=60, trust_env=False,
                       headers={"Content-Type": "application/sparql-query"})
    except httpx.HTTPError as exc:
        pytest.fail(f"no reply ({type(exc).__name__}); server alive: {crashable.alive()}")
    assert r.status_code == 400, (r.status_code, r.text[:300])
    error_of(r)
    _still_answers(url)

# --- 6. amplification and body caps ----------------------------------------------------------------------

def _concat(var: str, times: int) -> str:
    return "CONCAT(" + ", ".join([var] * times) + ")"


#: 10 rows of 12 MB each: a ~120 MB result from a 1 KB query.
CONCAT_BOMB = f"""SELECT ?big WHERE {{
  VALUES ?i {{ 1 2 3 4 5 6 7 8 9 10 }}
  BIND(CONCAT(STR(?i), "{'x' * 99}") AS ?a)
  BIND({_concat('?a', 10)} AS ?b)
  BIND({_concat('?b', 10)} AS ?c)
  BIND({_concat('?c', 10)} AS ?d)
  BIND({_concat('?d', 10)} AS ?e)
  BIND({_concat('?e', 12)} AS ?big)
}}"""

#: One row, a GROUP_CONCAT of 20 strings of 1 MB: ~20 MB.
GROUP_CONCAT_BOMB = f"""SELECT (GROUP_CONCAT(?e) AS ?all) WHERE {{
  VALUES ?i {{ 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 }}
  BIND(CONCAT(STR(?i), "{'y' * 99}") AS ?a)
  BIND({_concat('?a', 10)} AS ?b)
  BIND({_concat('?b', 10)} AS ?c)
  BIND({_concat('?c', 10)} AS ?d)
  BIND({_concat('?d', 10)} AS ?e)
}}"""


@pytest.mark.parametrize("bomb", [CONCAT_BOMB, GROUP_CONCAT_BOMB], ids=["concat-120MB", "group-concat-20MB"])
def test_amplified_result_is_cut_with_413_and_server_keeps_answering(admin: LiveApp, bomb: str) -> None:
    """Issue 11 item 6: a small query whose result is far over KGQA_MAX_RESPONSE_MB=8 -> 413 ResponseTooLarge,
    quickly; the next normal query works."""
    with admin.client(timeout=120) as c:
        started = time.monotonic()
        with c.stream("POST", "/sparql", content=bomb.encode(),
                      headers={"Content-Type": "application/sparql-query"}) as r:
            status = r.status_code
            body = b""
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > 9_000_000:
                    break
        elapsed = time.monotonic() - started
        after = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=T)
    assert status == 413, (status, len(body), body[:200])
    err = json.loads(body)["error"]
    assert err["status"] == 413 and err["type"] == "ResponseTooLarge" and err["message"], err
    assert elapsed < 30, f"took {elapsed:.1f} s"
    assert after.status_code == 200 and int(after.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_ask_with_a_10_mb_body_is_413(admin: LiveApp) -> None:
    """Issue 11 item 6: /api/ask has a body cap: a 10 MB JSON body -> 413 in the error shape."""
    body = json.dumps({"question": "Who is Iran's Defense Minister?", "padding": "x" * 10_000_000})
    with admin.client() as c:
        r = c.post("/api/ask", content=body.encode(), headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413, (r.status_code, r.text[:200])
    error_of(r)
