"""Issue 11 regression tests: each attack from the issue, against a real loopback server.

Settings come only from ``Settings.from_env({"KGQA_...": ...})`` (plus data_dir,
base_iri and port), so the same tests run meaningfully on code that predates
the new settings. The apps (one per write policy) are built once per module;
every test makes its own victims and markers, so the order does not matter.

The contract asserted (from the fix's brief): KGQA_WRITES = admin (default) |
add | open; missing token 401 ("Unauthorized"), wrong token 403, no token
configured 403; KGQA_PUBLIC_URL / bound address is the own origin, never the
Host header; KGQA_ALLOWED_HOSTS (400 otherwise); KGQA_MAX_RESPONSE_MB (413
"ResponseTooLarge"); KGQA_CLIENT_QUERIES per client IP (429 "TooManyRequests");
every error body ``{"error": {"status", "type", "message"}}``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import REMOTE_KINDS, OxigraphServer
from tests.test_sparql_safety import CROSS_PRODUCT, CountingListener

from ._attack_tools import (
    TOKEN,
    LiveApp,
    SubprocessApp,
    bearer,
    components,
    delete_dependency,
    open_dependency,
    error_of,
    event_data,
    file_payload,
    gradio_config,
    is_token_input,
    paste_dependency,
    refresh_for,
    run_event,
    start_live_app,
    stop_live_app,
    upload_dependency,
)

EVIL = "http://evil.example"
T = 30.0  # the bound on every ordinary HTTP call


# --- the apps --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Default write policy (admin), a token, a small response cap, one allowed foreign origin."""
    live = start_live_app(tmp_path_factory.mktemp("admin") / "built", {
        "KGQA_ADMIN_TOKEN": TOKEN,
        "KGQA_MAX_RESPONSE_MB": "8",
        "KGQA_QUERY_TIMEOUT": "5",
        "KGQA_ALLOWED_ORIGINS": "http://allowed.example",
    })
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def adder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=add: anyone may add new articles; replace/delete/update need the token."""
    live = start_live_app(tmp_path_factory.mktemp("add") / "built", {"KGQA_WRITES": "add", "KGQA_ADMIN_TOKEN": TOKEN})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def tokenless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Default write policy and no KGQA_ADMIN_TOKEN: no write can ever be authorised."""
    live = start_live_app(tmp_path_factory.mktemp("tokenless") / "built", {})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=open (so only path, origin and host checks can stop an attack); evil.example is an allowed
    *host* name here, so the own origin must come from configuration, not from the Host header."""
    live = start_live_app(tmp_path_factory.mktemp("open") / "built", {
        "KGQA_WRITES": "open",
        "KGQA_ADMIN_TOKEN": TOKEN,
        "KGQA_QUERY_TIMEOUT": "5",
        "KGQA_ALLOWED_HOSTS": "127.0.0.1,localhost,evil.example",
    })
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def remote_opened(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=open on a remote store: a real `oxigraph serve` on loopback, then the session's Virtuoso."""
    server, virtuoso = None, None
    if request.param == "virtuoso":
        virtuoso = request.getfixturevalue("virtuoso_server")
        virtuoso.clear()
        store = {"KGQA_STORE_URL": virtuoso.query_url, "KGQA_STORE_UPDATE_URL": virtuoso.update_url,
                 "KGQA_STORE_USER": virtuoso.user, "KGQA_STORE_PASSWORD": virtuoso.password}
    else:
        server = OxigraphServer(tmp_path_factory.mktemp("oxserve") / "server-data")
        store = {"KGQA_STORE_URL": f"{server.url}/query"}
    try:
        live = start_live_app(tmp_path_factory.mktemp("remote") / "built", {
            "KGQA_WRITES": "open",
            "KGQA_ADMIN_TOKEN": TOKEN,
            **store,
        })
    except BaseException:
        if server is not None:
            server.stop()
        raise
    yield live
    stop_live_app(live)
    if server is not None:
        server.stop()
    if virtuoso is not None:
        virtuoso.clear()


