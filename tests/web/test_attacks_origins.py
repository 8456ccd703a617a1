"""Origin and host checks on every route, and the smaller holes: bad files, odd questions, URLs, limits.

Split from the issue 11 regression suite; the apps are built once per module (tests/web/_attack_apps.py),
and every test makes its own victims and markers, so the order does not matter.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.test_sparql_safety import CROSS_PRODUCT

from ._attack_apps import admin, opened, new_marker, gradio_delete, EVIL, T  # noqa: F401 (fixtures)
from ._attack_tools import error_of, bearer, LiveApp, gradio_config, components, is_token_input, delete_dependency

#: Every test here drives an app served on loopback (each module starts its own: 5-12 s).
pytestmark = pytest.mark.slow

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
    gradio_delete(opened, victim, {"Origin": EVIL})
    assert victim in opened.article_ids()
    # control: the same flow from the app's own origin does delete (KGQA_WRITES=open)
    event = gradio_delete(opened, victim, {"Origin": opened.origin})
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

# --- 7. smaller holes ----------------------------------------------------------------------------------

def test_bad_utf16_file_in_a_batch_does_not_hide_the_stored_one(admin: LiveApp) -> None:
    """Issue 11 item 7: [good.txt, bad-utf16.txt] -> 201; results[0] stored, results[1] has errors."""
    marker = new_marker()
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
    marker = new_marker()
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
    marker = new_marker()
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