@pytest.fixture(scope="module")
def crashable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubprocessApp]:
    """kgqa in a child process: the nesting attacks crashed the old server process (segfault)."""
    app = SubprocessApp(tmp_path_factory.mktemp("crashable"), {"KGQA_ADMIN_TOKEN": TOKEN})
    yield app
    app.stop()


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    lst = CountingListener()
    yield lst
    lst.close()


def _settle(listener: CountingListener) -> int:
    time.sleep(0.3)
    return listener.connections


def _marker() -> str:
    return "Zq" + uuid.uuid4().hex[:12]


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
    assert _settle(listener) == 0, f"the server connected to the listener ({listener.connections}x)"
    _assert_query_refused(r)


@pytest.mark.remote
def test_sparql_endpoint_refuses_hidden_service_on_remote_store(remote_opened: LiveApp,
                                                                 listener: CountingListener) -> None:
    """Issue 11 item 1 (SSRF) on `oxigraph serve`: the remote store is never told to federate."""
    query = SSRF_QUERIES["hash-escape"].format(url=f"http://127.0.0.1:{listener.port}/sparql")
    with remote_opened.client() as c:
        r = _send_query(c, "get", query)
    assert _settle(listener) == 0, f"the store connected to the listener ({listener.connections}x)"
    _assert_query_refused(r)


# --- 2. file read through the Gradio upload event ---------------------------------------------------------

def _file_read_attack(live: LiveApp, tmp_path: Path) -> None:
    marker = _marker()
    secret = tmp_path / f"secret{marker}.txt"
    secret.write_text(f"Private memo\n\nThe vault code of the Zanbrook office is {marker}.\n")
    before = live.article_ids()
    with live.client() as c:
        config = gradio_config(c)
        found = upload_dependency(config)
        assert found, "no Gradio event takes the file component kgqa-upload; the test cannot drive the attack"
        fn_index, dep = found

        def fill(component: dict) -> object:
            if component.get("type") == "file":
                return [file_payload(secret)]
            if is_token_input(component):
                return live.token or ""  # writes are open anyway: only the path check may stop this
            return None

        event = run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": live.origin})
        served = c.get(f"/id/article/{secret.stem}", headers={"Accept": "text/turtle"}, timeout=T)
        search = c.get("/api/search", params={"q": f"vault code Zanbrook {marker}", "k": 10}, timeout=T)
    assert not live.graph_contains(marker), f"the server file was read and stored (event: {event.completed})"
    assert live.article_ids() == before, live.article_ids() - before
    assert served.status_code == 404 or marker not in served.text
    assert search.status_code == 200, (search.status_code, search.text[:200])
    assert not [hit for hit in search.json()["results"] if marker in hit["sentence"]]
    uploads = live.settings.data_dir / "uploads"
    assert not any(marker in p.read_text(errors="replace") for p in uploads.rglob("*") if p.is_file())


def test_gradio_upload_cannot_read_server_files(opened: LiveApp, tmp_path: Path) -> None:
    """Issue 11 item 2 (embedded store): the Articles tab's upload event naming a server path
    (not in Gradio's upload folder) reads nothing, stores nothing, serves nothing."""
    _file_read_attack(opened, tmp_path)


def test_gradio_upload_through_its_upload_folder_still_works(opened: LiveApp) -> None:
    """Issue 11 item 2 (control): a file sent the normal way (POST /gradio_api/upload, then the event with the
    path Gradio returned) is still stored, so the file-read tests above prove the path check, not a broken tab."""
    marker = _marker()
    with opened.client() as c:
        config = gradio_config(c)
        prefix = config.get("api_prefix") or "/gradio_api"
        up = c.post(f"{prefix}/upload", files=[("files", (f"legit{marker}.txt",
                                                          f"Legit {marker}\n\nThe mill at Tarrow reopened, said "
                                                          f"{marker}.\n"))],
                    headers={"Origin": opened.origin}, timeout=T)
        assert up.status_code == 200, (up.status_code, up.text[:300])
        path = Path(up.json()[0])
        fn_index, dep = upload_dependency(config) or (None, None)
        assert dep is not None

        def fill(component: dict) -> object:
            if component.get("type") == "file":
                return [{**file_payload(path), "orig_name": f"legit{marker}.txt"}]
            return (opened.token or "") if is_token_input(component) else None

        event = run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": opened.origin})
    assert opened.graph_contains(marker), event.completed


@pytest.mark.remote
def test_gradio_upload_cannot_read_server_files_remote_store(remote_opened: LiveApp, tmp_path: Path) -> None:
    """Issue 11 item 2 (remote `oxigraph serve` store): same attack, same result."""
    _file_read_attack(remote_opened, tmp_path)


# --- 3. one write policy -------------------------------------------------------------------------------

def _paste(marker: str) -> dict:
    return {"title": f"Paste {marker}", "text": f"The harbour of Quelmont reopened on Tuesday, said {marker}."}


def _unauthorized(r: httpx.Response) -> None:
    assert r.status_code == 401, (r.status_code, r.text[:300])
    assert error_of(r)["type"] == "Unauthorized"


def test_admin_policy_anonymous_paste_is_401_and_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: default policy, anonymous JSON paste -> 401, nothing stored."""
    marker, before = _marker(), admin.hashes()
    with admin.client() as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
    _unauthorized(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


def test_admin_policy_anonymous_multipart_is_401_and_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: default policy, anonymous multipart upload -> 401, nothing stored."""
    marker, before = _marker(), admin.hashes()
    with admin.client() as c:
        r = c.post("/api/articles", files=[("files", (f"up{marker}.txt", f"Upload {marker}\n\nA body {marker}.\n"))],
                   timeout=T)
    _unauthorized(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


@pytest.mark.parametrize("policy", ["admin", "adder"])
def test_anonymous_delete_is_401_and_deletes_nothing(policy: str, request: pytest.FixtureRequest) -> None:
    """Issue 11 item 3: KGQA_WRITES=admin (default) and add: anonymous DELETE /api/articles/{id} -> 401, it stays."""
    app: LiveApp = request.getfixturevalue(policy)
    victim = app.add_victim()
    with app.client() as c:
        r = c.delete(f"/api/articles/{victim}", timeout=T)
    _unauthorized(r)
    assert victim in app.article_ids()


def test_admin_policy_wrong_token_is_403(admin: LiveApp) -> None:
    """Issue 11 item 3: a wrong token -> 403 for adding and deleting; nothing changes."""
    victim, marker = admin.add_victim(), _marker()
    before = admin.hashes()
    with admin.client(headers=bearer("not-the-token")) as c:
        paste = c.post("/api/articles", json=_paste(marker), timeout=T)
        delete = c.delete(f"/api/articles/{victim}", timeout=T)
    for r in (paste, delete):
        assert r.status_code == 403, (r.status_code, r.text[:300])
        error_of(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


def test_admin_policy_token_adds_and_deletes(admin: LiveApp) -> None:
    """Issue 11 item 3: with the admin token, paste (201) and delete (200) work."""
    marker = _marker()
    with admin.client(headers=bearer()) as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
        assert r.status_code == 201, (r.status_code, r.text[:300])
        stored = r.json()["results"][0]["articles"]
        assert stored and admin.graph_contains(marker)
        d = c.delete(f"/api/articles/{stored[0]}", timeout=T)
    assert d.status_code == 200, (d.status_code, d.text[:300])
    assert stored[0] not in admin.article_ids() and not admin.graph_contains(marker)


def test_no_admin_token_configured_means_writes_are_403(tokenless: LiveApp) -> None:
    """Issue 11 item 3: default policy without KGQA_ADMIN_TOKEN: every write is 403 (with or without a bearer)."""
    victim, marker = tokenless.add_victim(), _marker()
    before = tokenless.hashes()
    with tokenless.client() as c:
        replies = [
            c.post("/api/articles", json=_paste(marker), timeout=T),
            c.post("/api/articles", json=_paste(marker), headers=bearer("anything"), timeout=T),
            c.delete(f"/api/articles/{victim}", timeout=T),
            c.delete(f"/api/articles/{victim}", headers=bearer("anything"), timeout=T),
        ]
    assert [r.status_code for r in replies] == [403] * 4, [(r.status_code, r.text[:120]) for r in replies]
    for r in replies:
        error_of(r)
    assert tokenless.hashes() == before and not tokenless.graph_contains(marker)


def test_add_policy_anonymous_paste_of_new_article_is_201(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, an anonymous paste of a new article is stored (201)."""
    marker = _marker()
    with adder.client() as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
    assert r.status_code == 201, (r.status_code, r.text[:300])
    assert r.json()["results"][0]["articles"] and adder.graph_contains(marker)


def test_add_policy_anonymous_replace_of_existing_id_is_refused(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, an anonymous JSON record with an existing article's id and other text
    is refused, and the stored article is unchanged."""
    original, forged = _marker(), _marker()
    article_id = f"record-{original}"
    record = {"id": article_id, "title": f"Original {original}", "body": f"The original text says {original}."}
    assert adder.store_file(f"{article_id}.json", json.dumps(record).encode()) == [article_id]
    before = adder.hashes()[article_id]
    forged_record = {"id": article_id, "title": "Forged", "body": f"A forged text says {forged}."}
    with adder.client() as c:
        r = c.post("/api/articles", files=[("files", ("forged.json", json.dumps(forged_record)))], timeout=T)
    assert r.status_code in (400, 401, 403) or (
        r.status_code < 300 and not any(res["articles"] for res in r.json()["results"])), (r.status_code, r.text[:300])
    if r.status_code >= 400:
        error_of(r)
    assert adder.hashes().get(article_id) == before
    assert adder.graph_contains(original) and not adder.graph_contains(forged)




def test_add_policy_anonymous_sparql_update_is_401(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, anonymous SPARQL Update -> 401 (one policy for every surface)."""
    victim = adder.add_victim()
    with adder.client() as c:
        r = c.post("/sparql", content=f"DROP GRAPH <{adder.settings.base_iri}article/{victim}>".encode(),
                   headers={"Content-Type": "application/sparql-update"}, timeout=T)
    _unauthorized(r)
    assert victim in adder.article_ids()


def _gradio_delete(live: LiveApp, victim: str, headers: dict[str, str], token: str = "") -> object:
    """Run the Articles tab's delete flow on ``victim`` as the page does, in one session: the list is read
    (page load), the victim searched for and its row opened, then the delete confirmed with ``headers`` and
    ``token`` in the tab's token field. The article to delete is the one the session opened (server-side state),
    never an id the request names."""
    with live.client() as c:
        own = {"Origin": live.origin}
        config = gradio_config(c, headers=own)
        found = delete_dependency(config)
        if found is None:
            return None  # the fix hid the delete action: nothing to attack
        fn_index, dep = found
        comps = components(config)
        session = "s" + uuid.uuid4().hex[:12]

        def fill(component: dict) -> object:
            if is_token_input(component):
                return token
            if component.get("props", {}).get("elem_id") == "kgqa-article-search":
                return victim
            if component.get("type") == "dropdown":
                return victim
            return None

        tables = [i for i, comp in comps.items() if comp.get("props", {}).get("elem_id") == "kgqa-articles"]
        dropdowns = [i for i in dep["inputs"] if comps[i].get("type") == "dropdown"]
        refresh = refresh_for(config, (dropdowns or tables)[0]) if dropdowns or tables else None
        if refresh is not None:  # as the page does: read the session's list (and a dropdown's choices)
            run_event(c, config, refresh[0], refresh[1], [], headers=own, session=session)
        opening = open_dependency(config)
        if opening is not None:  # the victim searched for, so its row is the first, then opened
            run_event(c, config, opening[0], opening[1], event_data(config, opening[1], fill), headers=own,
                      session=session, event_data={"index": [0, 1], "value": victim})
        return run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers=headers, session=session)


def test_gradio_delete_without_token_does_not_delete(admin: LiveApp) -> None:
    """Issue 11 item 3: the Articles tab's delete event via /gradio_api/queue/join, without the token,
    deletes nothing (default policy)."""
    victim = admin.add_victim()
    event = _gradio_delete(admin, victim, {"Origin": admin.origin})
    assert victim in admin.article_ids(), f"deleted through Gradio without a token: {getattr(event, 'completed', None)}"


def test_gradio_delete_with_token_deletes(admin: LiveApp) -> None:
    """Issue 11 item 3 (control): the same Gradio delete flow with the admin token in the tab does delete,
    so the test above proves the policy, not a broken event."""
    victim = admin.add_victim()
    event = _gradio_delete(admin, victim, {"Origin": admin.origin}, token=TOKEN)
    assert victim not in admin.article_ids(), getattr(event, "completed", None)


def test_gradio_paste_without_token_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: the Articles tab's paste event without the token stores nothing (default policy)."""
    marker, before = _marker(), admin.hashes()
    with admin.client() as c:
        config = gradio_config(c)
        found = paste_dependency(config)
        if found is not None:
            fn_index, dep = found

            def fill(component: dict) -> object:
                if is_token_input(component):
                    return ""
                if component["props"].get("elem_id") == "kgqa-paste":
                    return _paste(marker)["text"]
                return f"Paste {marker}" if component.get("type") == "textbox" else None

            run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": admin.origin})
    assert admin.hashes() == before and not admin.graph_contains(marker)


# --- 4. origin policy on every route, own origin not from Host ------------------------------------------

def test_cross_origin_gradio_event_is_refused_and_does_not_run(opened: LiveApp) -> None:
    """Issue 11 item 4: /gradio_api/queue/join from an origin not allowed -> 403 in the error shape,
    no Access-Control-Allow-Origin, and the (delete) event never runs, even with open writes."""
    victim = opened.add_victim()
    with opened.client() as c:
        config = gradio_config(c)  # same-origin: allowed
        fn_index, dep = delete_dependency(config) or (None, None)
        assert dep is not None, "no delete event in the Articles tab (KGQA_WRITES=open)"
        comps = components(config)
        data = [victim if comps[i].get("type") == "dropdown" else ("" if is_token_input(comps[i]) else None)
                for i in dep["inputs"]]
        body = {"data": data, "event_data": None, "fn_index": fn_index, "trigger_id": dep["targets"][0][0],
                "session_hash": "x" + uuid.uuid4().hex[:12]}
        r = c.post(f"{config.get('api_prefix') or '/gradio_api'}/queue/join", json=body,
                   headers={"Origin": EVIL}, timeout=T)
        time.sleep(1.0)  # if it was queued, give it the time to run
    assert r.status_code == 403, (r.status_code, r.text[:300])
    error_of(r)
    assert "access-control-allow-origin" not in r.headers
    assert victim in opened.article_ids()


def test_cross_origin_gradio_delete_event_does_not_delete(opened: LiveApp) -> None:
    """Issue 11 item 4: the full delete flow (list refresh, then delete) sent with a foreign Origin deletes nothing."""
    victim = opened.add_victim()
    _gradio_delete(opened, victim, {"Origin": EVIL})
    assert victim in opened.article_ids()
    # control: the same flow from the app's own origin does delete (KGQA_WRITES=open)
    event = _gradio_delete(opened, victim, {"Origin": opened.origin})
    assert victim not in opened.article_ids(), getattr(event, "completed", None)


def test_cross_origin_gradio_config_is_refused(admin: LiveApp) -> None:
    """Issue 11 item 4: GET /config from a foreign origin -> 403 in the error shape, no CORS header."""
    with admin.client() as c:
        r = c.get("/config", headers={"Origin": EVIL}, timeout=T)
        own = c.get("/config", headers={"Origin": admin.origin}, timeout=T)
    assert r.status_code == 403, (r.status_code, r.text[:200])
    error_of(r)
    assert "access-control-allow-origin" not in r.headers
    assert own.status_code == 200  # the app's own page still works


def test_foreign_host_header_is_400(admin: LiveApp) -> None:
    """Issue 11 item 4: a request whose Host is not an allowed host -> 400 (TrustedHost)."""
    with admin.client() as c:
        replies = [c.get("/api/articles", headers={"Host": "evil.example"}, timeout=T),
                   c.get("/config", headers={"Host": "evil.example"}, timeout=T),
                   c.get("/api/articles", timeout=T)]
    assert [r.status_code for r in replies] == [400, 400, 200], [(r.status_code, r.text[:100]) for r in replies]


def test_dns_rebinding_host_and_origin_evil_is_not_same_origin(admin: LiveApp) -> None:
    """Issue 11 item 4 (DNS rebinding, default allowed hosts): Host: evil.example + Origin: http://evil.example
    is not same-origin: refused (400 host / 403 origin), no CORS header for it."""
    with admin.client() as c:
        headers = {"Host": "evil.example", "Origin": EVIL}
        ask = c.post("/api/ask", json={"question": "Who is Iran's Defense Minister?"}, headers=headers, timeout=T)
        sparql = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=headers, timeout=T)
    for r in (ask, sparql):
        assert r.status_code in (400, 403), (r.status_code, r.text[:200])
        assert r.headers.get("access-control-allow-origin") != EVIL


def test_dns_rebinding_own_origin_comes_from_configuration(opened: LiveApp) -> None:
    """Issue 11 item 4 (DNS rebinding, evil.example an allowed host name): the own origin is KGQA_PUBLIC_URL,
    so Host+Origin evil.example is a foreign origin: 403, and an open-writes delete does not run."""
    victim = opened.add_victim()
    with opened.client() as c:
        headers = {"Host": "evil.example", "Origin": EVIL}
        delete = c.delete(f"/api/articles/{victim}", headers=headers, timeout=T)
        ask = c.post("/api/ask", json={"question": "Who is Iran's Defense Minister?"}, headers=headers, timeout=T)
    for r in (delete, ask):
        assert r.status_code == 403, (r.status_code, r.text[:200])
        error_of(r)
        assert r.headers.get("access-control-allow-origin") != EVIL
    assert victim in opened.article_ids()


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
    assert _settle(listener) == 0, f"the update connected to the listener ({listener.connections}x)"
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


# --- 7. smaller holes ----------------------------------------------------------------------------------

def test_bad_utf16_file_in_a_batch_does_not_hide_the_stored_one(admin: LiveApp) -> None:
    """Issue 11 item 7: [good.txt, bad-utf16.txt] -> 201; results[0] stored, results[1] has errors."""
    marker = _marker()
    good = f"Good {marker}\n\nThe ferry to Lindholm runs again, said {marker}.\n".encode()
    bad = b"\xff\xfe" + "Broken text here.".encode("utf-16-le") + b"\x00\xd8A\x00x"  # lone surrogate, odd length
    with admin.client(headers=bearer()) as c:
        r = c.post("/api/articles", files=[("files", (f"good{marker}.txt", good)),
                                           ("files", (f"bad{marker}.txt", bad))], timeout=60)
    assert r.status_code == 201, (r.status_code, r.text[:300])
    results = r.json()["results"]
    assert len(results) == 2
    assert results[0]["articles"] and not results[0]["errors"]
    assert results[1]["errors"] and not results[1]["articles"]
    assert admin.graph_contains(marker)


def test_deeply_nested_json_upload_is_400_with_a_clear_message(admin: LiveApp) -> None:
    """Issue 11 item 7: a .json nested 100,000 levels deep -> 400 (not a RecursionError 500), saying why."""
    deep = b"[" * 100_000 + b"]" * 100_000
    with admin.client(headers=bearer()) as c:
        r = c.post("/api/articles", files=[("files", ("deep.json", deep))], timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    err = error_of(r)
    assert "internal error" not in err["message"]
    assert any(w in err["message"].lower() for w in ("nest", "deep", "depth", "recurs")), err["message"]


def test_lone_surrogate_in_question_is_a_client_error(admin: LiveApp) -> None:
    """Issue 11 item 7: /api/ask with a lone surrogate in the question -> 400 or 422, not 500."""
    with admin.client() as c:
        r = c.post("/api/ask", content=b'{"question": "Who is \\ud800?"}',
                   headers={"Content-Type": "application/json"}, timeout=T)
    assert r.status_code in (400, 422), (r.status_code, r.text[:300])
    error_of(r)


def test_javascript_url_is_never_passed_to_citations(admin: LiveApp) -> None:
    """Issue 11 item 7: an article whose url is javascript:... -> /api/ask and /api/search citations carry url null."""
    marker = _marker()
    record = {"id": f"js-{marker}", "title": f"Harbour news {marker}", "url": "javascript:alert(1)",
              "body": f"Quillon Varnes is the harbour master of Ostrava Bay. Quillon Varnes said {marker} "
                      "would sail on Friday."}
    with admin.client(headers=bearer()) as c:
        up = c.post("/api/articles", files=[("files", (f"js-{marker}.json", json.dumps(record)))], timeout=60)
        assert up.status_code == 201, (up.status_code, up.text[:300])
        search = c.get("/api/search", params={"q": "Quillon Varnes harbour master of Ostrava Bay", "k": 10},
                       timeout=T).json()["results"]
        ask = c.post("/api/ask", json={"question": "Who is the harbour master of Ostrava Bay?"},
                     timeout=T).json()["citations"]
    ours = [cit for cit in search + ask if str(cit.get("article", "")).endswith(f"js-{marker}")]
    assert ours, "the article was not found, so the test proves nothing"
    assert all(cit["url"] is None for cit in ours), [cit["url"] for cit in ours]
    assert not any(str(cit.get("url") or "").lower().lstrip().startswith("javascript:") for cit in search + ask)


def test_deleted_upload_leaves_no_file_behind(admin: LiveApp) -> None:
    """Issue 11 item 7: after deleting an uploaded article, nothing of it is left under data_dir/uploads."""
    marker = _marker()
    name = f"cleanup{marker}.txt"
    with admin.client(headers=bearer()) as c:
        up = c.post("/api/articles", files=[("files", (name, f"Cleanup {marker}\n\nA notice {marker}.\n"))],
                    timeout=60)
        assert up.status_code == 201, (up.status_code, up.text[:300])
        article_id = up.json()["results"][0]["articles"][0]
        uploads = admin.settings.data_dir / "uploads"
        d = c.delete(f"/api/articles/{article_id}", timeout=T)
    assert d.status_code == 200, (d.status_code, d.text[:300])
    left = [p for p in uploads.rglob("*") if p.is_file()
            and (marker in p.name or marker in p.read_text(errors="replace"))]
    assert not left, left


def _loopback_alias_works() -> bool:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False


def test_per_client_query_limit(opened: LiveApp) -> None:
    """Issue 11 item 7: 6 concurrent heavy cross products from one client -> at least 4 get 429 TooManyRequests
    (KGQA_CLIENT_QUERIES=2), while a normal query from another client address (127.0.0.2) answers 200."""
    if not _loopback_alias_works():
        pytest.fail("cannot bind 127.0.0.2 on this machine: the other-client part of the test needs it")
    replies: list[httpx.Response | Exception] = []
    lock = threading.Lock()

    def heavy() -> None:
        try:
            with opened.client(timeout=30) as c:
                r = c.get("/sparql", params={"query": CROSS_PRODUCT})
        except httpx.HTTPError as exc:
            r = exc  # type: ignore[assignment]
        with lock:
            replies.append(r)

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(heavy) for _ in range(6)]
        time.sleep(0.7)
        with opened.client(timeout=30, local_address="127.0.0.2") as other:
            started = time.monotonic()
            normal = other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            quick = time.monotonic() - started
        for f in futures:
            f.result(timeout=60)
    statuses = [r.status_code if isinstance(r, httpx.Response) else type(r).__name__ for r in replies]
    limited = [r for r in replies if isinstance(r, httpx.Response) and r.status_code == 429]
    assert len(limited) >= 4, statuses
    for r in limited:
        assert error_of(r)["type"] == "TooManyRequests"
    assert normal.status_code == 200, (normal.status_code, normal.text[:200], f"{quick:.1f} s")
